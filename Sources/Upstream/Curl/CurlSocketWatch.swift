import EventLoop

/// Watches one of libcurl's sockets on the loop and reports readiness back to the client.
///
/// Threading: loop thread only. The loop holds it while registered; the client's `watches`
/// table holds it until curl stops caring about the socket or closes it. `unowned` is safe: the
/// client unregisters every watch before it goes away.
final class CurlSocketWatch: IOHandler {
    unowned let client: UpstreamClient
    let fd: Int32
    /// curl said CURL_POLL_REMOVE for a pooled connection: the registration is kept (curl will
    /// most likely want the socket again for the next request on it) but events are not curl's.
    var dormant = false

    init(client: UpstreamClient, fd: Int32) {
        self.client = client
        self.fd = fd
    }

    func handleIO(_ events: IOEvents) {
        client.socketReady(fd, events)
    }
}
