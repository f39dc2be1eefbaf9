/// `cache.*`: how long predictions are kept and for which models. Value type.
public struct CacheSettings: Sendable, Equatable {
    /// `cache.default_ttl`
    public var defaultTTL: Duration
    /// `cache.scope`
    public var scope: CacheScope
    /// `cache.stream_max_bytes`
    public var streamMaxBytes: ByteSize
    /// `cache.models`, in file order. At most one rule per `ModelRef` (duplicate keys are errors).
    public var models: [ModelCacheRule]
}

/// Who may be answered from an entry (`cache.scope`).
public enum CacheScope: String, Sendable, CaseIterable {
    /// One entry answers every API token that Replicate accepts.
    case shared
    /// Each API token has its own entries (the key includes a hash of the token).
    case token
}

/// One `cache.models` entry. Value type.
public struct ModelCacheRule: Sendable, Equatable {
    public var model: ModelRef
    /// nil: `cache.default_ttl`.
    public var ttl: Duration?
    public var enabled: Bool

    public init(model: ModelRef, ttl: Duration? = nil, enabled: Bool = true) {
        self.model = model
        self.ttl = ttl
        self.enabled = enabled
    }
}
