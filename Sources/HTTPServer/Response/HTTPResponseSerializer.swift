@preconcurrency import Glibc
import HTTPTypes

/// How a response body is delimited on the wire.
enum HTTPResponseFraming: Equatable {
    /// No body may follow (HEAD, 1xx, 204, 304).
    case none
    /// `Content-Length` bytes follow.
    case length(Int)
    /// `Transfer-Encoding: chunked` (HTTP/1.1 clients, length unknown).
    case chunked
    /// The body ends when the connection closes (HTTP/1.0 clients, length unknown).
    case closeDelimited
}

/// Writes response heads and chunk framing, and decides the framing a head gets: the rules
/// documented on `HTTPExchange.sendHead`.
///
/// The server owns the connection-level fields: any `Transfer-Encoding` or `Connection` field
/// in the caller's head is replaced by what the framing needs (a caller's `Connection: close`
/// is honoured), `Content-Length` is dropped where RFC 9110 forbids it (1xx, 204), and a
/// field whose name or value holds CR or LF is dropped so that a responder relaying foreign
/// values cannot split the response. Stateless; all functions are pure apart from the output.
enum HTTPResponseSerializer {
    /// What `plan` decided for one response head.
    struct Plan: Equatable {
        var framing: HTTPResponseFraming
        /// The connection closes after this response.
        var closes: Bool
    }

    /// Chooses the framing for `response` answering `request`. `mustClose` is the
    /// connection's own reason to close (draining, request body left unread, client gone).
    static func plan(_ response: HTTPResponseHead, for request: HTTPRequestHead, mustClose: Bool) -> Plan {
        let status = response.status
        let framing: HTTPResponseFraming
        if status < 200 || status == 204 || status == 304 || request.method == .head {
            framing = .none
        } else if let cl = response.headers[.contentLength], let n = parseLength(cl) {
            framing = .length(n)
        } else if request.versionMinor >= 1 {
            framing = .chunked
        } else {
            framing = .closeDelimited
        }
        if status < 200 { return Plan(framing: .none, closes: false) }
        let closes =
            mustClose || !request.keepAlive || framing == .closeDelimited
            || response.headers.hasToken("close", in: .connection)
        return Plan(framing: framing, closes: closes)
    }

    /// Appends the status line and header block of `head` to `out`.
    static func writeHead(_ head: HTTPResponseHead, plan: Plan, http10Client: Bool, into out: ByteQueue) {
        let status = head.status
        let dropLength = status < 200 || status == 204 || plan.framing == .chunked || plan.framing == .closeDelimited
        out.append("HTTP/1.1 " as StaticString)
        out.appendDecimal(status)
        out.append(byte: 0x20)
        out.append(HTTPStatus.reasonPhrase(status))
        out.append("\r\n" as StaticString)
        for field in head.headers {
            if HTTPHeaderName.transferEncoding.matches(field.name) || HTTPHeaderName.connection.matches(field.name) {
                continue
            }
            if dropLength && HTTPHeaderName.contentLength.matches(field.name) { continue }
            if hasLineBreak(field.name) || hasLineBreak(field.value) { continue }
            out.append(field.name)
            out.append(": " as StaticString)
            out.append(field.value)
            out.append("\r\n" as StaticString)
        }
        if plan.framing == .chunked { out.append("Transfer-Encoding: chunked\r\n" as StaticString) }
        if status >= 200 {
            if plan.closes {
                out.append("Connection: close\r\n" as StaticString)
            } else if http10Client {
                out.append("Connection: keep-alive\r\n" as StaticString)
            }
        }
        out.append("\r\n" as StaticString)
    }

    /// `HTTP/1.1 100 Continue`, sent before reading a body the client holds back.
    static let continueLine: StaticString = "HTTP/1.1 100 Continue\r\n\r\n"

    /// Appends one chunk: `<hex size>\r\n<bytes>\r\n`. Empty input writes nothing (an empty
    /// chunk would end the body).
    static func writeChunk(_ bytes: UnsafeRawBufferPointer, into out: ByteQueue) {
        guard bytes.count > 0 else { return }
        writeChunkHeader(bytes.count, into: out)
        out.append(bytes)
        out.append("\r\n" as StaticString)
    }

    static func writeChunkHeader(_ count: Int, into out: ByteQueue) {
        out.appendHex(count)
        out.append("\r\n" as StaticString)
    }

    /// The last chunk and the empty trailer section.
    static let lastChunk: StaticString = "0\r\n\r\n"

    /// A `Content-Length` value: digits only, no sign, no list.
    static func parseLength(_ s: String) -> Int? {
        guard !s.isEmpty, s.utf8.count <= 18, s.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(s)
    }

    private static func hasLineBreak(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { b in
            guard let base = b.baseAddress, b.count > 0 else { return false }
            return memchr(base, 0x0A, b.count) != nil || memchr(base, 0x0D, b.count) != nil
        }
    }
}
