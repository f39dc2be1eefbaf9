/// `cache.*`: how long predictions are kept and for which models. Value type.
public struct CacheSettings: Sendable, Equatable {
    /// `cache.default_ttl`
    public var defaultTTL: Duration
    /// `cache.scope`
    public var scope: CacheScope
    /// `cache.stream_max_bytes`
    public var streamMaxBytes: ByteSize
    /// `cache.stream_replay`
    public var streamReplay: StreamReplayPace
    /// `cache.hot_ttl`
    public var hotTTL: Duration
    /// `cache.hot_max_bytes`
    public var hotMaxBytes: ByteSize
    /// `cache.hot_grace`
    public var hotGrace: Duration
    /// `cache.models`, in file order. At most one rule per `ModelRef` (duplicate keys are errors).
    public var models: [ModelCacheRule]
}

/// How a hit replays a recorded stream (`cache.stream_replay`).
public enum StreamReplayPace: String, Sendable, CaseIterable {
    /// Every event at once: the client gets the whole answer as fast as it can read.
    case immediate
    /// Each event at its recorded offset from the start, as the first client saw it.
    case original
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
