import HTTPTypes
import ProxyCore
import Testing

@Suite struct ForwardingPolicyTests {
    @Test func requestHeadersDropHopByHopFramingHostAndEncoding() {
        let client = HTTPHeaders([
            ("Host", "reprise:8080"), ("Authorization", "Bearer r8_x"), ("Connection", "keep-alive, X-Secret-Hop"),
            ("X-Secret-Hop", "1"), ("Keep-Alive", "timeout=5"), ("Content-Length", "12"), ("Expect", "100-continue"),
            ("Accept-Encoding", "gzip, br"), ("Prefer", "wait=10"), ("Content-Type", "application/json"),
            ("Transfer-Encoding", "chunked"), ("TE", "trailers"), ("User-Agent", "replicate-python/1.0.7"),
        ])
        let out = ForwardingPolicy.upstreamRequestHeaders(client)
        #expect(out.map(\.name) == ["Authorization", "Prefer", "Content-Type", "User-Agent"])
        #expect(out[.authorization] == "Bearer r8_x")
    }

    @Test func requestBodyFraming() {
        func head(_ h: HTTPHeaders) -> HTTPRequestHead { HTTPRequestHead(method: .post, target: "/", headers: h) }
        #expect(ForwardingPolicy.requestBody(of: head(HTTPHeaders())) == .none)
        #expect(ForwardingPolicy.requestBody(of: head(HTTPHeaders([("Content-Length", "0")]))) == .length(0))
        #expect(ForwardingPolicy.requestBody(of: head(HTTPHeaders([("Content-Length", "42")]))) == .length(42))
        #expect(ForwardingPolicy.requestBody(of: head(HTTPHeaders([("Transfer-Encoding", "chunked")]))) == .chunked)
    }

    @Test func responseHeadersKeepOrderAndDropLengthOnlyWhenRewritten() {
        let upstream = HTTPHeaders([
            ("Content-Type", "application/json"), ("Content-Length", "99"), ("Connection", "close"),
            ("ratelimit-remaining", "599"), ("Transfer-Encoding", "chunked"),
        ])
        #expect(
            ForwardingPolicy.clientResponseHeaders(upstream, bodyRewritten: false).map(\.name) == [
                "Content-Type", "Content-Length", "ratelimit-remaining",
            ])
        #expect(
            ForwardingPolicy.clientResponseHeaders(upstream, bodyRewritten: true).map(\.name) == [
                "Content-Type", "ratelimit-remaining",
            ])
    }

    @Test(arguments: [
        ("application/json", nil, true), ("application/json; charset=utf-8", nil, true),
        ("Application/JSON", nil, true), ("application/problem+json", nil, true),
        ("text/event-stream", nil, false), ("text/plain", nil, false), ("application/json", "gzip", false),
        ("application/json", "identity", true), ("  application/json  ; x=1", nil, true), ("\tAPPLICATION/VND.API+JSON", nil, true),
        ("application/jsonx", nil, false), ("+json", nil, true), ("json", nil, false), ("", nil, false), (";", nil, false),
        ("application/json-seq", nil, false), ("x+JSON ;", nil, true),
    ] as [(String, String?, Bool)])
    func rewritableJSON(contentType: String, encoding: String?, expected: Bool) {
        var h = HTTPHeaders([("Content-Type", contentType)])
        if let encoding { h.add(.contentEncoding, encoding) }
        #expect(ForwardingPolicy.isRewritableJSON(h) == expected)
    }

    @Test func noContentTypeIsNotRewritten() {
        #expect(!ForwardingPolicy.isRewritableJSON(HTTPHeaders()))
    }
}

@Suite struct PublicBaseURLTests {
    let head = HTTPRequestHead(method: .get, target: "/v1/predictions", headers: HTTPHeaders([("Host", "proxy.local:8080")]))

    @Test func configuredWins() {
        #expect(PublicBaseURL.resolve(configured: "https://cache.example", request: head, listen: "0.0.0.0:8080") == "https://cache.example")
    }

    @Test func hostHeaderOtherwise() {
        #expect(PublicBaseURL.resolve(configured: nil, request: head, listen: "0.0.0.0:8080") == "http://proxy.local:8080")
    }

    @Test(arguments: ["evil.com/path", "a b", "x@y", "", "host\r\nX: y"])
    func implausibleHostFallsBackToListen(host: String) {
        let h = HTTPRequestHead(method: .get, target: "/", headers: HTTPHeaders([("Host", host)]))
        #expect(PublicBaseURL.resolve(configured: nil, request: h, listen: "127.0.0.1:8080") == "http://127.0.0.1:8080")
    }

    @Test func ipv6Host() {
        let h = HTTPRequestHead(method: .get, target: "/", headers: HTTPHeaders([("Host", "[::1]:8080")]))
        #expect(PublicBaseURL.resolve(configured: nil, request: h, listen: "x") == "http://[::1]:8080")
    }
}
