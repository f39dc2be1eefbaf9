import CCurl
import EventLoop
import HTTPTypes

/// One request in flight to upstream: its body going out, its response coming back.
///
/// Made by `UpstreamClient.start`. The delegate hears, in order: `didReceiveHead` once, then
/// `didReceiveBody` zero or more times, then `didFinishWith` exactly once. Nothing the delegate
/// asks for from inside a callback re-enters the engine: resuming, cancelling and unpausing the
/// request body take effect at the end of the current loop tick. After `cancel()` (or any other
/// failure) no head or body callback follows; `didFinishWith` arrives at the end of the tick,
/// never from inside `cancel()` itself.
///
/// The head is upstream's as sent, framing fields included (`Transfer-Encoding`,
/// `Content-Length`), while body bytes arrive de-chunked and never decompressed: the caller
/// decides the framing toward its client. Timing (`startedAt`, `headReceivedAt`, `finishedAt`)
/// is in `EventLoop.now` nanoseconds.
///
/// Two engines carry transfers (`UpstreamClient` picks one per request): libcurl (`easy`), or
/// the native HTTP/1.1 engine for `upstream.url`'s own origin (`native`). The delegate logic
/// (`UpstreamTransfer+Delivery`), pausing and finishing are shared; only the wire differs.
///
/// Threading: bound to its client's loop; every member must be used on that thread. The
/// transfer keeps its delegate alive until it has delivered `didFinishWith`.
public final class UpstreamTransfer {
    /// Where the transfer is in its life. Only moves forward.
    enum Phase {
        /// Handed to its engine (or about to be); callbacks flow.
        case running
        /// Failed or cancelled by Reprise; `pendingError` says why, the engine lets go at the end of the tick.
        case aborting
        /// `didFinishWith` was delivered (or is being); nothing else happens.
        case finished
    }

    public let request: UpstreamRequest
    /// When `start` was called.
    public let startedAt: UInt64
    /// When the final response head arrived.
    public internal(set) var headReceivedAt: UInt64?
    /// When the transfer finished, successfully or not.
    public internal(set) var finishedAt: UInt64?
    /// The HTTP version of the response (`1.1`, `2`), once the head arrived.
    public internal(set) var responseHTTPVersion: String?
    /// Response body bytes the delegate accepted.
    public internal(set) var responseBodyBytes = 0

    let loop: EventLoop
    weak var client: UpstreamClient?
    var delegate: (any UpstreamTransferDelegate)?
    var phase = Phase.running
    var pendingError: UpstreamError?
    /// The easy handle while a curl transfer owns one.
    var easy: CurlEasyHandle?
    /// The native engine's exchange while a native transfer runs (`easy` is nil then).
    var native: NativeExchange?
    /// Set when the client handed the transfer to the native engine (tests check the routing).
    var usesNativeEngine = false
    /// True between curl_multi_add_handle and curl_multi_remove_handle.
    var inMulti = false
    var body: RequestBodyBuffer?
    var headParser = ResponseHeadParser()
    var headDelivered = false
    /// The response side is paused because the delegate returned false.
    var receivePaused = false
    /// The request side is paused because the buffer ran dry before `endBody`.
    var sendPaused = false
    /// `resumeResponse()` was called since the last body delivery.
    var resumeRequested = false
    private var pauseUpdateScheduled = false
    /// The buffer reached the low-water mark since the producer was last told to push more.
    var moreBodyArmed = false
    private var moreBodyNoticeScheduled = false
    /// Last time a byte moved either way (or the transfer was unpaused); drives the idle timeout.
    var lastActivity: UInt64
    let lowWater: Int
    /// Addresses the request's `addressFilter` refused, and let through (to tell a refusal from
    /// a connect failure).
    var refusedAddresses = 0
    var permittedAddresses = 0

    init(client: UpstreamClient, request: UpstreamRequest, delegate: any UpstreamTransferDelegate) {
        self.request = request
        self.loop = client.loop
        self.client = client
        self.delegate = delegate
        self.startedAt = client.loop.now
        self.lastActivity = startedAt
        self.lowWater = max(1, client.configuration.bodyHighWater / 2)
    }

    // MARK: - Public API

    /// Time from `start` to the response head, once it arrived.
    public var timeToHead: Duration? {
        headReceivedAt.map { .nanoseconds(Int64(bitPattern: $0 &- startedAt)) }
    }

