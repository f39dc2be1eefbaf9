@preconcurrency import Glibc
import EventLoop

/// The native engine's connections to its origin, for one client (so one loop): opening them
/// (non-blocking connect, TCP_NODELAY, `connectTimeout`), lending idle ones to exchanges, and
/// keeping at most `maxIdle` open between requests.
///
/// An idle connection is checked before it is lent (a `MSG_PEEK`: upstream may have closed it,
/// or written to it, in this very loop tick, before its event was read), and closed when it speaks while idle
/// (upstream closed or reset it, or sent bytes nobody asked for) or has been idle for
/// `maxIdleAge` (curl's default for its pool, so that both engines let go alike).
///
/// Threading: loop-bound; every member is used on the client's loop thread. Invariants: every
/// connection in `idle` is `.idle` and registered; `connecting` holds each connection whose
/// connect is under way, keyed to the exchange waiting for it.
final class NativePool {
    let loop: EventLoop
    let origin: NativeOrigin
    let maxIdle: Int
    let connectTimeout: Duration
    /// Most recently used last: lent from the end (warm first), swept from the front.
    private(set) var idle: [NativeConnection] = []
    private var connecting: [ObjectIdentifier: (connection: NativeConnection, exchange: NativeExchange)] = [:]
    private var sweepTimer: TimerHandle?

    static let maxIdleAge: UInt64 = 118_000_000_000

    init(loop: EventLoop, origin: NativeOrigin, maxIdle: Int, connectTimeout: Duration) {
        self.loop = loop
        self.origin = origin
        self.maxIdle = maxIdle
        self.connectTimeout = connectTimeout
    }

    /// A live idle connection, now `.active`, or nil when none is left. Every one is peeked at
    /// first: bytes waiting on an idle connection (an unasked `408`, leftovers) must never be
    /// read as the next request's answer, whatever its method.
    func checkout() -> NativeConnection? {
        while let connection = idle.popLast() {
            if connection.looksAlive() {
                connection.state = .active
                return connection
            }
            connection.close()
        }
        return nil
    }

    /// Takes back a connection whose exchange ended cleanly; closes it when the pool is full.
    func checkin(_ connection: NativeConnection) {
        connection.exchange = nil
        guard connection.state == .active, idle.count < maxIdle else {
            connection.close()
            return
        }
        connection.state = .idle
        connection.idleSince = loop.now
        connection.setInterest(.read)
        idle.append(connection)
        armSweep()
    }

    /// Opens a new connection for `exchange`, which hears `connected` or `connectFailed` from a
    /// loop event, or, when no socket could be made at all, `connectFailed` right away (nil).
    func connect(for exchange: NativeExchange) -> NativeConnection? {
        let fd = socket(origin.family, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else {
            exchange.connectFailed(UpstreamError(kind: .connect, message: "socket: \(Self.describe(errno))"))
            return nil
        }
        Socket.setNoDelay(fd)
        let rc = origin.address.withUnsafeBytes { raw in
            Glibc.connect(fd, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
        }
        if rc != 0 && errno != EINPROGRESS {
            let e = errno
            _ = Glibc.close(fd)
            exchange.connectFailed(UpstreamError(kind: .connect, message: "connect: \(Self.describe(e))"))
            return nil
        }
        // Even a connect that succeeded at once reports through a writable event: one path.
        let connection = NativeConnection(fd: fd, loop: loop, pool: self)
        connecting[ObjectIdentifier(connection)] = (connection, exchange)
        connection.connectTimer = loop.schedule(after: connectTimeout) { [weak self, weak connection] in
            guard let self, let connection else { return }
            connection.connectTimer = nil
            let ms = self.connectTimeout.nanosecondsClamped / 1_000_000
            self.failConnect(connection, UpstreamError(kind: .timeout, message: "connect timed out after \(ms) ms"))
        }
        return connection
    }

    /// Forgets the connect `exchange` was waiting for and closes its socket (the exchange ended).
    func abandonConnect(of connection: NativeConnection) {
        connecting.removeValue(forKey: ObjectIdentifier(connection))
        connection.close()
    }

    /// The connecting socket became writable (or failed).
    func connectionCompleted(_ connection: NativeConnection) {
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        if getsockopt(connection.fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0 { error = errno }
        guard error == 0 else {
            failConnect(connection, UpstreamError(kind: .connect, message: "connect: \(Self.describe(error))"))
            return
        }
        guard let waiting = connecting.removeValue(forKey: ObjectIdentifier(connection)) else {
            connection.close()
            return
        }
        if let timer = connection.connectTimer { loop.cancel(timer) }
        connection.connectTimer = nil
        connection.state = .active
        waiting.exchange.connected(connection)
    }

    private func failConnect(_ connection: NativeConnection, _ error: UpstreamError) {
        let waiting = connecting.removeValue(forKey: ObjectIdentifier(connection))
        connection.close()
        waiting?.exchange.connectFailed(error)
    }

    /// An idle connection had an event: upstream closed or reset it, or sent something unasked.
    func idleConnectionSpoke(_ connection: NativeConnection) {
        idle.removeAll { $0 === connection }
        connection.close()
    }

    /// Closes every connection, idle or connecting (teardown; exchanges were finished first).
    func closeAll() {
        for connection in idle { connection.close() }
        idle.removeAll()
        for entry in connecting.values { entry.connection.close() }
        connecting.removeAll()
        if let sweepTimer { loop.cancel(sweepTimer) }
        sweepTimer = nil
    }

    private func armSweep() {
        guard sweepTimer == nil else { return }
        sweepTimer = loop.schedule(after: .seconds(30)) { [weak self] in self?.sweep() }
    }

    private func sweep() {
        sweepTimer = nil
        let now = loop.now
        while let oldest = idle.first, now &- oldest.idleSince >= Self.maxIdleAge {
            idle.removeFirst()
            oldest.close()
        }
        if !idle.isEmpty { armSweep() }
    }

    static func describe(_ code: Int32) -> String { String(cString: strerror(code)) }
}

@available(*, unavailable)
extension NativePool: Sendable {}
