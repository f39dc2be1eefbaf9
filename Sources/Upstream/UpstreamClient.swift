import CCurl
import EventLoop
import Logging

/// Reprise's HTTP client toward upstream: libcurl's multi *socket* interface, driven by one
/// `EventLoop` (curl's sockets are watched by the loop's epoll, curl's timeout is a loop timer),
/// plus a native HTTP/1.1 engine (`Native/`) for the one origin `configuration.nativeOrigin`
/// names. A request goes native when its URL is on that origin and it has no `addressFilter`;
/// everything else (other hosts, HTTP/2, TLS, filtered webhooks) goes to curl. Both engines
/// drive the same `UpstreamTransfer`, so delegates cannot tell them apart.
///
/// One client per loop. Connections stay open in the multi handle's pool between transfers
/// (`maxIdleConnections`), HTTP/2 is offered over TLS and multiplexed, TLS peers are always
/// verified, no proxy is taken from the environment, redirects are relayed rather than followed,
/// and response bodies are relayed as received (no `Accept-Encoding` of curl's own, no decoding).
///
/// Threading: everything, including `init` and `deinit`, happens on the loop's thread. libcurl
/// calls back only from inside calls the client makes (`curl_multi_socket_action`,
/// `curl_easy_pause`, add/remove), so its callbacks run on that thread too. Never nested: no
/// curl call is made from inside a curl callback (`curlDepth` guards it); work requested there is
/// deferred to the end of the tick, and easy handles are only removed and recycled outside them.
///
/// Drop the client on its loop, after `shutdown()`, and never from inside one of its delegates'
/// callbacks. Dropped without `shutdown()`, it lets go of curl without telling any delegate.
///
/// Invariants: every running transfer is in `transfers` (which keeps it alive for the unretained
/// pointers curl holds); `watches` maps each socket curl asked to watch to its loop registration.
public final class UpstreamClient {
    public let loop: EventLoop
    public let configuration: UpstreamClientConfiguration
    let logger: Logger

    /// `CURLM *`; nil once `shutdown` has released it.
    var multi: UnsafeMutableRawPointer?
    /// `CURLSH *` sharing TLS sessions between this client's easy handles (single thread: no locks).
    var share: UnsafeMutableRawPointer?
    var transfers: [ObjectIdentifier: UpstreamTransfer] = [:]
    var watches: [Int32: CurlSocketWatch] = [:]
    /// Sockets curl opened through CURLOPT_SOCKOPTFUNCTION and has not closed yet (connections;
    /// they close through CURLOPT_CLOSESOCKETFUNCTION).
    var connectionSockets: Set<Int32> = []
    private var spareHandles: [CurlEasyHandle] = []
    /// How deep we are inside curl calls (callbacks run at depth > 0).
    var curlDepth = 0
    var curlTimer: TimerHandle?
    var curlTimerGeneration: UInt64 = 0
    private var sweepTimer: TimerHandle?
    private var isShutDown = false
    /// The native engine's connections, when `configuration.nativeOrigin` is one it can serve.
    let nativePool: NativePool?

    /// Easy handles kept for reuse; beyond this they are freed.
    private static let maxSpareHandles = 32

    public init(loop: EventLoop, configuration: UpstreamClientConfiguration, logger: Logger) {
        CurlGlobal.ensureInitialized()
        self.loop = loop
        self.configuration = configuration
        self.logger = logger
        nativePool = Self.makeNativePool(loop: loop, configuration: configuration, logger: logger)
        guard let m = curl_multi_init() else { preconditionFailure("curl_multi_init: out of memory") }
        multi = m
        share = curl_share_init()
        if let share {
            _ = ccurl_share_setopt_long(share, CURLSHOPT_SHARE, Int(CURL_LOCK_DATA_SSL_SESSION.rawValue))
        }
        let context = Unmanaged.passUnretained(self).toOpaque()
        _ = ccurl_multi_setopt_socket_callback(m, CURLMOPT_SOCKETFUNCTION, CurlCallbacks.socket)
        _ = ccurl_multi_setopt_pointer(m, CURLMOPT_SOCKETDATA, context)
        _ = ccurl_multi_setopt_timer_callback(m, CURLMOPT_TIMERFUNCTION, CurlCallbacks.timer)
        _ = ccurl_multi_setopt_pointer(m, CURLMOPT_TIMERDATA, context)
        _ = ccurl_multi_setopt_long(m, CURLMOPT_MAXCONNECTS, max(1, configuration.maxIdleConnections))
        _ = ccurl_multi_setopt_long(m, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX)
        if configuration.allowHTTP2 && !CurlGlobal.supportsHTTP2 {
            logger.warn("libcurl has no HTTP/2 support; upstream will be spoken to over HTTP/1.1")
        }
        logger.debug("upstream client ready", ["curl": .string(CurlGlobal.version), "loop": .int(loop.index)])
    }

