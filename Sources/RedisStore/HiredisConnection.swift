import CHiredis
import EventLoop

/// What a `HiredisConnection` tells its owner. Called on the loop thread.
protocol HiredisConnectionDelegate: AnyObject {
    /// The connection failed or was lost; hiredis is freeing the context. Called at most once,
    /// and never after the owner called `close()`.
    func connection(_ connection: HiredisConnection, didCloseWith error: RedisError)
    /// A reply arrived for a command that had already timed out, and was dropped.
    func connectionDidDiscardLateReply(_ connection: HiredisConnection)
}

/// One hiredis async context (one TCP connection attempt) driven by an `EventLoop`: the adapter
/// hiredis' `addRead/delRead/addWrite/delWrite/cleanup` hooks map to `register`/`setInterest`/
/// `unregister`, readable events call `redisAsyncHandleRead`, writable ones
/// `redisAsyncHandleWrite`.
///
/// One refinement: once connected, a request to write (a new command) does not arm EPOLLOUT but
/// flushes at the end of the loop tick, since the socket is almost always writable. Every
/// command sent in the tick leaves in one `write`, without two `epoll_ctl` calls and a loop
/// iteration per batch. Only when hiredis cannot write everything does it get real EPOLLOUT.
/// (Before the connect completes EPOLLOUT is always used: hiredis detects the connect's outcome
/// on the first writable event, and calling it earlier would mark it connected too soon.)
///
/// Ownership follows hiredis 0.14 exactly: hiredis frees the context itself when the connection
/// fails (after `onConnect(REDIS_ERR)`, or on a read/write/protocol error), running every pending
/// reply callback with a NULL reply, then the `cleanup` hook, then `onDisconnect`. The `cleanup`
/// hook is the last point the context may be touched, so it clears `context`. This class frees
/// the context only in `close()` or when the server has gone silent, and never from inside a
/// hiredis entry point (a reply, connect or disconnect callback): there the free is deferred to
/// the end of the loop tick.
///
/// Every command registers the same `privdata` (this object, unretained) and its completion goes
/// into a FIFO mirroring hiredis' own callback list, so the reply callback pops the head. The
/// object outlives the context: the loop holds it while its descriptor is registered, and every
/// frame that can make hiredis call back (an I/O event, the timeout timer, a deferred flush or
/// free, the owner's `close()`) holds a strong reference for its duration.
///
/// Threading: loop thread only, like the context it owns.
final class HiredisConnection: IOHandler {
    typealias Completion = PendingCommandQueue.Completion

    /// The owner's connection attempt number: identifies this connection in the owner's closures.
    let attempt: UInt64
    let loop: EventLoop
    weak var delegate: (any HiredisConnectionDelegate)?

    /// Nil once hiredis has freed the context (set in the `cleanup` hook).
    private var context: UnsafeMutablePointer<redisAsyncContext>?
    private let fd: Int32
    private var registered = false
    private var interest: IOInterest = []
    private var pending = PendingCommandQueue()
    private var timer: TimerHandle?
    private let unresponsiveNanos: UInt64
    /// > 0 while a hiredis entry point that can run callbacks is on the stack.
    private var hiredisDepth = 0
    private var freeDeferred = false
    /// True inside `redisAsyncHandleWrite`: a write request then means the socket is full.
    private var writing = false
    private var flushScheduled = false

    /// hiredis reported the TCP connection established.
    private(set) var isConnected = false
    /// Closed by the owner or reported lost: takes no commands and tells the delegate nothing more.
    private(set) var isClosed = false

    /// Commands sent and not yet answered by the server (timed-out ones included).
    var pendingCount: Int { pending.count }

    /// Starts a non-blocking connect to `host:port`. Fails at once when hiredis does (name not
    /// resolved, immediate refusal); otherwise the outcome arrives through the delegate.
    static func open(
        attempt: UInt64, host: String, port: Int, loop: EventLoop, unresponsiveTimeout: Duration
    ) -> Result<HiredisConnection, RedisError> {
        guard let ac = host.withCString({ redisAsyncConnect($0, Int32(port)) }) else {
            return .failure(RedisError(.connectFailed, detail: "hiredis could not allocate a context"))
        }
        if chiredis_context_err(ac) != 0 {
            let detail = String(cString: chiredis_context_errstr(ac))
            redisAsyncFree(ac)  // no adapter, no callbacks yet: frees at once
            return .failure(RedisError(.connectFailed, detail: detail))
        }
        let connection = HiredisConnection(
            attempt: attempt, loop: loop, context: ac, unresponsiveTimeout: unresponsiveTimeout)
        chiredis_set_adapter(
            ac, Unmanaged.passUnretained(connection).toOpaque(),
            hiredisAddRead, hiredisDelRead, hiredisAddWrite, hiredisDelWrite, hiredisCleanup)
        // Setting the connect callback arms the write event that detects the connect's outcome,
        // so it must come after the adapter.
        redisAsyncSetConnectCallback(ac, hiredisOnConnect)
        redisAsyncSetDisconnectCallback(ac, hiredisOnDisconnect)
        return .success(connection)
    }

