/// Who may share a cache entry: everyone behind this Reprise, or only one API token.
///
/// A token scope holds the SHA-256 of the token, never the token itself, so keys, logs and
/// Redis never see a secret. Value type; `Sendable`.
public enum CacheScope: Hashable, Sendable {
    /// One entry for every client (`cache.scope: shared`).
    case shared
    /// Entries visible only to requests carrying the token with this SHA-256.
    case token(SHA256Digest)

    /// The scope of `token`, hashed with `hasher` (which is reset first).
    public init(token: String, hasher: some HashSink) {
        hasher.reset()
        var token = token
        token.withUTF8 { hasher.update(UnsafeRawBufferPointer($0)) }
        self = .token(hasher.finishDigest())
    }

    /// The scope field of the key encoding: empty, or 64 lowercase hex digits.
    var keyField: String {
        switch self {
        case .shared: ""
        case .token(let digest): digest.hex
        }
    }
}
