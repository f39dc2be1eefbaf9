import EventLoop
import HTTPTypes

/// The server's `HTTPExchange`: one request and its response on an `HTTPConnection`.
///
/// It holds the per-request state (what the responder asked for, what was sent) and forwards
/// the work to its connection, which owns the socket and the buffers. Once the exchange is
/// finished, aborted or its connection closed, it is detached: every call becomes a no-op and
/// the delegate is released (which also breaks the usual exchange ↔ delegate cycle).
///
/// Threading: bound to the connection's loop, like every `HTTPExchange`.
public final class ServerExchange: HTTPExchange {
    public let head: HTTPRequestHead
    public let loop: EventLoop
    public let peer: String
    /// How the request body is framed.
    public let requestFraming: HTTPRequestBodyFraming

    public var delegate: (any HTTPExchangeDelegate)? {
        didSet { if delegate != nil { connection?.exchangeStateChanged() } }
    }

    /// Nil once detached.
    private(set) var connection: HTTPConnection?

    // Request side.
    var bodyPaused = false
    /// The parser reported the end of the request (and, unless the response was already
    /// finished, the delegate was told).
    var requestEnded = false
    /// `Expect: 100-continue` from an HTTP/1.1 client, not answered yet.
    var awaitsContinue: Bool

    // Response side.
    private(set) var headSent = false
    private(set) var responseFinished = false
    private(set) var plan = HTTPResponseSerializer.Plan(framing: .none, closes: false)
    /// Body bytes still owed under `Content-Length` framing.
    private var remainingLength = 0
    /// The responder sent more or fewer bytes than its `Content-Length`: the connection can
    /// not be reused after this response.
    private(set) var framingBroken = false
    /// `sendBody` returned false and `exchangeBecameWritable` is owed.
    var wantsWritable = false

    init(head: HTTPRequestHead, framing: HTTPRequestBodyFraming, connection: HTTPConnection) {
        self.head = head
        self.requestFraming = framing
        self.loop = connection.loop
        self.peer = connection.peer
        self.connection = connection
        self.awaitsContinue =
            head.versionMinor >= 1 && framing != .none
            && head.headers.hasToken("100-continue", in: .expect)
        self.requestEnded = false
    }

    /// True when the parser may deliver request events to the delegate now.
    var wantsRequestEvents: Bool { delegate != nil && !bodyPaused && !requestEnded }

    /// Bytes queued on the connection and not yet written (for tests and diagnostics).
    var pendingWriteBytes: Int { connection?.outbound.count ?? 0 }

    // MARK: - HTTPExchange

    public func pauseRequestBody() {
        guard connection != nil, !responseFinished, !bodyPaused else { return }
        bodyPaused = true
        connection?.exchangeStateChanged()
    }

    public func resumeRequestBody() {
        guard connection != nil, !responseFinished, bodyPaused else { return }
        bodyPaused = false
        connection?.exchangeStateChanged()
    }

    public func sendHead(_ response: HTTPResponseHead) {
        guard let c = connection, !responseFinished, !headSent else { return }
        if response.status < 200 {
            // Interim answers (e.g. 103) go to HTTP/1.1 clients only; 101 would switch
            // protocols, which this server does not do, so it is not sent.
            if response.status != 101 && head.versionMinor >= 1 {
                HTTPResponseSerializer.writeHead(
                    response, plan: HTTPResponseSerializer.plan(response, for: head, mustClose: false),
                    http10Client: false, into: c.outbound)
                c.scheduleFlush()
            }
            return
        }
        let bodyUnread = !requestEnded && requestFraming != .none
        plan = HTTPResponseSerializer.plan(response, for: head, mustClose: c.mustCloseAfterResponse || bodyUnread)
        if case .length(let n) = plan.framing { remainingLength = n }
        headSent = true
        awaitsContinue = false
        HTTPResponseSerializer.writeHead(response, plan: plan, http10Client: head.versionMinor == 0, into: c.outbound)
        c.scheduleFlush()
    }

    @discardableResult
    public func sendBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let c = connection, !responseFinished else { return false }
        if !headSent { sendHead(HTTPResponseHead(status: 200)) }
        switch plan.framing {
        case .none:
            break  // HEAD, 204, 304: a body must not follow; the bytes are dropped by design.
        case .length:
            let n = min(bytes.count, remainingLength)
            if n < bytes.count { framingBroken = true }
            remainingLength -= n
            c.writeBody(UnsafeRawBufferPointer(rebasing: bytes[..<n]), chunked: false)
        case .chunked:
            c.writeBody(bytes, chunked: true)
        case .closeDelimited:
            c.writeBody(bytes, chunked: false)
        }
        let writable = c.isWritable
        if !writable { wantsWritable = true }
        return writable
    }

    public func finish() {
        guard let c = connection, !responseFinished else { return }
        if !headSent {
            // A responder that ends without a head gets an empty 200 rather than a hung client.
            sendHead(HTTPResponseHead(status: 200, headers: ["content-length": "0"]))
        }
        if plan.framing == .chunked { c.outbound.append(HTTPResponseSerializer.lastChunk) }
        if case .length = plan.framing, remainingLength > 0 { framingBroken = true }
        responseFinished = true
        delegate = nil
        c.exchangeFinished(self)
    }

    public func abort() {
        guard let c = connection, !responseFinished else { return }
        responseFinished = true
        delegate = nil
        c.exchangeAborted(self)
    }

    public var isWritable: Bool { !responseFinished && (connection?.isWritable ?? false) }

    // MARK: - Connection side

    /// Cuts the exchange off its connection. Returns the delegate to notify when the response
    /// was not finished (the caller calls `exchangeDidClose` once, after detaching).
    func detach() -> (any HTTPExchangeDelegate)? {
        let d = responseFinished ? nil : delegate
        connection = nil
        delegate = nil
        return d
    }
}