    private init(
        attempt: UInt64, loop: EventLoop, context: UnsafeMutablePointer<redisAsyncContext>,
        unresponsiveTimeout: Duration
    ) {
        self.attempt = attempt
        self.loop = loop
        self.context = context
        self.fd = chiredis_async_fd(context)
        self.unresponsiveNanos = unresponsiveTimeout.nanosecondsClamped
    }

    deinit {
        assert(context == nil, "HiredisConnection released with a live redisAsyncContext")
    }

    // MARK: - Commands

    /// Queues `command` (written on the next writable event, so commands sent in one tick go
    /// out together). False when the connection takes no more commands; `completion` is then
    /// not retained. Otherwise `completion` runs exactly once: reply, timeout at `deadline`
    /// (`UInt64.max`: none), or `connectionLost`.
    func send(
        _ command: [RedisArgument], deadline: UInt64, argv: CommandArgv, completion: @escaping Completion
    ) -> Bool {
        guard let ac = context, !isClosed else { return false }
        let privdata = Unmanaged.passUnretained(self).toOpaque()
        let rc = argv.withArgv(command) { argc, pointers, lengths in
            redisAsyncCommandArgv(ac, hiredisOnReply, privdata, argc, pointers, lengths)
        }
        guard rc == REDIS_OK else { return false }
        pending.append(completion, deadline: deadline)
        armTimer()
        return true
    }

    /// Closes the connection: every command still pending fails with `connectionLost` (at the
    /// end of the tick when called from inside a callback). The delegate hears nothing more.
    func close() {
        isClosed = true
        disarmTimer()
        free()
    }

    private func free() {
        guard let ac = context else { return }
        if hiredisDepth > 0 {
            // Freeing here would pull the context from under the hiredis frame that called us.
            if !freeDeferred {
                freeDeferred = true
                loop.deferToEndOfTick { [self] in
                    freeDeferred = false
                    free()
                }
            }
            return
        }
        hiredisDepth += 1
        redisAsyncFree(ac)
        hiredisDepth -= 1
    }

    // MARK: - Timeouts

    private func armTimer() {
        guard timer == nil, !isClosed else { return }
        var wake = pending.nextDeadline()
        if let oldest = pending.oldestDeadline {
            let limit = oldest.addingReportingOverflow(unresponsiveNanos)
            let presumedDead = limit.overflow ? UInt64.max : limit.partialValue
            wake = min(wake ?? presumedDead, presumedDead)
        }
        guard let wake, wake != .max else { return }
        // Strong capture: every way out (close, loss, cleanup) cancels the timer first.
        timer = loop.schedule(atNanoseconds: wake) { [self] in timerFired() }
    }

    private func disarmTimer() {
        if let t = timer {
            loop.cancel(t)
            timer = nil
        }
    }

    private func timerFired() {
        timer = nil
        guard !isClosed else { return }
        let now = loop.now
        while let completion = pending.takeExpired(now: now) {
            completion(.failure(.timeout))
        }
        if !isClosed, let oldest = pending.oldestDeadline, oldest &+ unresponsiveNanos <= now {
            // The server has been silent for far longer than any command may take: a peer that
            // vanished without a reset. Replace the connection rather than wait for TCP to notice.
            lost(RedisError(.connectionLost, detail: "no reply from the server"))
            free()
            return
        }
        armTimer()
    }

    // MARK: - Events from the loop

    func handleIO(_ events: IOEvents) {
        guard let ac = context else { return }
        hiredisDepth += 1
        defer { hiredisDepth -= 1 }
        if events.contains(.writable) {
            write(ac)
            // A failed connect or write frees the context (the cleanup hook cleared it).
            guard context != nil else { return }
        }
        if !events.isDisjoint(with: [.readable, .hangup, .error]) {
            redisAsyncHandleRead(ac)
        }
    }

    private func write(_ ac: UnsafeMutablePointer<redisAsyncContext>) {
        writing = true
        redisAsyncHandleWrite(ac)
        writing = false
    }

    private func scheduleFlush() {
        guard !flushScheduled, !interest.contains(.write) else { return }
        flushScheduled = true
        loop.deferToEndOfTick { [self] in
            flushScheduled = false
            guard let ac = context, !isClosed else { return }
            hiredisDepth += 1
            defer { hiredisDepth -= 1 }
            write(ac)
        }
    }

