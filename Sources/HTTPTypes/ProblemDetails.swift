import JSONCore

/// An error body in Replicate's shape (RFC 7807 style): `{"title","detail","status"}`.
///
/// Every error Reprise itself answers with uses this, so clients that parse Replicate's errors
/// (`ReplicateError` in Python reads `title`, `detail`, `status`) show a useful message.
public struct ProblemDetails: Sendable, Equatable {
    public var status: Int
    public var title: String
    public var detail: String

    public init(status: Int, title: String, detail: String) {
        self.status = status
        self.title = title
        self.detail = detail
    }

    /// `{"title":…,"detail":…,"status":…}` as UTF-8 bytes.
    public func jsonBytes() -> [UInt8] {
        var o = JSONObjectWriter(capacity: 64 + title.utf8.count + detail.utf8.count)
        o.field("title", title)
        o.field("detail", detail)
        o.field("status", status)
        return o.finish()
    }

    /// Headers for a problem body of `length` bytes.
    public static func headers(length: Int) -> HTTPHeaders {
        var h = HTTPHeaders()
        h.add(.contentType, "application/json")
        h.add(.contentLength, String(length))
        return h
    }
}
