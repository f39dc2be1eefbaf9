/// The one place that names every Redis key Reprise reads or writes.
///
/// Layout: `<prefix>v1:<kind>:<id>`. The prefix comes from configuration (default `reprise:`)
/// so that several deployments can share a Redis; `v1` is the format version, bumped when a
/// stored record changes shape so that old and new replicas never read each other's records.
/// Records that belong to one cache key put that key in a Redis Cluster hash tag (`{…}`), so
/// the entry, its stream recording and its in-flight marker live in the same slot and can be
/// touched by one script or transaction:
///
/// | record                  | key                               |
/// |-------------------------|-----------------------------------|
/// | entry                   | `<prefix>v1:e:{<64-hex key>}`     |
/// | stream recording        | `<prefix>v1:s:{<64-hex key>}`     |
/// | in-flight marker        | `<prefix>v1:f:{<64-hex key>}`     |
/// | prediction record       | `<prefix>v1:p:{<prediction id>}`  |
/// | hit answer body         | `<prefix>v1:hb:{<64-hex sha256>}` |
/// | stream capability       | `<prefix>v1:c:{<token>}`          |
/// | version → model map     | `<prefix>v1:vm:<version id>`      |
/// | accepted token hash     | `<prefix>v1:t:<64-hex sha256>`    |
///
/// Inputs are typed (`Digest`, `Identifier`) and validated when they are made, so no builder
/// can produce a key with a stray `{`, `}`, space or control byte. Pure value type, `Sendable`.
public struct RedisKeySchema: Hashable, Sendable {
    /// The prefix used when the configuration names none.
    public static let defaultPrefix = "reprise:"
    /// The record format version segment.
    public static let formatVersion = "v1"
    /// The longest prefix accepted.
    public static let maximumPrefixLength = 64

    /// The configured prefix, as given.
    public let prefix: String
    /// `prefix` + `v1:`, computed once.
    private let head: [UInt8]

    /// Fails when `prefix` is longer than `maximumPrefixLength` or contains anything but
    /// printable ASCII without `{` and `}` (a brace would move the Cluster hash tag).
    public init(prefix: String = RedisKeySchema.defaultPrefix) throws(RedisKeySchemaError) {
        let bytes = Array(prefix.utf8)
        guard bytes.count <= Self.maximumPrefixLength else {
            throw RedisKeySchemaError("key prefix is longer than \(Self.maximumPrefixLength) bytes")
        }
        for b in bytes where b <= 0x20 || b >= 0x7F || b == UInt8(ascii: "{") || b == UInt8(ascii: "}") {
            throw RedisKeySchemaError("key prefix may only hold printable ASCII without spaces or braces")
        }
        self.prefix = prefix
        self.head = bytes + Array((Self.formatVersion + ":").utf8)
    }

    // MARK: - Records of one cache key (hash-tagged by the key)

    /// The stored succeeded prediction for a cache key.
    public func entry(_ key: Digest) -> RedisKey { tagged("e", key.hex) }

    /// The recorded SSE events of a completed stream, for replay.
    public func streamRecording(_ key: Digest) -> RedisKey { tagged("s", key.hex) }

    /// The upstream prediction currently running for a cache key (request coalescing).
    public func inFlight(_ key: Digest) -> RedisKey { tagged("f", key.hex) }

    // MARK: - Records named by an identifier

    /// What Reprise knows about a prediction id it handed out or relayed.
    public func prediction(_ id: Identifier) -> RedisKey { tagged("p", id.value) }

    /// The entry a hit answered from, by the SHA-256 of its bytes: hit records refer to it
    /// instead of each carrying a copy of the prediction.
    public func hitBody(_ bodyHash: Digest) -> RedisKey { tagged("hb", bodyHash.hex) }

    /// A stream capability token (the unguessable part of a replayed stream URL).
    public func streamCapability(_ token: Identifier) -> RedisKey { tagged("c", token.value) }

    /// The model a version id belongs to.
    public func versionModel(_ versionID: Identifier) -> RedisKey { plain("vm", versionID.value) }

    /// The SHA-256 of an API token upstream has accepted (never the token itself).
    public func acceptedToken(_ tokenHash: Digest) -> RedisKey { plain("t", tokenHash.hex) }

    // MARK: - Assembly

    private func tagged(_ kind: StaticString, _ id: String) -> RedisKey {
        var out = start(kind, extra: id.utf8.count + 2)
        out.append(UInt8(ascii: "{"))
        out.append(contentsOf: id.utf8)
        out.append(UInt8(ascii: "}"))
        return RedisKey(bytes: out)
    }

    private func plain(_ kind: StaticString, _ id: String) -> RedisKey {
        var out = start(kind, extra: id.utf8.count)
        out.append(contentsOf: id.utf8)
        return RedisKey(bytes: out)
    }

    private func start(_ kind: StaticString, extra: Int) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(head.count + kind.utf8CodeUnitCount + 1 + extra)
        out.append(contentsOf: head)
        kind.withUTF8Buffer { out.append(contentsOf: $0) }
        out.append(UInt8(ascii: ":"))
        return out
    }
}

/// A rejected schema setting (the key prefix). Carries a message fit for a config error.
public struct RedisKeySchemaError: Error, Hashable, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
