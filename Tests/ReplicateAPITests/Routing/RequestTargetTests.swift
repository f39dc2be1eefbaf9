import ReplicateAPI
import Testing

@Suite struct RequestTargetTests {
    /// raw target → canonical upstream target.
    static let apiForms: [(String, String)] = [
        ("/v1/predictions", "/v1/predictions"),
        ("/predictions", "/v1/predictions"),
        ("/v1/v1/predictions", "/v1/predictions"),
        ("/v1/v1/v1/predictions", "/v1/v1/predictions"),
        ("/v1/predictions/abc/cancel", "/v1/predictions/abc/cancel"),
        ("/models/meta/llama/predictions", "/v1/models/meta/llama/predictions"),
        ("/v1/predictions?cursor=abc&x=%2F", "/v1/predictions?cursor=abc&x=%2F"),
        ("/predictions?cursor=abc", "/v1/predictions?cursor=abc"),
        ("/v1/v1/predictions?a=/v1/b", "/v1/predictions?a=/v1/b"),
        ("/v1?x=1", "/v1?x=1"),
        ("/v1", "/v1"),
        ("/v1/", "/v1/"),
        ("/v1/v1", "/v1"),
        ("/v1beta/x", "/v1/v1beta/x"),
        ("/V1/predictions", "/v1/V1/predictions"),
        ("/v1/metrics", "/v1/metrics"),
        ("/v1/v1/metrics", "/v1/metrics"),
        ("/v1/healthz", "/v1/healthz"),
        ("/metrics/", "/v1/metrics/"),
        ("/./metrics", "/v1/./metrics"),
        ("/v1/../metrics", "/v1/../metrics"),
        ("/%6Detrics", "/v1/%6Detrics"),
        ("/v1/files%2F..%2Fx", "/v1/files%2F..%2Fx"),
        ("//evil.example/x", "/v1//evil.example/x"),
        ("/v1//evil.example/x", "/v1//evil.example/x"),
        ("/v1/models?q={a|b}", "/v1/models?q={a|b}"),
    ]

    @Test(arguments: apiForms)
    func normalisesAPIPaths(raw: String, canonical: String) throws {
        let target = try RequestTarget.classify(raw)
        guard case .api(let path) = target else {
            Issue.record("\(raw) classified as \(target)")
            return
        }
        #expect(path.upstreamTarget == canonical)
        #expect(path.upstreamTarget.hasPrefix("/v1"))
        let afterV1 = path.upstreamTarget.dropFirst(3).first
        #expect(afterV1 == nil || afterV1 == "/" || afterV1 == "?")
    }

    @Test func ownEndpointsAreExactMatches() throws {
        #expect(try RequestTarget.classify("/metrics") == .own(.metrics))
        #expect(try RequestTarget.classify("/healthz") == .own(.healthz))
        #expect(try RequestTarget.classify("/readyz") == .own(.readyz))
        #expect(try RequestTarget.classify("/") == .own(.statusPage))
        #expect(try RequestTarget.classify("/readyz?verbose=1") == .own(.readyz))
        // The query is not part of the match, but `/` followed by a query is still the page.
        #expect(try RequestTarget.classify("/?x=1") == .own(.statusPage))
    }

    @Test func rootWithEmptyQueryIsTheStatusPage() throws {
        #expect(try RequestTarget.classify("/?") == .own(.statusPage))
    }

    @Test func apiPathItselfDoesNotKnowOwnEndpoints() throws {
        #expect(try APIPath(target: "/metrics?x").upstreamTarget == "/v1/metrics?x")
        #expect(try APIPath(target: "/").upstreamTarget == "/v1/")
    }

    @Test func splitsPathAndQuery() throws {
        let p = try APIPath(target: "/predictions?cursor=a?b")
        #expect(p.path == "/v1/predictions")
        #expect(p.query == "cursor=a?b")
        #expect(try APIPath(target: "/v1/x").query == nil)
        #expect(try APIPath(target: "/v1/x?").query == "")
    }

    @Test func segments() throws {
        #expect(try APIPath(target: "/v1/predictions/abc").segments == ["predictions", "abc"])
        #expect(try APIPath(target: "/predictions/abc?x=/y").segments == ["predictions", "abc"])
        #expect(try APIPath(target: "/v1/").segments == [""])
        #expect(try APIPath(target: "/v1").segments == [])
        #expect(try APIPath(target: "/v1//a/").segments == ["", "a", ""])
    }

    @Test func upstreamURLKeepsTheHost() throws {
        let p = try APIPath(target: "//evil.example/x?y")
        #expect(p.upstreamURL(base: "https://api.replicate.com/") == "https://api.replicate.com/v1//evil.example/x?y")
        #expect(try APIPath(target: "/v1?x").upstreamURL(base: "http://127.0.0.1:9") == "http://127.0.0.1:9/v1?x")
    }

    static let malformed: [(String, RequestTargetError)] = [
        ("", .empty),
        ("*", .asteriskForm),
        ("http://evil.example/v1/predictions", .absoluteForm),
        ("https://api.replicate.com/v1/predictions", .absoluteForm),
        ("api.replicate.com:443", .notOriginForm),
        ("v1/predictions", .notOriginForm),
        ("?x", .notOriginForm),
        ("/v1/predictions#frag", .invalidByte(offset: 15)),
        ("/v1/pred ictions", .invalidByte(offset: 8)),
        ("/v1/\u{7F}", .invalidByte(offset: 4)),
        ("/v1/\t", .invalidByte(offset: 4)),
        ("/v1/é", .invalidByte(offset: 4)),
        ("/metrics\r\nHost: evil", .invalidByte(offset: 8)),
    ]

    @Test(arguments: malformed)
    func rejectsWhatIsNotOriginForm(raw: String, error: RequestTargetError) {
        #expect(throws: error) { try RequestTarget.classify(raw) }
        #expect(throws: error) { try APIPath(target: raw) }
    }

    @Test func errorsAnswer400() {
        for e: RequestTargetError in [.empty, .asteriskForm, .absoluteForm, .notOriginForm, .invalidByte(offset: 3)] {
            #expect(e.problem.status == 400)
            #expect(!e.problem.detail.isEmpty)
        }
    }
}
