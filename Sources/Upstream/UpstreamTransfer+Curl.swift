import CCurl
import HTTPTypes

/// libcurl's per-transfer callbacks. They run on the loop thread, inside a curl call made by the
/// client (`curl_multi_socket_action` or `curl_easy_pause`), so they never call back into curl:
/// they only move bytes, flip flags and tell the delegate. Once the transfer is no longer
/// running, every callback answers with curl's abort code so that curl lets go of it.
extension UpstreamTransfer {
    /// CURLOPT_HEADERFUNCTION: header bytes of every response block, trailers included.
    func curlHeader(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard phase == .running else { return 0 }
        lastActivity = loop.now
        if headDelivered { return bytes.count }  // trailers: not relayed
        switch headParser.feed(bytes) {
        case .needMore:
            return bytes.count
        case .invalid(let reason):
            abort(with: UpstreamError(kind: .protocolError, message: reason))
            return 0
        case .head(let head):
            deliverHead(head, version: headParser.version)
            return phase == .running ? bytes.count : 0
        }
    }

    /// CURLOPT_WRITEFUNCTION: response body bytes, already de-chunked, never decompressed.
    func curlWrite(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard phase == .running else { return 0 }
        guard headDelivered else {
            abort(with: UpstreamError(kind: .protocolError, message: "response body before its head"))
            return 0
        }
        switch offerBody(bytes) {
        case .accepted: return bytes.count
        // curl keeps these bytes and offers them again once unpaused.
        case .refused: return CCURL_WRITEFUNC_PAUSE
        case .stopped: return 0
        }
    }

    /// CURLOPT_READFUNCTION: request body bytes out of the buffer, or a pause when it is dry.
    func curlRead(into destination: UnsafeMutableRawPointer, capacity: Int) -> Int {
        guard phase == .running else { return CCURL_READFUNC_ABORT }
        guard body != nil else { return 0 }
        let n = takeBody(into: destination, capacity: capacity)
        if n > 0 { return n }
        if body!.isEnded { return 0 }
        sendPaused = true
        return CCURL_READFUNC_PAUSE
    }

    /// CURLOPT_SEEKFUNCTION: curl resends the request (dead pooled connection, refused HTTP/2
    /// stream) and needs the body from `offset` again.
    func curlSeek(offset: Int64, origin: Int32) -> Int32 {
        guard phase == .running, body != nil, origin == SEEK_SET, let target = Int(exactly: offset),
            body!.rewind(to: target)
        else { return CURL_SEEKFUNC_CANTSEEK }
        return CURL_SEEKFUNC_OK
    }

    /// The error to report for a transfer curl ended with `code`.
    func completionError(curlCode code: CURLcode) -> UpstreamError? {
        if let pendingError { return pendingError }
        if code == CURLE_OK {
            if headDelivered { return nil }
            return UpstreamError(kind: .protocolError, message: "response ended before its head")
        }
        if code == CURLE_COULDNT_CONNECT && refusedAddresses > 0 && permittedAddresses == 0 {
            return UpstreamError(kind: .refused, message: "every address of the host was refused by the address filter")
        }
        return UpstreamError(curlCode: code, afterHead: headDelivered, detail: easy?.errorMessage ?? "")
    }
}
