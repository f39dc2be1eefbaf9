@preconcurrency import Glibc
import CSystem
import Synchronization

/// One thread, one epoll instance: the unit of concurrency in Reprise.
///
/// Everything a connection touches (its socket, parser, Redis and curl handles, timers) belongs
/// to exactly one loop and is only used on that loop's thread, so the hot path takes no locks
/// and makes no thread hops.
///
/// Threading contract:
/// - `execute(_:)`, `stop()` and `inEventLoop` may be called from any thread.
/// - Everything else (`register`, `setInterest`, `unregister`, `schedule`, `cancel`, `now`) must be
///   called on the loop's own thread; debug builds assert it.
/// - Callbacks (I/O handlers, timers, executed tasks) run on the loop thread and must never block.
public final class EventLoop: @unchecked Sendable {
    /// Position in its group; used in logs and to pick per-loop resources.
    public let index: Int

    private let epfd: Int32
    private let wakeFD: Int32
    private var registrations: [Registration?] = []
    private var nextGeneration: UInt32 = 1
    private var timers = TimerHeap()
    private let pendingTasks = Mutex<[@Sendable () -> Void]>([])
    private let wakeArmed = Atomic<Bool>(false)
    private let stopRequested = Atomic<Bool>(false)
    private let ownerThread = Atomic<UInt>(0)
    private var cachedNow: UInt64 = MonotonicClock.nanoseconds()
    private var deferred: [() -> Void] = []

    private struct Registration {
        let handler: any IOHandler
        let generation: UInt32
        var interest: IOInterest
    }

    /// Errors from setting up the loop's kernel objects.
    public struct SetupError: Error, CustomStringConvertible {
        public let call: String
        public let errno: Int32
        public var description: String { "\(call) failed: \(String(cString: strerror(errno)))" }
    }

    public init(index: Int = 0) throws {
        self.index = index
        let ep = csystem_epoll_create()
        guard ep >= 0 else { throw SetupError(call: "epoll_create1", errno: Glibc.errno) }
        let wfd = csystem_eventfd()
        guard wfd >= 0 else {
            close(ep)
            throw SetupError(call: "eventfd", errno: Glibc.errno)
        }
        epfd = ep
        wakeFD = wfd
        // The wake fd is not a handler registration: data value 0 marks it.
        _ = csystem_epoll_ctl(epfd, EPOLL_CTL_ADD, wakeFD, EPOLLIN.rawValue, 0)
    }

    deinit {
        close(wakeFD)
        close(epfd)
    }

    // MARK: - Any thread

    /// True when called on this loop's thread.
    public var inEventLoop: Bool {
        ownerThread.load(ordering: .relaxed) == UInt(bitPattern: Int(bitPattern: pthread_self()))
    }

    /// Runs `task` on the loop thread, soon. Safe from any thread; tasks run in order.
    public func execute(_ task: @escaping @Sendable () -> Void) {
        pendingTasks.withLock { $0.append(task) }
        if !wakeArmed.exchange(true, ordering: .acquiringAndReleasing) {
            var one: UInt64 = 1
            _ = write(wakeFD, &one, 8)
        }
    }

    /// Asks the loop to return from `run()` after the current iteration.
    public func stop() {
        stopRequested.store(true, ordering: .releasing)
        execute {}
    }

    // MARK: - Loop thread only

    /// Monotonic nanoseconds, refreshed once per loop iteration (cheap to read many times).
    public var now: UInt64 { cachedNow }

    /// Monotonic nanoseconds read from the clock now.
    public func preciseNow() -> UInt64 {
        cachedNow = MonotonicClock.nanoseconds()
        return cachedNow
    }

    /// Watches `fd` for `interest`. The loop holds `handler` strongly until `unregister(fd:)`.
    public func register(fd: Int32, interest: IOInterest, handler: any IOHandler) {
        assert(inEventLoop || ownerThread.load(ordering: .relaxed) == 0, "register off the loop thread")
        let i = Int(fd)
        if i >= registrations.count {
            registrations.append(contentsOf: repeatElement(nil, count: max(i + 1 - registrations.count, 64)))
        }
        let gen = nextGeneration
        nextGeneration = nextGeneration == UInt32.max ? 1 : nextGeneration + 1
        registrations[i] = Registration(handler: handler, generation: gen, interest: interest)
        let rc = csystem_epoll_ctl(epfd, EPOLL_CTL_ADD, fd, Self.epollFlags(interest), Self.pack(fd, gen))
        precondition(rc == 0, "epoll_ctl ADD fd \(fd): \(String(cString: strerror(Glibc.errno)))")
    }

    /// Changes what `fd` is watched for. A no-op when the interest is unchanged.
    public func setInterest(fd: Int32, _ interest: IOInterest) {
        assert(inEventLoop)
        let i = Int(fd)
        guard i < registrations.count, var reg = registrations[i] else { return }
        guard reg.interest != interest else { return }
        reg.interest = interest
        registrations[i] = reg
        _ = csystem_epoll_ctl(epfd, EPOLL_CTL_MOD, fd, Self.epollFlags(interest), Self.pack(fd, reg.generation))
    }

    /// The current interest of `fd`, or nil when it is not registered.
    public func interest(fd: Int32) -> IOInterest? {
        let i = Int(fd)
        guard i < registrations.count else { return nil }
        return registrations[i]?.interest
    }