    // MARK: - Events from hiredis

    fileprivate func hiredisWantsWrite() {
        if isConnected && !writing {
            scheduleFlush()
        } else {
            hiredisChangeInterest(adding: .write)
        }
    }

    fileprivate func hiredisChangeInterest(adding: IOInterest = [], removing: IOInterest = []) {
        guard context != nil, fd >= 0 else { return }
        let wanted = interest.union(adding).subtracting(removing)
        if registered {
            if wanted != interest { loop.setInterest(fd: fd, wanted) }
        } else if !wanted.isEmpty {
            loop.register(fd: fd, interest: wanted, handler: self)
            registered = true
        }
        interest = wanted
    }

    fileprivate func hiredisDidCleanUp() {
        if registered {
            loop.unregister(fd: fd)
            registered = false
        }
        lost(currentError())
        disarmTimer()
        context = nil
        // hiredis ran every pending callback before this hook; anything left is a bookkeeping bug.
        assert(pending.isEmpty, "commands left pending after hiredis freed the context")
        while let entry = pending.popFirst() {
            entry.completion?(.failure(RedisError(.connectionLost)))
        }
    }

    fileprivate func hiredisDidConnect(_ status: Int32) {
        if status == REDIS_OK {
            isConnected = true
        } else {
            lost(currentError())
        }
    }

    fileprivate func hiredisDidDisconnect() {
        lost(currentError())
    }

    fileprivate func hiredisDidReply(_ reply: UnsafeMutablePointer<redisReply>?) {
        guard let entry = pending.popFirst() else {
            assertionFailure("hiredis delivered a reply with no pending command")
            return
        }
        guard let reply else {
            // The context is being freed: every pending command gets a NULL reply, in order.
            let error = currentError()
            lost(error)
            entry.completion?(.failure(RedisError(.connectionLost, detail: error.detail)))
            return
        }
        guard let completion = entry.completion else {
            delegate?.connectionDidDiscardLateReply(self)
            return
        }
        switch RedisValue(copying: reply) {
        case .error(let message): completion(.failure(RedisError(.serverError(message))))
        case let value: completion(.success(value))
        }
    }

    /// Marks the connection dead and tells the owner, once; silent after `close()`.
    private func lost(_ error: RedisError) {
        guard !isClosed else { return }
        isClosed = true
        disarmTimer()
        delegate?.connection(self, didCloseWith: error)
    }

    private func currentError() -> RedisError {
        guard let ac = context else { return RedisError(.connectionLost, detail: "connection closed") }
        let code = chiredis_context_err(ac)
        let detail = code == 0 ? "connection closed" : String(cString: chiredis_context_errstr(ac))
        if !isConnected { return RedisError(.connectFailed, detail: detail) }
        if code == REDIS_ERR_PROTOCOL { return RedisError(.protocolError, detail: detail) }
        return RedisError(.connectionLost, detail: detail)
    }
}

// MARK: - C entry points (no captures: the connection comes back through `ev.data` / `privdata`)

private func connection(_ data: UnsafeMutableRawPointer?) -> HiredisConnection {
    Unmanaged<HiredisConnection>.fromOpaque(data!).takeUnretainedValue()
}

private func connection(of ac: UnsafePointer<redisAsyncContext>?) -> HiredisConnection {
    connection(chiredis_adapter_data(ac))
}

private func hiredisAddRead(_ data: UnsafeMutableRawPointer?) {
    connection(data).hiredisChangeInterest(adding: .read)
}

private func hiredisDelRead(_ data: UnsafeMutableRawPointer?) {
    connection(data).hiredisChangeInterest(removing: .read)
}

private func hiredisAddWrite(_ data: UnsafeMutableRawPointer?) {
    connection(data).hiredisWantsWrite()
}

private func hiredisDelWrite(_ data: UnsafeMutableRawPointer?) {
    connection(data).hiredisChangeInterest(removing: .write)
}

private func hiredisCleanup(_ data: UnsafeMutableRawPointer?) {
    connection(data).hiredisDidCleanUp()
}

private func hiredisOnConnect(_ ac: UnsafePointer<redisAsyncContext>?, _ status: Int32) {
    connection(of: ac).hiredisDidConnect(status)
}

private func hiredisOnDisconnect(_ ac: UnsafePointer<redisAsyncContext>?, _ status: Int32) {
    connection(of: ac).hiredisDidDisconnect()
}

private func hiredisOnReply(
    _ ac: UnsafeMutablePointer<redisAsyncContext>?, _ reply: UnsafeMutableRawPointer?,
    _ privdata: UnsafeMutableRawPointer?
) {
    connection(privdata).hiredisDidReply(reply?.assumingMemoryBound(to: redisReply.self))
}
