import CCurl
import HTTPTypes

/// Turning an `UpstreamRequest` into easy-handle options.
///
/// Method and body: GET and HEAD are curl's own modes; a request with a body is sent in curl's
/// POST mode (Content-Length from the known size, chunked when unknown over HTTP/1.1) with the
/// method word replaced when it is not POST (`QUERY`, `PUT`, `PATCH`…); any other bodyless method
/// replaces the word of a GET. The body always comes through the read callback, so whole and
/// streamed bodies share one path and can both be rewound for a resend.
///
/// Headers go out as given, minus the framing ones curl owns (`Content-Length`,
/// `Transfer-Encoding`) and `Expect` (curl would otherwise wait for 100 Continue). Headers curl
/// would add on its own (`Accept: */*`, a form `Content-Type`, `Expect: 100-continue`) are
/// suppressed when the request does not carry them; `Host` comes from the URL unless given.
extension UpstreamClient {
    /// Sets every option for `transfer` on `easy`. Returns the error to finish the transfer with
    /// when the request cannot be expressed.
    func configure(_ easy: CurlEasyHandle, for transfer: UpstreamTransfer) -> UpstreamError? {
        let request = transfer.request
        let method = request.method.rawValue
        guard HTTPMethod.isValidToken(method) else {
            return UpstreamError(kind: .other, message: "request method is not an HTTP token")
        }
        let context = Unmanaged.passUnretained(transfer).toOpaque()
        let clientContext = Unmanaged.passUnretained(self).toOpaque()

        easy.set(CURLOPT_URL, request.url)
        easy.set(CURLOPT_PROTOCOLS_STR, "http,https")
        easy.set(CURLOPT_PRIVATE, pointer: context)
        easy.set(CURLOPT_NOSIGNAL, 1)
        easy.set(CURLOPT_PROXY, "")
        easy.set(CURLOPT_FOLLOWLOCATION, 0)
        // A proxy forwards the path as the client sent it: curl must not resolve `..` or `.`
        // segments itself (RFC 3986 normalisation is the origin's business).
        easy.set(CURLOPT_PATH_AS_IS, 1)
        easy.set(CURLOPT_HTTP_CONTENT_DECODING, 0)
        easy.set(CURLOPT_TCP_KEEPALIVE, 1)
        easy.set(CURLOPT_CONNECTTIMEOUT_MS, Int(clamping: configuration.connectTimeout.nanosecondsClamped / 1_000_000))
        easy.set(CURLOPT_SSL_VERIFYPEER, 1)
        easy.set(CURLOPT_SSL_VERIFYHOST, 2)
        if let caFile = configuration.caFile { easy.set(CURLOPT_CAINFO, caFile) }
        if let share { easy.set(CURLOPT_SHARE, pointer: share) }
        if configuration.allowHTTP2 {
            easy.set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))
            // Over TLS, wait for a connection being set up to say whether it multiplexes rather
            // than open a second one (for cleartext http:// it cannot, so there is no wait).
            if Self.isHTTPS(request.url) { easy.set(CURLOPT_PIPEWAIT, 1) }
        } else {
            easy.set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1))
        }

        easy.set(CURLOPT_HEADERFUNCTION, write: CurlCallbacks.header)
        easy.set(CURLOPT_HEADERDATA, pointer: context)
        easy.set(CURLOPT_WRITEFUNCTION, write: CurlCallbacks.write)
        easy.set(CURLOPT_WRITEDATA, pointer: context)
        easy.set(CURLOPT_CLOSESOCKETFUNCTION, closeSocket: CurlCallbacks.closeSocket)
        easy.set(CURLOPT_CLOSESOCKETDATA, pointer: clientContext)
        easy.set(CURLOPT_SOCKOPTFUNCTION, sockopt: CurlCallbacks.socketOptions)
        easy.set(CURLOPT_SOCKOPTDATA, pointer: clientContext)
        if let timeout = request.timeout {
            easy.set(CURLOPT_TIMEOUT_MS, Int(clamping: max(timeout.nanosecondsClamped / 1_000_000, 1)))
        }
        if request.addressFilter != nil {
            // The filter runs when a socket is opened; a pooled connection would skip it.
            easy.set(CURLOPT_OPENSOCKETFUNCTION, openSocket: CurlCallbacks.openSocket)
            easy.set(CURLOPT_OPENSOCKETDATA, pointer: context)
            easy.set(CURLOPT_FRESH_CONNECT, 1)
            easy.set(CURLOPT_FORBID_REUSE, 1)
        }

        let body = Self.bodyBuffer(for: request, retainLimit: configuration.bodyHighWater)
        if method == HTTPMethod.head.rawValue {
            easy.set(CURLOPT_NOBODY, 1)
        } else if let body {
            easy.set(CURLOPT_POST, 1)
            easy.set(CURLOPT_POSTFIELDSIZE_LARGE, offset: Int64(body.declaredLength ?? -1))
            easy.set(CURLOPT_READFUNCTION, read: CurlCallbacks.read)
            easy.set(CURLOPT_READDATA, pointer: context)
            easy.set(CURLOPT_SEEKFUNCTION, seek: CurlCallbacks.seek)
            easy.set(CURLOPT_SEEKDATA, pointer: context)
            if method != HTTPMethod.post.rawValue { easy.set(CURLOPT_CUSTOMREQUEST, method) }
            transfer.body = body
        } else {
            easy.set(CURLOPT_HTTPGET, 1)
            if method != HTTPMethod.get.rawValue { easy.set(CURLOPT_CUSTOMREQUEST, method) }
        }

        guard let lines = Self.headerLines(request.headers, hasBody: transfer.body != nil) else {
            return UpstreamError(kind: .other, message: "request header cannot be sent (not a token, or CR/LF/NUL)")
        }
        easy.setHeaderLines(lines)

        if let failure = easy.firstFailure {
            let reason = String(cString: curl_easy_strerror(failure.code))
            return UpstreamError(kind: .other, message: "curl option \(failure.option.rawValue) refused: \(reason)")
        }
        return nil
    }

    /// The body buffer for `request`, or nil when it sends no body. POST, PUT, PATCH and QUERY
    /// without a body still send `Content-Length: 0`: servers may refuse them otherwise (411).
    static func bodyBuffer(for request: UpstreamRequest, retainLimit: Int) -> RequestBodyBuffer? {
        switch request.body {
        case .bytes(let bytes):
            return RequestBodyBuffer(bytes: bytes)
        case .streamed(let length):
            return RequestBodyBuffer(streamedLength: length, retainLimit: retainLimit)
        case .none:
            switch request.method {
            case .post, .put, .patch, .query: return RequestBodyBuffer(bytes: [])
            default: return nil
            }
        }
    }

    /// curl's header list for `headers`, or nil when a field cannot be sent safely.
    static func headerLines(_ headers: HTTPHeaders, hasBody: Bool) -> [String]? {
        var lines: [String] = []
        lines.reserveCapacity(headers.count + 3)
        var hasAccept = false
        var hasContentType = false
        for field in headers where !OutgoingHeaderRules.isEngineOwned(field.name) {
            guard OutgoingHeaderRules.isSendable(field) else { return nil }
            if HTTPHeaderName.accept.matches(field.name) { hasAccept = true }
            if HTTPHeaderName.contentType.matches(field.name) { hasContentType = true }
            // curl's syntax: "Name;" sends an empty field, "Name:" would remove it.
            lines.append(field.value.isEmpty ? "\(field.name);" : "\(field.name): \(field.value)")
        }
        lines.append("Expect:")
        if !hasAccept { lines.append("Accept:") }
        if hasBody && !hasContentType { lines.append("Content-Type:") }
        return lines
    }

    private static func isHTTPS(_ url: String) -> Bool {
        let scheme = url.utf8.prefix(6).map { $0 | 0x20 }
        return scheme.elementsEqual("https:".utf8)
    }
}
