import EventLoop
@preconcurrency import Glibc
import HTTPTypes
import Logging

/// What one `HTTPServer` keeps on one event loop: the loop's responder, listener, open
/// connections and read scratch buffer.
///
/// Threading: created on any thread, then used only on `loop` (the server reaches it through
/// `loop.execute`). That is why it is `@unchecked Sendable`: the only cross-thread use is
/// handing the reference to the loop.
final class HTTPServerLoopContext: @unchecked Sendable {
    let loop: EventLoop
    let configuration: HTTPServerConfiguration
    let logger: Logger
    let shared: HTTPServerShared
    var responder: (any HTTPResponder)!
    /// Every connection on this loop receives into this buffer and parses in place; only bytes
    /// left over are copied into the connection.
    let readScratch: UnsafeMutableRawBufferPointer
    private(set) var connections: [HTTPConnection] = []
    private var listener: HTTPListener?
    private(set) var draining = false

    static let readScratchSize = 64 * 1024

    init(loop: EventLoop, configuration: HTTPServerConfiguration, logger: Logger, shared: HTTPServerShared) {
        self.loop = loop
        self.configuration = configuration
        self.logger = logger
        self.shared = shared
        readScratch = .allocate(byteCount: Self.readScratchSize, alignment: 16)
    }

    deinit { readScratch.deallocate() }

    // MARK: - Listening

    func startListening(fd: Int32) {
        guard !draining, listener == nil else {
            Glibc.close(fd)
            return
        }
        let l = HTTPListener(fd: fd, context: self)
        listener = l
        loop.register(fd: fd, interest: .read, handler: l)
    }

    func stopListening() {
        listener?.close()
        listener = nil
    }

    /// A new client socket from the listener.
    func accepted(fd: Int32, peer: String) {
        Socket.setNoDelay(fd)
        let admitted = shared.reserveConnection()
        let conn = HTTPConnection(fd: fd, peer: peer, context: self)
        conn.counted = admitted
        conn.slot = connections.count
        connections.append(conn)
        loop.register(fd: fd, interest: .read, handler: conn)
        if draining { conn.mustCloseAfterResponse = true }
        if !admitted {
            var headers = HTTPHeaders()
            headers.add(.retryAfter, "1")
            conn.respondWithProblem(
                ProblemDetails(
                    status: 503, title: "Too many connections",
                    detail:
                        "The server is at its limit of \(configuration.maxConnections) open connections; retry shortly."
                ),
                extraHeaders: headers)
        }
        conn.settle()
    }

    /// Called once by each connection as it closes.
    func connectionClosed(_ conn: HTTPConnection) {
        let i = conn.slot
        if i >= 0 && i < connections.count && connections[i] === conn {
            let last = connections.removeLast()
            if i < connections.count {
                connections[i] = last
                last.slot = i
            }
        }
        conn.slot = -1
        if conn.counted { shared.releaseConnection() }
    }

    // MARK: - Draining

    /// Stops accepting, closes idle connections, and lets the others end after their response.
    /// Connections already waiting in the listen queue are accepted first and served once
    /// (`Connection: close`): closing the listener with them queued would reset them, and their
    /// clients connected before the drain. Only connections that were open before are checked
    /// for idleness: a just-accepted one whose request has not arrived yet gets the header
    /// timeout rather than a close. The listener is closed before any idle connection is, so
    /// a client that sees its idle connection closed cannot connect anew.
    func beginDrain() {
        draining = true
        let open = connections
        listener?.acceptQueued()
        stopListening()
        for conn in open { conn.beginDrain() }
    }

    /// Closes every connection now; unfinished exchanges hear `exchangeDidClose`.
    func closeAll() {
        for conn in connections { conn.close(notify: true) }
    }
}
