/// One Redis reply (RESP2), copied out of hiredis' reply object.
///
/// hiredis frees its reply as soon as the callback returns, so everything a caller may keep is
/// copied here once. Immutable value type, `Sendable`.
public enum RedisValue: Hashable, Sendable {
    /// A nil bulk string or nil array (`GET` of a missing key).
    case null
    /// A status reply such as `OK` or `PONG`.
    case simpleString(String)
    /// A bulk string: arbitrary bytes, NULs included.
    case bulk([UInt8])
    case integer(Int64)
    case array([RedisValue])
    /// An error reply nested inside an array (a top-level error reply becomes
    /// `RedisError.Kind.serverError` instead).
    case error(String)

    /// The bytes of a bulk or status reply.
    public var bytes: [UInt8]? {
        switch self {
        case .bulk(let b): b
        case .simpleString(let s): Array(s.utf8)
        default: nil
        }
    }

    /// A bulk or status reply decoded as UTF-8 (invalid sequences repaired).
    public var string: String? {
        switch self {
        case .bulk(let b): String(decoding: b, as: UTF8.self)
        case .simpleString(let s): s
        default: nil
        }
    }

    public var integer: Int64? {
        if case .integer(let i) = self { return i }
        return nil
    }

    public var array: [RedisValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var isNull: Bool { self == .null }
}
