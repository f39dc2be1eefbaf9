import CryptoPrimitives
import HTTPTypes
import JSONCore

/// Test-only routes that show what crossed a proxy (no token needed, counted as `requests`):
/// - `ANY /v1/fake/echo[/…]`: 200 with `{"method","path","query","headers","body_length",
///   "body_sha256"}` describing the request as the fake received it (`headers` is a list of
///   `[name, value]` pairs in arrival order; `query` is null when there was none).
/// - `GET /v1/fake/blob?bytes=N` (N up to 64 MiB): 200 `application/octet-stream` with N bytes
///   of a fixed pseudo-random pattern, for tests of large answers (compare with a direct fetch).
extension FakeRequest {
    /// Largest blob the fake hands out.
    static let maxBlobBytes = 64 << 20

    func echo() {
        if bodyTooLarge {
            respondProblem(413, "Request too large", "The request body exceeds the fake's limit")
            return
        }
        var headerList = JSONWriter(capacity: 64 * (head.headers.count + 1))
        headerList.raw("[")
        for (k, field) in head.headers.enumerated() {
            if k > 0 { headerList.raw(",") }
            headerList.raw("[")
            headerList.string(field.name)
            headerList.raw(",")
            headerList.string(field.value)
            headerList.raw("]")
        }
        headerList.raw("]")
        var o = JSONObjectWriter(capacity: 512 + headerList.bytes.count)
        o.field("method", head.method.rawValue)
        o.field("path", String(head.path))
        if let q = head.query { o.field("query", String(q)) } else { o.nullField("query") }
        o.rawField("headers", json: headerList.bytes)
        o.field("body_length", body.count)
        o.field("body_sha256", Hex.encode(responder.hasher.digest(body)))
        respond(200, o.finish())
    }

    func blob() {
        guard let n = FakeRequest.queryValue("bytes", in: head.query).flatMap({ Int($0) }),
            (0...FakeRequest.maxBlobBytes).contains(n)
        else {
            respondProblem(400, "Invalid blob size", "Give the size as ?bytes=N, at most \(FakeRequest.maxBlobBytes)")
            return
        }
        var bytes = [UInt8](repeating: 0, count: n)
        var x: UInt32 = 0x9E37_79B9
        for i in 0..<n {
            // xorshift32: cheap, and no short period that would hide a dropped or repeated chunk.
            x ^= x << 13
            x ^= x >> 17
            x ^= x << 5
            bytes[i] = UInt8(truncatingIfNeeded: x)
        }
        var h = HTTPHeaders()
        h.add(.contentType, "application/octet-stream")
        h.add(.contentLength, String(n))
        send(HTTPResponseHead(status: 200, headers: h), bytes)
    }
}
