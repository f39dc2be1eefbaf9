import EventLoop
import Logging

/// An asynchronous Redis client bound to one `EventLoop`: one connection, pipelined, with
/// per-command timeouts and reconnection in the background.
///
/// - Commands sent in one loop tick are written together and their replies come back in order,
///   so a lookup of several keys costs one round trip.
/// - A command gets no reply within `commandTimeout` → its completion gets `timeout` at once;
///   the late reply is discarded when it arrives and later commands still get their own replies.
/// - No usable connection → commands fail at once with `notConnected` (nothing is queued); the
///   client reconnects with jittered exponential backoff and reports each change of state
///   through `onStateChange`. Commands in flight when the connection drops fail with
///   `connectionLost`, each exactly once.
/// - `AUTH` and `SELECT` (or, when neither is configured, `PING`) are pipelined ahead of
///   everything else on every new connection; the client counts as connected only once the
///   server has answered them.
///
/// Completions always run on the loop thread and never inside the call that sent the command.
///
/// Threading: loop thread only. Create it anywhere, then call every method (including `start`
/// and `close`) on `loop`'s thread. Call `close()` before dropping the last reference: until
/// then the client keeps its connection and timers alive.
public final class RedisClient {
    public typealias Completion = (Result<RedisValue, RedisError>) -> Void

    public let loop: EventLoop
    public let configuration: RedisConnectionConfiguration

    private let logger: Logger
    private let onStateChange: (RedisConnectionState) -> Void
    private let commandTimeoutNanos: UInt64
    private let handshake: [[RedisArgument]]
    private let argv = CommandArgv()
    private var backoff: ReconnectBackoff
    private var state: State = .idle
    private var connectTimer: TimerHandle?
    private var reported: RedisConnectionState?
    private var attempts: UInt64 = 0

    /// Replies that arrived after their command had timed out, and were dropped (cumulative).
    public private(set) var lateReplyCount = 0

    private enum State {
        case idle
        case connecting(HiredisConnection, handshakeLeft: Int)
        case connected(HiredisConnection)
        case waitingToReconnect(TimerHandle)
        case closed
    }

    /// Fails when `configuration` does not validate. `onStateChange` runs on the loop thread.
    public init(
        loop: EventLoop,
        configuration: RedisConnectionConfiguration,
        logger: Logger,
        onStateChange: @escaping (RedisConnectionState) -> Void = { _ in }
    ) throws(RedisConfigurationError) {
        try configuration.validate()
        self.loop = loop
        self.configuration = configuration
        self.logger = logger.with(["redis_host": .string(configuration.host), "redis_port": .int(configuration.port)])
        self.onStateChange = onStateChange
        self.commandTimeoutNanos = configuration.commandTimeout.nanosecondsClamped
        self.backoff = ReconnectBackoff(
            minimum: configuration.reconnectBackoffMin, maximum: configuration.reconnectBackoffMax)
        var handshake: [[RedisArgument]] = []
        if let password = configuration.password {
            if let user = configuration.username {
                handshake.append(["AUTH", .string(user), .string(password)])
            } else {
                handshake.append(["AUTH", .string(password)])
            }
        }
        if configuration.database != 0 {
            handshake.append(["SELECT", .integer(Int64(configuration.database))])
        }
        if handshake.isEmpty {
            // Without AUTH/SELECT a TCP accept is all we would know; the kernel completes that
            // even for a hung server. Count as connected only once the server answers.
            handshake.append(["PING"])
        }
        self.handshake = handshake
    }

    deinit {
        // Dropped without close(): free the connection here if we can do it safely.
        if loop.inEventLoop { close() }
    }

    // MARK: - Observing

    /// The last state reported through `onStateChange` (nil before the first outcome).
    public var connectionState: RedisConnectionState? { reported }

    /// True when commands are being sent.
    public var isConnected: Bool {
        if case .connected = state { return true }
        return false
    }

    /// Commands written and not yet answered (timed-out ones whose reply is still due included).
    public var inFlightCount: Int {
        switch state {
        case .connecting(let c, _), .connected(let c): c.pendingCount
        default: 0
        }
    }

    // MARK: - Lifecycle

    /// Starts connecting. Call once, on the loop thread.
    public func start() {
        guard case .idle = state else { return }
        attemptConnect()
    }

    /// Stops for good: cancels reconnection and closes the connection; commands in flight fail
    /// with `connectionLost`, later ones with `notConnected`. `onStateChange` is not called again.
    public func close() {
        let connection: HiredisConnection?
        switch state {
        case .closed: return
        case .idle: connection = nil
        case .waitingToReconnect(let timer):
            loop.cancel(timer)
            connection = nil
        case .connecting(let c, _), .connected(let c): connection = c
        }
        cancelConnectTimer()
        state = .closed
        connection?.close()
    }

    // MARK: - Commands

