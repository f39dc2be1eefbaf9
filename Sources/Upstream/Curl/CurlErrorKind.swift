import CCurl

extension UpstreamError.Kind {
    /// The bounded kind for a transfer that curl ended with `code`.
    ///
    /// `afterHead` says whether the final response head had arrived: a connection that upstream
    /// closes or resets before any response is `closed` (curl reports those only on a connection
    /// it made: a refused one is `CURLE_COULDNT_CONNECT`); the same failure after the head is a
    /// broken response.
    init(curlCode code: CURLcode, afterHead: Bool) {
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT:
            self = .connect
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_SEND_FAIL_REWIND:
            self = afterHead ? .protocolError : .closed
        case CURLE_OPERATION_TIMEDOUT:
            self = .timeout
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
            CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CRL_BADFILE, CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CLIENTCERT,
            CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED, CURLE_USE_SSL_FAILED:
            self = .tls
        case CURLE_PARTIAL_FILE, CURLE_WEIRD_SERVER_REPLY, CURLE_HTTP2, CURLE_HTTP2_STREAM, CURLE_HTTP3,
            CURLE_BAD_CONTENT_ENCODING, CURLE_UNSUPPORTED_PROTOCOL:
            self = .protocolError
        default:
            self = .other
        }
    }
}

extension UpstreamError {
    /// The error for a transfer curl ended with `code`, with curl's detailed message when it left
    /// one (it names host and port at most, never the path or the request's headers).
    init(curlCode code: CURLcode, afterHead: Bool, detail: String) {
        let summary = String(cString: curl_easy_strerror(code))
        self.init(
            kind: Kind(curlCode: code, afterHead: afterHead),
            message: detail.isEmpty ? summary : "\(summary): \(detail)")
    }
}
