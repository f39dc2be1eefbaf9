import CCurl

/// libcurl's process-wide set-up, run exactly once before the first handle is made.
///
/// `curl_global_init` is not thread-safe and must precede every other curl call. A lazily
/// initialised static gives exactly-once semantics (the runtime guards it with `swift_once`), so
/// any thread may call `ensureInitialized()` at any time. This is Reprise's only global state,
/// and it is never torn down: `curl_global_cleanup` at exit would race with loops still running.
enum CurlGlobal {
    private static let initResult: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

    /// Initialises libcurl if no one has yet. A failure here means the process cannot talk to
    /// upstream at all (no TLS library, no memory), so it stops the process with the reason.
    static func ensureInitialized() {
        let rc = initResult
        precondition(rc == CURLE_OK, "curl_global_init failed: \(String(cString: curl_easy_strerror(rc)))")
    }

    /// True when the linked libcurl can speak HTTP/2 (built with nghttp2).
    static var supportsHTTP2: Bool {
        ensureInitialized()
        guard let info = curl_version_info(CCURL_VERSION_NOW) else { return false }
        return info.pointee.features & CURL_VERSION_HTTP2 != 0
    }

    /// The linked libcurl's version string, for the start-up log line.
    static var version: String {
        ensureInitialized()
        return String(cString: curl_version())
    }
}
