/// The start line and header fields of one request, as parsed from the wire.
///
/// `target` is the request-target exactly as sent (path plus optional `?query`), never
/// decoded: a proxy forwards it byte for byte. Value type; `Sendable`.
public struct HTTPRequestHead: Sendable, Equatable {
    public var method: HTTPMethod
    public var target: String
    public var versionMajor: Int
    public var versionMinor: Int
    public var headers: HTTPHeaders
    /// Whether the connection stays open after this exchange (HTTP/1.1 default, `Connection`).
    public var keepAlive: Bool

    public init(
        method: HTTPMethod, target: String, versionMajor: Int = 1, versionMinor: Int = 1,
        headers: HTTPHeaders = HTTPHeaders(), keepAlive: Bool = true
    ) {
        self.method = method
        self.target = target
        self.versionMajor = versionMajor
        self.versionMinor = versionMinor
        self.headers = headers
        self.keepAlive = keepAlive
    }

    /// The path part of `target` (before `?`).
    public var path: Substring {
        if let q = target.utf8.firstIndex(of: UInt8(ascii: "?")) { return target[..<q] }
        return target[...]
    }

    /// The query part of `target` without the `?`, or nil.
    public var query: Substring? {
        guard let q = target.utf8.firstIndex(of: UInt8(ascii: "?")) else { return nil }
        return target[target.utf8.index(after: q)...]
    }
}

/// The status line and header fields of one response. Value type; `Sendable`.
public struct HTTPResponseHead: Sendable, Equatable {
    public var status: Int
    public var headers: HTTPHeaders

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders()) {
        self.status = status
        self.headers = headers
    }
}
