@preconcurrency import Glibc
import EventLoop

/// One TCP connection to the native origin: its socket, its loop registration and its read
/// buffer. It is connecting, serving one exchange, idle in its pool, or closed.
///
/// The socket stays registered with the loop for the connection's whole life, idle included:
/// an idle connection is watched for reading only, so that upstream closing or resetting it is
/// seen at once (the pool then closes it) instead of on the next request (the curl path's
/// dormant watches do the same). Events go to whoever owns the connection in its current
/// state: the pool while connecting or idle, the exchange while active.
///
/// Threading: loop-bound like its pool; every member is used on the loop thread. Invariants:
/// `fd` is registered while `state != .closed` (except after a paused exchange's
/// `suspendWatch`); `exchange` is set only while `.active`; `readStart <= readEnd <= buffer.count`, and unread bytes exist only while the exchange holds
/// them back for a paused delegate.
final class NativeConnection: IOHandler {
    enum State {
        case connecting
        case active
        case idle
        case closed
    }

    static let readBufferSize = 32 * 1024

    let fd: Int32
    let loop: EventLoop
    weak var pool: NativePool?
    var state = State.connecting
    var exchange: NativeExchange?
    /// Received bytes `readStart..<readEnd` not yet consumed.
    let buffer: UnsafeMutableRawBufferPointer
    var readStart = 0
    var readEnd = 0
    /// Requests this connection finished; more than zero means a reused connection.
    var requestsServed = 0
    /// When it went idle (for the pool's sweep).
    var idleSince: UInt64 = 0
    var connectTimer: TimerHandle?
    private var interest: IOInterest
    /// Registered with the loop (always, except after `suspendWatch`).
    private var isWatched = true

    /// Takes ownership of the connecting socket `fd` and registers it for `.write`.
    init(fd: Int32, loop: EventLoop, pool: NativePool) {
        self.fd = fd
        self.loop = loop
        self.pool = pool
        buffer = .allocate(byteCount: Self.readBufferSize, alignment: 16)
        interest = .write
        loop.register(fd: fd, interest: .write, handler: self)
    }

    deinit {
        buffer.deallocate()
    }

    var isReused: Bool { requestsServed > 0 }
    var hasUnreadBytes: Bool { readStart < readEnd }

    func handleIO(_ events: IOEvents) {
        switch state {
        case .connecting: pool?.connectionCompleted(self)
        case .active: exchange?.connectionReady(events)
        case .idle: pool?.idleConnectionSpoke(self)
        case .closed: break
        }
    }

    /// Changes the loop interest only when it differs (an `epoll_ctl` per change, not per call);
    /// registers the socket again after `suspendWatch`.
    func setInterest(_ wanted: IOInterest) {
        guard state != .closed else { return }
        if !isWatched {
            isWatched = true
            interest = wanted
            loop.register(fd: fd, interest: wanted, handler: self)
            return
        }
        guard wanted != interest else { return }
        interest = wanted
        loop.setInterest(fd: fd, wanted)
    }

    /// Stops watching the socket (a paused exchange whose peer hung up: epoll would report the
    /// hang-up on every iteration); the next `setInterest` watches it again.
    func suspendWatch() {
        guard state != .closed, isWatched else { return }
        isWatched = false
        loop.unregister(fd: fd)
    }

    /// Reads into the free end of the buffer (compacting it first when it is empty). Returns the
    /// byte count, 0 at end of stream, or -errno (`-EAGAIN` when nothing is there yet).
    func readMore() -> Int {
        if readStart == readEnd {
            readStart = 0
            readEnd = 0
        }
        let free = buffer.count - readEnd
        guard free > 0 else { return -Int(EAGAIN) }
        let n = Glibc.read(fd, buffer.baseAddress! + readEnd, free)
        if n > 0 { readEnd += n }
        return n >= 0 ? n : -Int(errno)
    }

    /// The unread bytes.
    var unread: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[readStart..<readEnd])
    }

    /// True when the idle socket has neither data nor end of stream waiting: upstream has not
    /// closed it behind the loop's back since the last event (one non-blocking peek).
    func looksAlive() -> Bool {
        var byte: UInt8 = 0
        let n = recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)
    }

    /// Unregisters and closes the socket. Idempotent.
    func close() {
        guard state != .closed else { return }
        state = .closed
        exchange = nil
        if let connectTimer { loop.cancel(connectTimer) }
        connectTimer = nil
        if isWatched { loop.unregister(fd: fd) }
        isWatched = false
        _ = Glibc.close(fd)
    }
}

@available(*, unavailable)
extension NativeConnection: Sendable {}