    /// True when `fd` is watched by this very `handler` (identity, not equality). An owner that
    /// may learn late that its descriptor was closed (libcurl reports some sockets after closing
    /// them) checks this so that it never unregisters a number the kernel has handed to someone else.
    public func isRegistered(fd: Int32, handler: any IOHandler) -> Bool {
        let i = Int(fd)
        guard i >= 0, i < registrations.count, let reg = registrations[i] else { return false }
        return reg.handler === handler
    }

    /// Stops watching `fd` and releases its handler. Call before closing the descriptor.
    public func unregister(fd: Int32) {
        assert(inEventLoop || ownerThread.load(ordering: .relaxed) == 0)
        let i = Int(fd)
        guard i < registrations.count, registrations[i] != nil else { return }
        // The handler may be the caller; keep it alive until this call returns.
        let doomed = registrations[i]
        registrations[i] = nil
        _ = csystem_epoll_ctl(epfd, EPOLL_CTL_DEL, fd, 0, 0)
        withExtendedLifetime(doomed) {}
    }

    /// Calls `body` on the loop thread once `delay` has passed.
    @discardableResult
    public func schedule(after delay: Duration, _ body: @escaping () -> Void) -> TimerHandle {
        schedule(atNanoseconds: cachedNow &+ delay.nanosecondsClamped, body)
    }

    /// Calls `body` at the monotonic instant `deadline` (nanoseconds, see `now`).
    @discardableResult
    public func schedule(atNanoseconds deadline: UInt64, _ body: @escaping () -> Void) -> TimerHandle {
        assert(inEventLoop || ownerThread.load(ordering: .relaxed) == 0)
        return timers.schedule(at: deadline, body)
    }

    public func cancel(_ handle: TimerHandle) {
        timers.cancel(handle)
    }

    /// Runs `body` on the loop thread after the current batch of events, before the loop sleeps
    /// again. Lets a handler finish what it is doing before re-entrant work starts.
    public func deferToEndOfTick(_ body: @escaping () -> Void) {
        deferred.append(body)
    }

    /// Number of live timers (for tests and gauges).
    public var timerCount: Int { timers.liveCount }

    // MARK: - Running

    /// Runs the loop on the calling thread until `stop()`.
    public func run() {
        ownerThread.store(UInt(bitPattern: Int(bitPattern: pthread_self())), ordering: .relaxed)
        let capacity = 512
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: capacity)
        defer { events.deallocate() }
        while !stopRequested.load(ordering: .acquiring) {
            var timeout = timers.timeoutMillis(now: cachedNow)
            if !deferred.isEmpty { timeout = 0 }
            let n = csystem_epoll_wait(epfd, events, Int32(capacity), timeout)
            cachedNow = MonotonicClock.nanoseconds()
            if n < 0 {
                if Glibc.errno == EINTR { continue }
                preconditionFailure("epoll_wait: \(String(cString: strerror(Glibc.errno)))")
            }
            for k in 0..<Int(n) {
                dispatch(events + k)
            }
            for cb in timers.popExpired(now: cachedNow) { cb() }
            runDeferred()
        }
        // Run what was handed to us before stopping, so that no `execute` is silently lost.
        runPendingTasks()
        runDeferred()
    }

    private func dispatch(_ ev: UnsafeMutablePointer<epoll_event>) {
        let data = csystem_epoll_event_data(ev)
        let flags = csystem_epoll_event_flags(ev)
        if data == 0 {
            var value: UInt64 = 0
            _ = read(wakeFD, &value, 8)
            runPendingTasks()
            return
        }
        let fd = Int32(truncatingIfNeeded: data & 0xFFFF_FFFF)
        let gen = UInt32(truncatingIfNeeded: data >> 32)
        let i = Int(fd)
        guard i < registrations.count, let reg = registrations[i], reg.generation == gen else { return }
        var e: IOEvents = []
        if flags & EPOLLIN.rawValue != 0 { e.insert(.readable) }
        if flags & EPOLLOUT.rawValue != 0 { e.insert(.writable) }
        if flags & (EPOLLHUP.rawValue | EPOLLRDHUP.rawValue) != 0 { e.insert(.hangup) }
        if flags & EPOLLERR.rawValue != 0 { e.insert(.error) }
        reg.handler.handleIO(e)
    }

    private func runPendingTasks() {
        wakeArmed.store(false, ordering: .releasing)
        let tasks = pendingTasks.withLock { t -> [@Sendable () -> Void] in
            let out = t
            t.removeAll(keepingCapacity: true)
            return out
        }
        for t in tasks { t() }
    }

    private func runDeferred() {
        while !deferred.isEmpty {
            let batch = deferred
            deferred.removeAll(keepingCapacity: true)
            for d in batch { d() }
        }
    }

    private static func pack(_ fd: Int32, _ gen: UInt32) -> UInt64 {
        UInt64(UInt32(bitPattern: fd)) | (UInt64(gen) << 32)
    }

    private static func epollFlags(_ interest: IOInterest) -> UInt32 {
        // EPOLLRDHUP only with read interest: it is level-triggered, so a half-closed peer whose
        // fd is registered without `.read` (e.g. a server still writing its response) would
        // otherwise wake the loop on every iteration. Readers see EOF as a 0-byte read anyway.
        var f: UInt32 = 0
        if interest.contains(.read) { f |= EPOLLIN.rawValue | EPOLLRDHUP.rawValue }
        if interest.contains(.write) { f |= EPOLLOUT.rawValue }
        return f
    }
}
