/// The name of one Redis key, as the bytes sent on the wire.
///
/// A thin wrapper so that a key cannot be confused with a value or a command argument, and so
/// that keys are only ever made in one place: the initialiser is internal and `RedisKeySchema`
/// is the sole public builder. Immutable value type; `Sendable`.
public struct RedisKey: Hashable, Sendable, CustomStringConvertible {
    /// The key's bytes (ASCII for every key the schema builds).
    public let bytes: [UInt8]

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    public var description: String { String(decoding: bytes, as: UTF8.self) }
}
