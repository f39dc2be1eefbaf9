import CCurl
import HTTPTypes
import Testing

@testable import Upstream

@Suite struct CurlErrorKindTests {
    @Test func curlCodesMapToBoundedKinds() {
        typealias K = UpstreamError.Kind
        #expect(K(curlCode: CURLE_COULDNT_CONNECT, afterHead: false) == .connect)
        #expect(K(curlCode: CURLE_COULDNT_RESOLVE_HOST, afterHead: false) == .connect)
        // A connection was made and upstream closed or reset it before answering.
        #expect(K(curlCode: CURLE_RECV_ERROR, afterHead: false) == .closed)
        #expect(K(curlCode: CURLE_SEND_ERROR, afterHead: false) == .closed)
        #expect(K(curlCode: CURLE_RECV_ERROR, afterHead: true) == .protocolError)
        #expect(K(curlCode: CURLE_GOT_NOTHING, afterHead: false) == .closed)
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
        let e = UpstreamError(
            curlCode: CURLE_COULDNT_CONNECT, afterHead: false, detail: "Failed to connect to h port 1")
        #expect(e.kind == .connect)
        #expect(e.message == "Couldn't connect to server: Failed to connect to h port 1")
        #expect(
            UpstreamError(curlCode: CURLE_PARTIAL_FILE, afterHead: true, detail: "").message
                == "Transferred a partial file")
    }
}