    /// True once `didFinishWith` has been delivered.
    public var isFinished: Bool { phase == .finished }

    /// Request-body bytes pushed but not yet taken by the engine. A producer should stop pushing at
    /// `bodyHighWater` and wait for `upstreamTransferWantsMoreBody`.
    public var bufferedBodyBytes: Int { body?.unsent ?? 0 }

    /// Pushes request-body bytes (only for `.streamed` bodies). Pushing past the declared length
    /// fails the transfer (kind `.other`); pushing after the transfer finished is ignored.
    public func appendBody(_ bytes: UnsafeRawBufferPointer) {
        guard phase == .running, body != nil, !bytes.isEmpty else { return }
        guard case .streamed = request.body else {
            assertionFailure("appendBody on a request whose body is not .streamed")
            return
        }
        guard body!.append(bytes) else {
            abort(with: UpstreamError(kind: .other, message: "request body longer than its declared length"))
            return
        }
        if body!.unsent >= lowWater { moreBodyArmed = true }
        if sendPaused { schedulePauseUpdate() }
    }

    public func appendBody(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { appendBody($0) }
    }

    /// Marks the end of a `.streamed` body. Ending short of the declared length fails the
    /// transfer (kind `.other`) rather than leaving upstream waiting for bytes that never come.
    public func endBody() {
        guard phase == .running, body != nil, !body!.isEnded else { return }
        guard body!.end() else {
            abort(with: UpstreamError(kind: .other, message: "request body shorter than its declared length"))
            return
        }
        if sendPaused { schedulePauseUpdate() }
    }

    /// Asks for the response body again after `didReceiveBody` returned false. The bytes that
    /// were refused come first. Safe to call at any time, including from inside a callback.
    public func resumeResponse() {
        guard phase == .running else { return }
        resumeRequested = true
        schedulePauseUpdate()
    }

    /// Stops the transfer. The delegate hears `didFinishWith` (kind `.canceled`) at the end of
    /// the tick, unless the transfer had already finished.
    public func cancel() {
        abort(with: UpstreamError(kind: .canceled, message: "canceled"))
    }

    // MARK: - Internal state changes

    /// Fails the transfer with `error`: callbacks stop at once; the engine lets go at the end of the tick.
    func abort(with error: UpstreamError) {
        guard phase == .running else { return }
        phase = .aborting
        pendingError = error
        loop.deferToEndOfTick { [self] in
            if let client { client.complete(self, error: error) } else { phase = .finished }
        }
    }

    /// Collapses any number of resume/append calls in one tick into one engine update
    /// (`curl_easy_pause`, or the native exchange's resume).
    private func schedulePauseUpdate() {
        guard !pauseUpdateScheduled else { return }
        pauseUpdateScheduled = true
        loop.deferToEndOfTick { [self] in
            pauseUpdateScheduled = false
            client?.applyPauseState(of: self)
        }
    }

    /// Tells the producer to push more, outside the engine's body read.
    func scheduleMoreBodyNotice() {
        guard !moreBodyNoticeScheduled else { return }
        moreBodyNoticeScheduled = true
        loop.deferToEndOfTick { [self] in
            moreBodyNoticeScheduled = false
            guard phase == .running else { return }
            delegate?.upstreamTransferWantsMoreBody(self)
        }
    }

    /// What can be resumed now (nil: nothing changes). Updates the flags as if it were done.
    func takePauseChange() -> (resumeReceive: Bool, resumeSend: Bool)? {
        let resumeReceive = receivePaused && resumeRequested
        resumeRequested = false
        let resumeSend = sendPaused && body.map { $0.unsent > 0 || $0.isEnded } == true
        guard resumeReceive || resumeSend else { return nil }
        if resumeReceive { receivePaused = false }
        if resumeSend { sendPaused = false }
        lastActivity = loop.now
        return (resumeReceive, resumeSend)
    }

    /// True when no byte moved for `limit` nanoseconds while the engine, not Reprise, was in charge.
    /// A transfer paused on our side (slow client, body not pushed yet) never idles out.
    func isIdle(now: UInt64, limit: UInt64) -> Bool {
        phase == .running && !receivePaused && !sendPaused && now &- lastActivity >= limit
    }
}

@available(*, unavailable)
extension UpstreamTransfer: Sendable {}
