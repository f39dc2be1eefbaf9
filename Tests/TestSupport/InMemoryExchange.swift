import EventLoop
import HTTPServer
import HTTPTypes

/// An `HTTPExchange` with no socket, for driving responders in unit tests.
///
/// It records what the responder sends (head, body bytes, finish or abort), lets the test feed
/// the request body (`pushBody`, `endBody`), play a slow client (`isWritable = false`, then
/// `becomeWritable()`) and a client that goes away (`disconnect()`). Like the real server, it
/// holds body events until the responder sets `delegate`, then delivers them at the end of the
/// current loop tick; after `finish()`/`abort()`/`disconnect()` the delegate hears nothing.
///
/// Threading: it belongs to `loop` like a real exchange; call everything on the loop thread.
/// Tests reach it through `loop.execute` or the `wait`/`onLoop` helpers, which hop there and
/// back. `@unchecked Sendable` only so that it can be captured by those hops; the loop is the
/// only thread that touches its state.
public final class InMemoryExchange: HTTPExchange, @unchecked Sendable {
    public let head: HTTPRequestHead
    public let loop: EventLoop
    public let peer = "in-memory"
    public var delegate: (any HTTPExchangeDelegate)? {
        didSet {
            if oldValue == nil && delegate != nil && !pending.isEmpty { scheduleFlush() }
        }
    }

    // What the responder did.
    public private(set) var responseHead: HTTPResponseHead?
    public private(set) var responseBody: [UInt8] = []
    public private(set) var isFinished = false
    public private(set) var isAborted = false
    public private(set) var isRequestBodyPaused = false
    /// Number of `sendBody` calls (SSE tests count events through it).
    public private(set) var sendBodyCount = 0
    /// Bytes passed to `sendBody` while not writable (what a real connection would queue).
    public private(set) var bytesSentWhileUnwritable = 0

    /// What `sendBody` returns; set false to play a client that stopped reading.
    public var isWritable = true
    /// True once the client side is gone (`disconnect()`), or the exchange ended.
    public var isClosed: Bool { disconnected || isFinished || isAborted }

    private enum BodyEvent {
        case bytes([UInt8])
        case end
    }

    private var pending: [BodyEvent] = []
    private var flushScheduled = false
    private var disconnected = false
    private var observers: [() -> Void] = []

    public init(loop: EventLoop, head: HTTPRequestHead) {
        self.loop = loop
        self.head = head
    }

    /// Convenience: a request with `method`, `target`, headers, and a whole body (delivered
    /// then ended once the responder sets its delegate; `nil` ends the body at once).
    public convenience init(
        loop: EventLoop, method: HTTPMethod, target: String, headers: HTTPHeaders = HTTPHeaders(),
        body: [UInt8]? = nil
    ) {
        var h = headers
        if let b = body, !h.contains(.contentLength) { h.add(.contentLength, String(b.count)) }
        self.init(loop: loop, head: HTTPRequestHead(method: method, target: target, headers: h))
        if let b = body, !b.isEmpty { pending.append(.bytes(b)) }
        pending.append(.end)
    }

    /// Hands the exchange to `responder` (on the loop), as the server does when a head is
    /// complete.
    public func start(_ responder: any HTTPResponder) {
        responder.handle(self)
    }

    // MARK: - Driving the request side (loop thread)

    public func pushBody(_ bytes: [UInt8]) {
        pending.append(.bytes(bytes))
        if delegate != nil { scheduleFlush() }
    }

    public func endBody() {
        pending.append(.end)
        if delegate != nil { scheduleFlush() }
    }

    /// The client drained its buffer: `isWritable` becomes true and the delegate hears it.
    public func becomeWritable() {
        isWritable = true
        guard !isClosed else { return }
        delegate?.exchangeBecameWritable(self)
        changed()
    }

    /// The client went away before the end of the response.
    public func disconnect() {
        guard !isClosed else { return }
        disconnected = true
        let d = delegate
        delegate = nil
        d?.exchangeDidClose(self)
        changed()
    }

    /// Response body as UTF-8 text.
    public var responseText: String { String(decoding: responseBody, as: UTF8.self) }

    // MARK: - HTTPExchange

    public func pauseRequestBody() { isRequestBodyPaused = true }

    public func resumeRequestBody() {
        isRequestBodyPaused = false
        if delegate != nil && !pending.isEmpty { scheduleFlush() }
    }

    public func sendHead(_ head: HTTPResponseHead) {
        guard !isClosed else { return }
        precondition(responseHead == nil, "sendHead called twice")
        responseHead = head
        changed()
    }

    @discardableResult
    public func sendBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard !isClosed else { return false }
        precondition(responseHead != nil, "sendBody before sendHead")
        responseBody.append(contentsOf: bytes)
        sendBodyCount += 1
        if !isWritable { bytesSentWhileUnwritable += bytes.count }
        changed()
        return isWritable
    }

    public func finish() {
        guard !isClosed else { return }
        precondition(responseHead != nil, "finish before sendHead")
        isFinished = true
        delegate = nil
        changed()
    }

    public func abort() {
        guard !isClosed else { return }
        isAborted = true
        delegate = nil
        changed()
    }

    // MARK: - Waiting (from a test)

    /// Waits until `condition` holds, checking it on the loop at once and after every change of
    /// this exchange (head, body, end, writability, disconnect) — so the condition should be
    /// about the exchange; read other state with `onLoop`. While waiting, the timeout is a live
    /// loop timer. Returns false when `timeout` passes first (a generous limit, not a timing).
    public func wait(
        timeout: Duration = .seconds(10), until condition: @escaping @Sendable (InMemoryExchange) -> Bool
    ) async -> Bool {
        await withCheckedContinuation { (c: CheckedContinuation<Bool, Never>) in
            loop.execute { [self] in
                var resumed = false
                var timer: TimerHandle?
                let check = { [self] in
                    guard !resumed, condition(self) else { return }
                    resumed = true
                    if let t = timer { loop.cancel(t) }
                    c.resume(returning: true)
                }
                check()
                guard !resumed else { return }
                observers.append(check)
                timer = loop.schedule(after: timeout) {
                    guard !resumed else { return }
                    resumed = true
                    c.resume(returning: false)
                }
            }
        }
    }

    /// Waits until the response has ended (finished or aborted).
    public func waitUntilDone(timeout: Duration = .seconds(10)) async -> Bool {
        await wait(timeout: timeout) { $0.isFinished || $0.isAborted }
    }

    /// Runs `body` on the loop with this exchange and returns its result.
    public func onLoop<T: Sendable>(_ body: @escaping @Sendable (InMemoryExchange) -> T) async -> T {
        await withCheckedContinuation { (c: CheckedContinuation<T, Never>) in
            loop.execute { [self] in c.resume(returning: body(self)) }
        }
    }

    // MARK: - Private

    private func scheduleFlush() {
        guard !flushScheduled else { return }
        flushScheduled = true
        loop.deferToEndOfTick { [self] in
            flushScheduled = false
            flush()
        }
    }

    private func flush() {
        while !pending.isEmpty, !isRequestBodyPaused, !isClosed, let d = delegate {
            let e = pending.removeFirst()
            switch e {
            case .bytes(let b): b.withUnsafeBytes { d.exchange(self, didReceiveBody: $0) }
            case .end: d.exchangeDidEndRequestBody(self)
            }
        }
    }

    private func changed() {
        let current = observers
        for o in current { o() }
    }
}