    deinit {
        // Normally `shutdown` ran first. If not, let go of curl without telling delegates:
        // nothing may call out of a deinit.
        for t in transfers.values {
            t.native?.end(clean: false)
            t.native = nil
            if let easy = t.easy, t.inMulti, let multi { _ = curl_multi_remove_handle(multi, easy.raw) }
            t.inMulti = false
            t.easy = nil
            t.phase = .finished
            t.delegate = nil
        }
        transfers.removeAll()
        releaseCurl()
    }

    // MARK: - Public API

    /// Transfers started and not yet finished.
    public var activeTransfers: Int { transfers.count }

    /// Starts sending `request`; events go to `delegate` on this loop. Never fails synchronously:
    /// a request that cannot be sent finishes with an error at the end of the tick.
    public func start(_ request: UpstreamRequest, delegate: any UpstreamTransferDelegate) -> UpstreamTransfer {
        assert(loop.inEventLoop, "UpstreamClient used off its loop thread")
        let transfer = UpstreamTransfer(client: self, request: request, delegate: delegate)
        transfers[ObjectIdentifier(transfer)] = transfer
        armSweep()
        guard !isShutDown, multi != nil else {
            transfer.abort(with: UpstreamError(kind: .canceled, message: "upstream client shut down"))
            return transfer
        }
        if let nativePool, request.addressFilter == nil, let target = nativePool.origin.target(of: request.url) {
            startNative(transfer, target: target, pool: nativePool)
            return transfer
        }
        guard let easy = takeEasyHandle() else {
            transfer.abort(with: UpstreamError(kind: .other, message: "curl_easy_init failed"))
            return transfer
        }
        transfer.easy = easy
        if let failure = configure(easy, for: transfer) {
            transfer.abort(with: failure)
            return transfer
        }
        if curlDepth > 0 {
            loop.deferToEndOfTick { [self] in addToMulti(transfer) }
        } else {
            addToMulti(transfer)
        }
        return transfer
    }

    /// Cancels every transfer (delegates hear `.canceled` at the end of the tick), then closes
    /// pooled connections and frees curl's handles. Later `start` calls finish as `.canceled`.
    public func shutdown() {
        assert(loop.inEventLoop, "UpstreamClient used off its loop thread")
        guard !isShutDown else { return }
        isShutDown = true
        for t in Array(transfers.values) {
            t.abort(with: UpstreamError(kind: .canceled, message: "upstream client shut down"))
        }
        // Deferred work runs in order: the cancellations above complete before this.
        loop.deferToEndOfTick { [self] in releaseCurl() }
    }

    // MARK: - Transfer life cycle

    private func addToMulti(_ transfer: UpstreamTransfer) {
        guard transfer.phase == .running, let multi, let easy = transfer.easy else { return }
        let rc = withCurl { curl_multi_add_handle(multi, easy.raw) }
        guard rc == CURLM_OK else {
            transfer.abort(
                with: UpstreamError(
                    kind: .other, message: "curl_multi_add_handle: \(String(cString: curl_multi_strerror(rc)))"))
            return
        }
        transfer.inMulti = true
    }

    /// Finishes `transfer` exactly once: detaches and recycles its easy handle (or lets its
    /// native exchange pool or close its connection), then tells the delegate. Never called from
    /// inside a curl callback.
    func complete(_ transfer: UpstreamTransfer, error: UpstreamError?) {
        guard transfer.phase != .finished else { return }
        precondition(curlDepth == 0, "transfer completed from inside a curl callback")
        transfer.phase = .finished
        transfer.finishedAt = loop.now
        if let native = transfer.native {
            transfer.native = nil
            native.end(clean: error == nil)
        }
        if let easy = transfer.easy {
            transfer.easy = nil
            if transfer.inMulti, let multi {
                _ = withCurl { curl_multi_remove_handle(multi, easy.raw) }
            }
            transfer.inMulti = false
            recycle(easy)
        }
        transfer.body = nil
        transfers.removeValue(forKey: ObjectIdentifier(transfer))
        let delegate = transfer.delegate
        transfer.delegate = nil
        delegate?.upstreamTransfer(transfer, didFinishWith: error)
    }

