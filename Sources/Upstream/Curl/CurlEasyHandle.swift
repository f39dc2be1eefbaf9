import CCurl

/// One libcurl easy handle and the C memory it lends to curl (error buffer, header list).
///
/// `UpstreamClient` recycles handles between transfers: `reset()` clears every option but keeps
/// what makes the next transfer cheaper (allocations, the handle's own caches). Connections do
/// not live here but in the client's multi handle, so they outlive any one easy handle.
///
/// Threading: owned by one client and used on its loop thread only. Invariant: the header list
/// and error buffer stay allocated for as long as curl may read them (until `reset()` or deinit).
final class CurlEasyHandle {
    /// The `CURL *`.
    let raw: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var headerList: UnsafeMutablePointer<curl_slist>?
    /// The first option curl refused since the last reset, with its code.
    private(set) var firstFailure: (option: CURLoption, code: CURLcode)?

    init?() {
        CurlGlobal.ensureInitialized()
        guard let h = curl_easy_init() else { return nil }
        raw = h
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
    }

    deinit {
        curl_easy_cleanup(raw)
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
    }

    /// Forgets every option, ready for the next transfer. The handle must not be in a multi.
    func reset() {
        curl_easy_reset(raw)
        curl_slist_free_all(headerList)
        headerList = nil
        errorBuffer[0] = 0
        firstFailure = nil
        // curl_easy_reset clears this option too; set it again so every transfer has a message.
        set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
    }

    /// curl's detailed message for the last failure, or "" when it left none.
    var errorMessage: String {
        errorBuffer[Int(CURL_ERROR_SIZE) - 1] = 0
        return String(cString: errorBuffer)
    }

    // MARK: - Typed setopt (curl_easy_setopt is variadic; the shim has one adapter per type)

    func set(_ option: CURLoption, _ value: Int) {
        record(option, ccurl_easy_setopt_long(raw, option, value))
    }

    func set(_ option: CURLoption, _ value: String) {
        // curl copies string options (since 7.17), so the temporary C string may go away.
        record(option, value.withCString { ccurl_easy_setopt_string(raw, option, $0) })
    }

    func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer?) {
        record(option, ccurl_easy_setopt_pointer(raw, option, pointer))
    }

    func set(_ option: CURLoption, offset: Int64) {
        record(option, ccurl_easy_setopt_off_t(raw, option, curl_off_t(offset)))
    }

    func set(_ option: CURLoption, write callback: curl_write_callback) {
        record(option, ccurl_easy_setopt_write_callback(raw, option, callback))
    }

    func set(_ option: CURLoption, read callback: curl_read_callback) {
        record(option, ccurl_easy_setopt_read_callback(raw, option, callback))
    }

    func set(_ option: CURLoption, seek callback: curl_seek_callback) {
        record(option, ccurl_easy_setopt_seek_callback(raw, option, callback))
    }

    func set(_ option: CURLoption, closeSocket callback: curl_closesocket_callback) {
        record(option, ccurl_easy_setopt_closesocket_callback(raw, option, callback))
    }

    func set(_ option: CURLoption, openSocket callback: curl_opensocket_callback) {
        record(option, ccurl_easy_setopt_opensocket_callback(raw, option, callback))
    }

    func set(_ option: CURLoption, sockopt callback: curl_sockopt_callback) {
        record(option, ccurl_easy_setopt_sockopt_callback(raw, option, callback))
    }

    /// Sets CURLOPT_HTTPHEADER to `lines` ("Name: value", "Name;" for an empty value, "Name:" to
    /// suppress a header curl would add). The list lives until the next reset.
    func setHeaderLines(_ lines: [String]) {
        curl_slist_free_all(headerList)
        headerList = nil
        for line in lines {
            guard let appended = line.withCString({ curl_slist_append(headerList, $0) }) else {
                record(CURLOPT_HTTPHEADER, CURLE_OUT_OF_MEMORY)
                return
            }
            headerList = appended
        }
        record(CURLOPT_HTTPHEADER, ccurl_easy_setopt_slist(raw, CURLOPT_HTTPHEADER, headerList))
    }

    private func record(_ option: CURLoption, _ code: CURLcode) {
        if code != CURLE_OK && firstFailure == nil { firstFailure = (option, code) }
    }
}
