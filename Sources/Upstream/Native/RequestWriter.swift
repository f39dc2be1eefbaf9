import HTTPTypes

/// Writes an HTTP/1.1 request the way the curl path sends it, for the native engine: request
/// line, `Host` (from the URL unless the request carries one), the caller's fields in order and
/// case, then the framing this writer owns.
///
/// Like the curl path (`OutgoingHeaderRules`): `Content-Length`, `Transfer-Encoding` and
/// `Expect` given by the caller are dropped (framing follows the body: `Content-Length` for a
/// whole or declared-length body, chunked for a streamed body of unknown length, nothing for no
/// body), and no field is added that the caller did not give (no `Accept`, `User-Agent`, `Accept-Encoding`). A field whose
/// name is not a token or whose value holds CR, LF or NUL makes the request unsendable (nil):
/// it could smuggle a second request. Pure functions; thread-safe.
enum RequestWriter {
    /// How the request body is delimited on the wire.
    enum BodyFraming: Equatable {
        case none
        case length(Int)
        case chunked
    }

    /// The terminating chunk of a chunked body (no trailers).
    static let lastChunk: [UInt8] = Array("0\r\n\r\n".utf8)

    /// The request head, or nil when `method`, `target` or a field cannot be sent safely.
    static func head(
        method: String, target: Substring, host: Substring, headers: HTTPHeaders, framing: BodyFraming
    ) -> [UInt8]? {
        guard HTTPMethod.isValidToken(method), isValidTarget(target) else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(128 + headers.count * 48)
        out.append(contentsOf: method.utf8)
        out.append(0x20)
        out.append(contentsOf: target.utf8)
        out.append(contentsOf: " HTTP/1.1\r\n".utf8)
        if !headers.contains(.host) {
            out.append(contentsOf: "Host: ".utf8)
            out.append(contentsOf: host.utf8)
            out.append(contentsOf: "\r\n".utf8)
        }
        for field in headers where !OutgoingHeaderRules.isEngineOwned(field.name) {
            guard OutgoingHeaderRules.isSendable(field) else { return nil }
            out.append(contentsOf: field.name.utf8)
            out.append(0x3A)
            if !field.value.isEmpty {
                out.append(0x20)
                out.append(contentsOf: field.value.utf8)
            }
            out.append(contentsOf: "\r\n".utf8)
        }
        switch framing {
        case .none: break
        case .length(let n):
            out.append(contentsOf: "Content-Length: ".utf8)
            out.append(contentsOf: String(n).utf8)
            out.append(contentsOf: "\r\n".utf8)
        case .chunked:
            out.append(contentsOf: "Transfer-Encoding: chunked\r\n".utf8)
        }
        out.append(contentsOf: "\r\n".utf8)
        return out
    }

    /// The framing for a body buffer (nil: no body) of a request with `method`. A HEAD request
    /// sends no body, as curl's NOBODY mode does.
    static func framing(for body: RequestBodyBuffer?, method: HTTPMethod) -> BodyFraming {
        guard let body, method != .head else { return .none }
        return body.declaredLength.map { .length($0) } ?? .chunked
    }

    /// Appends the size line of a chunk of `count` bytes (`count > 0`); the caller appends the
    /// data and then `chunkEnd`.
    static func appendChunkStart(_ count: Int, to out: inout [UInt8]) {
        out.append(contentsOf: String(count, radix: 16).utf8)
        out.append(contentsOf: "\r\n".utf8)
    }

    static let chunkEnd: [UInt8] = [0x0D, 0x0A]

    /// An origin-form target: visible ASCII only, starting with `/` (or `*`, which no caller sends).
    static func isValidTarget(_ target: Substring) -> Bool {
        guard let first = target.utf8.first, first == 0x2F else { return false }
        return target.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }
}
