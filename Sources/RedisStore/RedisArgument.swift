import RedisKeyspace

/// One argument of a Redis command, as bytes.
///
/// Command names and other fixed words are string literals kept as `StaticString` (no
/// allocation: `["GET", .key(k)]`); keys, values and numbers carry their bytes in an array that
/// is shared, not copied, until hiredis formats the command. Binary-safe. Value type, `Sendable`.
public struct RedisArgument: Sendable, ExpressibleByStringLiteral {
    @usableFromInline
    enum Storage: Sendable {
        case literal(StaticString)
        case bytes([UInt8])
    }

    @usableFromInline let storage: Storage

    public init(stringLiteral value: StaticString) {
        storage = .literal(value)
    }

    private init(bytes: [UInt8]) {
        storage = .bytes(bytes)
    }

    /// Arbitrary bytes (a value, a field).
    public static func bytes(_ bytes: [UInt8]) -> RedisArgument { RedisArgument(bytes: bytes) }

    /// A string's UTF-8 bytes.
    public static func string(_ string: String) -> RedisArgument { RedisArgument(bytes: Array(string.utf8)) }

    /// A key built by `RedisKeySchema`.
    public static func key(_ key: RedisKey) -> RedisArgument { RedisArgument(bytes: key.bytes) }

    /// A decimal integer (`EX 3600`, `numkeys`).
    public static func integer(_ value: Int64) -> RedisArgument { RedisArgument(bytes: Array(String(value).utf8)) }

    /// Byte count of the argument.
    public var count: Int {
        switch storage {
        case .literal(let s): s.utf8CodeUnitCount
        case .bytes(let b): b.count
        }
    }

    /// Calls `body` with the argument's bytes, valid only inside `body`.
    @inlinable
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        switch storage {
        case .literal(let s): s.withUTF8Buffer { body(UnsafeRawBufferPointer($0)) }
        case .bytes(let b): b.withUnsafeBytes(body)
        }
    }
}