    /// Reads curl's completion messages; call after every curl call that may finish transfers.
    func drainCompletions() {
        var queued: Int32 = 0
        while let multi, let message = curl_multi_info_read(multi, &queued) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            let code = message.pointee.data.result
            var context: UnsafeMutableRawPointer?
            _ = ccurl_easy_getinfo_pointer(easy, CURLINFO_PRIVATE, &context)
            guard let context else { continue }
            // Safe: a transfer stays in `transfers` for as long as its handle is in the multi.
            let transfer = Unmanaged<UpstreamTransfer>.fromOpaque(context).takeUnretainedValue()
            complete(transfer, error: transfer.completionError(curlCode: code))
        }
    }

    /// Unpauses what `transfer` can take again (deferred from `resumeResponse`/`appendBody`).
    func applyPauseState(of transfer: UpstreamTransfer) {
        if let native = transfer.native {
            native.applyPauseState()
            return
        }
        guard transfer.phase == .running, transfer.inMulti, let easy = transfer.easy,
            transfer.takePauseChange() != nil
        else { return }
        let mask = (transfer.receivePaused ? CURLPAUSE_RECV : 0) | (transfer.sendPaused ? CURLPAUSE_SEND : 0)
        // May call the write or read callback right here with the bytes curl held back.
        let rc = withCurl { curl_easy_pause(easy.raw, mask) }
        if rc != CURLE_OK {
            transfer.abort(with: UpstreamError(curlCode: rc, afterHead: transfer.headDelivered, detail: ""))
        }
        drainCompletions()
    }

    /// Runs a curl call, marking that callbacks may now run.
    @inline(__always)
    func withCurl<T>(_ body: () -> T) -> T {
        curlDepth += 1
        defer { curlDepth -= 1 }
        return body()
    }

    // MARK: - Easy handles

    private func takeEasyHandle() -> CurlEasyHandle? {
        if let spare = spareHandles.popLast() { return spare }
        return CurlEasyHandle()
    }

    private func recycle(_ easy: CurlEasyHandle) {
        guard spareHandles.count < Self.maxSpareHandles, multi != nil else { return }
        easy.reset()
        spareHandles.append(easy)
    }

    // MARK: - Idle timeout

    /// One timer per client checks every transfer a few times per `idleTimeout`, so that
    /// progress costs a clock read in the callbacks rather than a timer re-arm per chunk.
    private func armSweep() {
        guard sweepTimer == nil else { return }
        let idle = configuration.idleTimeout.nanosecondsClamped
        let period = min(max(idle / 4, 10_000_000), 1_000_000_000)
        sweepTimer = loop.schedule(after: .nanoseconds(Int64(period))) { [weak self] in self?.sweepIdle() }
    }

    private func sweepIdle() {
        sweepTimer = nil
        let limit = configuration.idleTimeout.nanosecondsClamped
        let now = loop.now
        for t in Array(transfers.values) where t.isIdle(now: now, limit: limit) {
            let ms = limit / 1_000_000
            complete(t, error: UpstreamError(kind: .timeout, message: "no data moved for \(ms) ms"))
        }
        if !transfers.isEmpty { armSweep() }
    }

    // MARK: - Teardown

    /// Frees every curl handle (pooled connections close through the close-socket callback) and
    /// closes the native engine's connections.
    private func releaseCurl() {
        for t in Array(transfers.values) {
            complete(t, error: UpstreamError(kind: .canceled, message: "upstream client shut down"))
        }
        spareHandles.removeAll()
        if let multi {
            _ = withCurl { curl_multi_cleanup(multi) }
            self.multi = nil
        }
        if let share {
            _ = curl_share_cleanup(share)
            self.share = nil
        }
        if let curlTimer { loop.cancel(curlTimer) }
        if let sweepTimer { loop.cancel(sweepTimer) }
        curlTimer = nil
        sweepTimer = nil
        for fd in Array(watches.keys) { forgetSocket(fd) }
        nativePool?.closeAll()
    }
}

@available(*, unavailable)
extension UpstreamClient: Sendable {}