    /// Sends one command. `completion` runs exactly once, on the loop thread, never before
    /// `send` returns. A top-level error reply arrives as `RedisError.Kind.serverError`.
    public func send(_ command: [RedisArgument], completion: @escaping Completion) {
        guard case .connected(let connection) = state else {
            return failSoon(completion, .notConnected)
        }
        if let rejection = CommandGuard.rejection(command) {
            return failSoon(completion, rejection)
        }
        guard connection.pendingCount < configuration.maxPendingCommands else {
            return failSoon(completion, .tooManyPending)
        }
        let deadline = loop.now &+ commandTimeoutNanos
        if !connection.send(command, deadline: deadline, argv: argv, completion: completion) {
            failSoon(completion, .notConnected)
        }
    }

    private func failSoon(_ completion: @escaping Completion, _ error: RedisError) {
        loop.deferToEndOfTick { completion(.failure(error)) }
    }

    // MARK: - Connecting

    private func attemptConnect() {
        attempts += 1
        let opened = HiredisConnection.open(
            attempt: attempts, host: configuration.host, port: configuration.port, loop: loop,
            unresponsiveTimeout: configuration.unresponsiveTimeout)
        let connection: HiredisConnection
        switch opened {
        case .failure(let error):
            return scheduleReconnect(after: error)
        case .success(let c):
            connection = c
        }
        connection.delegate = self
        state = .connecting(connection, handshakeLeft: handshake.count)
        // The closures name the connection by its attempt number, not by a reference: a weak
        // reference would give the connection a side table and slow every retain on the hot path.
        let attempt = connection.attempt
        connectTimer = loop.schedule(after: configuration.connectTimeout) { [weak self] in
            self?.abandon(attempt: attempt, RedisError(.timeout, detail: "connect timed out"))
        }
        for command in handshake {
            let queued = connection.send(command, deadline: .max, argv: argv) { [weak self] result in
                self?.handshakeReplied(attempt: attempt, result)
            }
            if !queued {
                let error = RedisError(.connectFailed, detail: "could not queue the handshake")
                return abandon(attempt: connection.attempt, error)
            }
        }
    }

    private func handshakeReplied(attempt: UInt64, _ result: Result<RedisValue, RedisError>) {
        guard case .connecting(let connection, let left) = state, connection.attempt == attempt else { return }
        switch result {
        case .success(.simpleString("OK")), .success(.simpleString("PONG")):
            // Replies come only after the TCP connect completed, so the last one means ready.
            state = .connecting(connection, handshakeLeft: left - 1)
            if left == 1 { becomeReady(connection) }
        case .success:
            let error = RedisError(.protocolError, detail: "unexpected reply to the handshake")
            abandon(attempt: connection.attempt, error)
        case .failure(let error) where error.kind == .connectionLost:
            return  // the connection's own close notification moves the state
        case .failure(let error):
            abandon(attempt: connection.attempt, error)
        }
    }

    private func becomeReady(_ connection: HiredisConnection) {
        cancelConnectTimer()
        state = .connected(connection)
        backoff.reset()
        logger.info("redis connected", ["redis_db": .int(configuration.database)])
        report(.connected)
    }

    /// Gives up on the current connection if it is still `attempt` (our decision) and
    /// schedules the next attempt.
    private func abandon(attempt: UInt64, _ error: RedisError) {
        switch state {
        case .connecting(let connection, _) where connection.attempt == attempt,
            .connected(let connection) where connection.attempt == attempt:
            scheduleReconnect(after: error)
            connection.close()
        default:
            return
        }
    }

    private func scheduleReconnect(after error: RedisError) {
        cancelConnectTimer()
        let delay = backoff.nextDelay(unit: Double.random(in: 0...1))
        let timer = loop.schedule(atNanoseconds: loop.now &+ delay) { [weak self] in
            guard let self, case .waitingToReconnect = self.state else { return }
            self.attemptConnect()
        }
        state = .waitingToReconnect(timer)
        let fields: KeyValuePairs<String, LogValue> = [
            "error": .string(error.shortDescription), "detail": .string(error.detail),
            "retry_in_ms": .int(Int(delay / 1_000_000)),
        ]
        if reported?.isConnected == false {
            logger.debug("redis reconnect failed", fields)
        } else {
            logger.warn("redis disconnected", fields)
        }
        report(.disconnected(error))
    }

    private func cancelConnectTimer() {
        if let t = connectTimer {
            loop.cancel(t)
            connectTimer = nil
        }
    }

    /// Calls `onStateChange` when connectivity changed (or for the first outcome); a new reason
    /// for staying disconnected is recorded but not reported.
    private func report(_ new: RedisConnectionState) {
        let changed = reported?.isConnected != new.isConnected
        reported = new
        if changed { onStateChange(new) }
    }
}

extension RedisClient: HiredisConnectionDelegate {
    func connection(_ connection: HiredisConnection, didCloseWith error: RedisError) {
        switch state {
        case .connecting(let c, _) where c === connection, .connected(let c) where c === connection:
            scheduleReconnect(after: error)
        default:
            return
        }
    }

    func connectionDidDiscardLateReply(_ connection: HiredisConnection) {
        lateReplyCount += 1
    }
}
