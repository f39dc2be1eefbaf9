/// Why a Redis command or connection attempt failed.
///
/// `kind` is a small fixed set the proxy can switch on (every failure means "fail open and
/// forward upstream"), and `shortDescription` is safe as a metric label. `detail` carries the
/// free text (hiredis' error string, the server's message) for logs only. Value type, `Sendable`.
public struct RedisError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The bounded classification of a failure.
    public enum Kind: Hashable, Sendable {
        /// No reply within the command timeout (or no connection within the connect timeout).
        case timeout
        /// There is no usable connection right now; nothing was sent.
        case notConnected
        /// The connection went away while the command was in flight; it may or may not have run.
        case connectionLost
        /// A connection attempt failed (refused, unreachable, name not resolved).
        case connectFailed
        /// The server sent something the client cannot follow.
        case protocolError
        /// The server answered with an error reply (`ERR …`, `NOSCRIPT …`, `WRONGPASS …`).
        case serverError(String)
        /// Too many commands already await replies on this connection; nothing was sent.
        case tooManyPending
        /// A command this client refuses to send (empty, or one that breaks the one-reply-per-
        /// command rule, such as `SUBSCRIBE` or `MONITOR`).
        case invalidCommand
    }

    public let kind: Kind
    /// Free text for logs; never a metric label.
    public let detail: String

    public init(_ kind: Kind, detail: String = "") {
        self.kind = kind
        if detail.isEmpty, case .serverError(let message) = kind {
            self.detail = message
        } else {
            self.detail = detail
        }
    }

    /// A fixed token per kind, safe as a metric label value.
    public var shortDescription: String {
        switch kind {
        case .timeout: "timeout"
        case .notConnected: "not_connected"
        case .connectionLost: "connection_lost"
        case .connectFailed: "connect_failed"
        case .protocolError: "protocol_error"
        case .serverError: "server_error"
        case .tooManyPending: "too_many_pending"
        case .invalidCommand: "invalid_command"
        }
    }

    public var description: String {
        detail.isEmpty ? "redis: \(shortDescription)" : "redis: \(shortDescription): \(detail)"
    }

    /// True for the server's `NOSCRIPT` reply to `EVALSHA` (the script cache lacks the script).
    public var isNoScript: Bool {
        if case .serverError(let message) = kind { return message.hasPrefix("NOSCRIPT") }
        return false
    }

    static let timeout = RedisError(.timeout)
    static let notConnected = RedisError(.notConnected)
    static let tooManyPending = RedisError(.tooManyPending)
}
