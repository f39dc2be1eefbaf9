import CryptoPrimitives

/// A Lua script and the SHA-1 Redis names it by.
///
/// Build one per script at startup and run it with `RedisClient.evalsha`: the hot path then
/// sends only the 40-character digest, and the source travels only when a server's script cache
/// lacks it (after a restart or failover). Immutable value type, `Sendable`.
public struct RedisScript: Hashable, Sendable {
    /// The script's source, as sent with `EVAL`.
    public let source: [UInt8]
    /// Lowercase hex SHA-1 of `source`, as `SCRIPT LOAD` would return it.
    public let sha1: String

    let sourceArgument: RedisArgument
    let sha1Argument: RedisArgument

    public init(_ source: String) {
        self.source = Array(source.utf8)
        self.sha1 = Hex.encode(SHA1.digest(self.source))
        self.sourceArgument = .bytes(self.source)
        self.sha1Argument = .string(sha1)
    }

    public static func == (a: RedisScript, b: RedisScript) -> Bool { a.source == b.source }

    public func hash(into hasher: inout Hasher) { hasher.combine(source) }
}
