import CCurl
import HTTPTypes
import Testing

@testable import Upstream

@Suite struct CurlMappingTests {
    @Test func curlCodesMapToBoundedKinds() {
        typealias K = UpstreamError.Kind
        #expect(K(curlCode: CURLE_COULDNT_CONNECT, afterHead: false) == .connect)
        #expect(K(curlCode: CURLE_COULDNT_RESOLVE_HOST, afterHead: false) == .connect)
        #expect(K(curlCode: CURLE_RECV_ERROR, afterHead: false) == .connect)
        #expect(K(curlCode: CURLE_RECV_ERROR, afterHead: true) == .protocolError)
        #expect(K(curlCode: CURLE_GOT_NOTHING, afterHead: false) == .connect)
        #expect(K(curlCode: CURLE_OPERATION_TIMEDOUT, afterHead: true) == .timeout)
        #expect(K(curlCode: CURLE_PEER_FAILED_VERIFICATION, afterHead: false) == .tls)
        #expect(K(curlCode: CURLE_SSL_CONNECT_ERROR, afterHead: false) == .tls)
        #expect(K(curlCode: CURLE_PARTIAL_FILE, afterHead: true) == .protocolError)
        #expect(K(curlCode: CURLE_WEIRD_SERVER_REPLY, afterHead: false) == .protocolError)
        #expect(K(curlCode: CURLE_HTTP2_STREAM, afterHead: true) == .protocolError)
        #expect(K(curlCode: CURLE_URL_MALFORMAT, afterHead: false) == .other)
        #expect(K(curlCode: CURLE_OUT_OF_MEMORY, afterHead: false) == .other)
    }

    @Test func errorMessageCarriesCurlsSummaryAndDetail() {
        let e = UpstreamError(curlCode: CURLE_COULDNT_CONNECT, afterHead: false, detail: "Failed to connect to h port 1")
        #expect(e.kind == .connect)
        #expect(e.message == "Couldn't connect to server: Failed to connect to h port 1")
        #expect(UpstreamError(curlCode: CURLE_PARTIAL_FILE, afterHead: true, detail: "").message == "Transferred a partial file")
    }

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
        #expect(given == [
            "Authorization: Bearer x", "X-Empty;", "Accept: application/json", "content-type: application/json", "Expect:",
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
            let buffer = UpstreamClient.bodyBuffer(for: UpstreamRequest(method: method, url: "http://x/"), retainLimit: 10)
            #expect(buffer?.declaredLength == 0)
        }
        for method: HTTPMethod in [.get, .delete, .options, "PURGE"] {
            #expect(UpstreamClient.bodyBuffer(for: UpstreamRequest(method: method, url: "http://x/"), retainLimit: 10) == nil)
        }
    }
}
