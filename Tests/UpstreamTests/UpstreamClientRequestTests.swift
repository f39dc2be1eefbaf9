import HTTPTypes
import Testing

@testable import Upstream

/// How a request becomes curl's header list and body mode (pure parts of UpstreamClient+Request).
@Suite struct UpstreamClientRequestTests {
    @Test func headerListSuppressesCurlsOwnHeadersAndKeepsTheCallers() throws {
        var headers = HTTPHeaders()
        headers.add("Authorization", "Bearer x")
        headers.add("Content-Length", "12")
        headers.add("Transfer-Encoding", "chunked")
        headers.add("Expect", "100-continue")
        headers.add("X-Empty", "")
        let withBody = try #require(UpstreamClient.headerLines(headers, hasBody: true))
        #expect(withBody == ["Authorization: Bearer x", "X-Empty;", "Expect:", "Accept:", "Content-Type:"])
        headers.add("Accept", "application/json")
        headers.add("content-type", "application/json")
        let given = try #require(UpstreamClient.headerLines(headers, hasBody: true))
        #expect(
            given == [
                "Authorization: Bearer x", "X-Empty;", "Accept: application/json", "content-type: application/json",
                "Expect:",
            ])
        #expect(UpstreamClient.headerLines(["X-A": "b"], hasBody: false) == ["X-A: b", "Expect:", "Accept:"])
    }

    @Test(arguments: ["a\r\nb", "a\nb", "a\u{0}b"])
    func headerValuesThatCouldSplitTheRequestAreRefused(value: String) {
        #expect(UpstreamClient.headerLines(["X-A": value], hasBody: false) == nil)
        #expect(UpstreamClient.headerLines(["X A": "ok"], hasBody: false) == nil)
    }

    @Test func bodylessWritesStillSendAZeroLength() {
        for method: HTTPMethod in [.post, .put, .patch, .query] {
            let buffer = UpstreamClient.bodyBuffer(
                for: UpstreamRequest(method: method, url: "http://x/"), retainLimit: 10)
            #expect(buffer?.declaredLength == 0)
        }
        for method: HTTPMethod in [.get, .delete, .options, "PURGE"] {
            #expect(
                UpstreamClient.bodyBuffer(for: UpstreamRequest(method: method, url: "http://x/"), retainLimit: 10)
                    == nil)
        }
    }
}
