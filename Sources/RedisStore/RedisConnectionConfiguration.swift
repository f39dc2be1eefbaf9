/// Everything a `RedisClient` needs to reach one Redis server, with every default stated here.
///
/// Values only: parsing a `redis://` URL or YAML is the Config module's job. `host` should be an
/// IP address or a name resolvable from `/etc/hosts`: hiredis resolves it with `getaddrinfo`,
/// which blocks the loop thread for as long as DNS takes. The password is never printed
/// (`description` redacts it). Value type, `Sendable`.
public struct RedisConnectionConfiguration: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    /// ACL user name (`AUTH user password`); nil sends `AUTH password` when a password is set.
    public var username: String?
    public var password: String?
    /// Logical database; `SELECT` is sent only when it is not 0.
    public var database: Int
    /// Longest wait for TCP connect plus `AUTH`/`SELECT`.
    public var connectTimeout: Duration
    /// Longest wait for one reply. Short on purpose: a cache lookup slower than this fails with
    /// `timeout` so the proxy forwards upstream instead (fail open).
    public var commandTimeout: Duration
    /// When the oldest unanswered command is this old, the connection is presumed dead (a peer
    /// that vanished without a reset) and is replaced. Must exceed `commandTimeout`.
    public var unresponsiveTimeout: Duration
    /// First delay before reconnecting; doubles per failed attempt up to `reconnectBackoffMax`,
    /// each delay jittered into its upper half.
    public var reconnectBackoffMin: Duration
    public var reconnectBackoffMax: Duration
    /// Commands awaiting a reply beyond this fail at once with `tooManyPending` (bounded memory
    /// when the server stalls). Large enough to carry a second of a busy loop's writes (hit
    /// records at ~15,000/s) through a stall that `unresponsiveTimeout` does not end: a
    /// command past `commandTimeout` has failed for its caller but is still sent, so a write
    /// queued here usually lands; one refused here is lost. About 9 MiB when full.
    public var maxPendingCommands: Int

    public init(
        host: String = "127.0.0.1",
        port: Int = 6379,
        username: String? = nil,
        password: String? = nil,
        database: Int = 0,
        connectTimeout: Duration = .seconds(1),
        commandTimeout: Duration = .milliseconds(50),
        unresponsiveTimeout: Duration = .seconds(2),
        reconnectBackoffMin: Duration = .milliseconds(100),
        reconnectBackoffMax: Duration = .seconds(5),
        maxPendingCommands: Int = 16_384
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.unresponsiveTimeout = unresponsiveTimeout
        self.reconnectBackoffMin = reconnectBackoffMin
        self.reconnectBackoffMax = reconnectBackoffMax
        self.maxPendingCommands = maxPendingCommands
    }

    /// Checks the values; the error names the offending setting.
    public func validate() throws(RedisConfigurationError) {
        func fail(_ message: String) -> RedisConfigurationError { RedisConfigurationError(description: message) }
        if host.isEmpty || host.utf8.contains(0) { throw fail("redis host must be a non-empty name or address") }
        if !(1...65535).contains(port) { throw fail("redis port must be in 1...65535, got \(port)") }
        if database < 0 { throw fail("redis database must not be negative, got \(database)") }
        if username != nil && password == nil { throw fail("redis username is set without a password") }
        let zero = Duration.zero
        if connectTimeout <= zero { throw fail("redis connect timeout must be positive") }
        if commandTimeout <= zero { throw fail("redis command timeout must be positive") }
        if unresponsiveTimeout <= commandTimeout {
            throw fail("redis unresponsive timeout must exceed the command timeout")
        }
        if reconnectBackoffMin <= zero || reconnectBackoffMax < reconnectBackoffMin {
            throw fail("redis reconnect backoff needs 0 < min <= max")
        }
        if maxPendingCommands < 1 { throw fail("redis max pending commands must be at least 1") }
    }

    public var description: String {
        let user = username.map { "\($0)@" } ?? ""
        let auth = password == nil ? "" : " (password set)"
        return "redis://\(user)\(host):\(port)/\(database)\(auth)"
    }
}

/// An invalid `RedisConnectionConfiguration` value, with a message naming the setting.
public struct RedisConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    public let description: String
}
