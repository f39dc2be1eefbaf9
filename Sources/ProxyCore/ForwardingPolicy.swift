import HTTPTypes

/// Decides how a client's request head becomes the head Reprise sends upstream, and how
/// upstream's response head becomes the head the client sees.
///
/// Pure: no I/O, so every rule here is unit-tested on values. Rules, and why:
/// - Hop-by-hop fields never cross the proxy (RFC 9110 §7.6.1).
/// - `Host` comes from the upstream URL (curl sets it); the client's names Reprise.
/// - Framing (`Content-Length`, `Transfer-Encoding`, `Expect`) is re-derived by each hop.
/// - `Accept-Encoding` is dropped so upstream answers in identity encoding: Reprise must read
///   JSON answers to rewrite Replicate's absolute URLs, and cannot do that in a gzip stream.
/// - Everything else, `Authorization` included, is forwarded untouched and in order.
public enum ForwardingPolicy {
    /// Request fields Reprise does not forward, beyond the hop-by-hop set.
    static let requestDropped: [HTTPHeaderName] = [
        .host, .contentLength, .transferEncoding, .expect, "accept-encoding",
    ]

    /// The headers to send upstream for a client request.
    public static func upstreamRequestHeaders(_ client: HTTPHeaders) -> HTTPHeaders {
        var h = HopByHop.stripped(client)
        h.removeAll { field in requestDropped.contains { $0.matches(field.name) } }
        return h
    }

    /// How a client request's body is framed, from its head.
    public enum RequestBody: Equatable, Sendable {
        case none
        case length(Int)
        case chunked
    }

    /// The body framing the client declared. A malformed `Content-Length` never reaches here
    /// (the HTTP parser rejects it), so a non-numeric value reads as no body.
    public static func requestBody(of head: HTTPRequestHead) -> RequestBody {
        if head.headers.hasToken("chunked", in: .transferEncoding) { return .chunked }
        if let cl = head.headers[.contentLength], let n = Int(cl) { return n > 0 ? .length(n) : .length(0) }
        return .none
    }

    /// The headers to send the client for an upstream response.
    ///
    /// `bodyRewritten` drops `Content-Length` because URL rewriting changes the body's length
    /// (the server then frames the body chunked).
    public static func clientResponseHeaders(_ upstream: HTTPHeaders, bodyRewritten: Bool) -> HTTPHeaders {
        var h = HopByHop.stripped(upstream)
        if bodyRewritten { h.remove(.contentLength) }
        return h
    }

    /// True when a response body is JSON that may carry Replicate's absolute URLs.
    public static func isRewritableJSON(_ headers: HTTPHeaders) -> Bool {
        if let encoding = headers[.contentEncoding], encoding != "identity" { return false }
        guard let ct = headers[.contentType] else { return false }
        // The media type: before any `;`, spaces trimmed, compared without case (every answer
        // passes through here, so on the bytes, without building strings).
        let utf8 = ct.utf8
        let mediaType = utf8[..<(utf8.firstIndex(of: UInt8(ascii: ";")) ?? utf8.endIndex)]
        var start = mediaType.startIndex
        var end = mediaType.endIndex
        while start < end, mediaType[start] == 0x20 || mediaType[start] == 0x09 { start = utf8.index(after: start) }
        while start < end, mediaType[utf8.index(before: end)] == 0x20 || mediaType[utf8.index(before: end)] == 0x09 {
            end = utf8.index(before: end)
        }
        let trimmed = mediaType[start..<end]
        return ASCIICase.equals(trimmed, lowercase: "application/json".utf8)
            || ASCIICase.equals(trimmed.suffix(5), lowercase: "+json".utf8)
    }
}
