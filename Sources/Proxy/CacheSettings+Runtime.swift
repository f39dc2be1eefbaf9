import CacheCore
import Config

/// The cache's part of the config, flattened into the pure types `CacheCore` decides with.
/// Built once per config load; a value shared read-only by every loop.
public struct CacheRuntimeSettings: Sendable {
    public var policy: CachePolicy
    public var prices: [String: CostModel.Price]
    public var scopeByToken: Bool
    /// Largest stream recorded for replay.
    public var streamMaxBytes: Int = 8 << 20
    /// Replay recordings at their recorded pace instead of all at once.
    public var replayAtOriginalPace = false
    /// How long Reprise trusts that Replicate accepts a token it accepted before.
    public var acceptedTokenTTLSeconds: Int = 600
    /// Lifetime of prediction records (`p:{id}`): Replicate keeps API predictions about an hour.
    public var recordTTLSeconds: Int = 3600
    /// Upper bound of an in-flight mark: identical creates wait for a running one only while it
    /// is marked; a crashed replica's mark expires by itself.
    public var inFlightTTLSeconds: Int = 600
    /// How long Reprise keeps polling a miss nobody polls (Replicate's 30-minute limit).
    public var pollLimitSeconds: Int = 1800
    /// How long an entry read from Redis may answer hits from the loop's `HotTier`.
    public var hotTTLNanos: UInt64 = 1_000_000_000
    /// Memory of all loops' hot tiers together.
    public var hotMaxBytes: Int = 64 << 20
    /// How long past `hotTTLNanos` a loop's copy may answer while Redis fails.
    public var hotGraceNanos: UInt64 = 30_000_000_000

    public init(policy: CachePolicy, prices: [String: CostModel.Price], scopeByToken: Bool) {
        self.policy = policy
        self.prices = prices
        self.scopeByToken = scopeByToken
    }

    /// The price of `owner/name` (version-specific rules win).
    public func price(model: String?, version: String?) -> CostModel.Price? {
        guard let model else { return nil }
        if let version, let p = prices[model + ":" + version] { return p }
        return prices[model]
    }
}

extension RepriseConfig {
    public var cacheRuntimeSettings: CacheRuntimeSettings {
        var rules: [String: CachePolicy.Rule] = [:]
        for rule in cache.models {
            let key = rule.model.version.map { rule.model.modelName + ":" + $0 } ?? rule.model.modelName
            rules[key] = CachePolicy.Rule(ttlSeconds: rule.ttl.map { Int($0.components.seconds) }, enabled: rule.enabled)
        }
        var prices: [String: CostModel.Price] = [:]
        for rule in pricing.models {
            let key = rule.model.version.map { rule.model.modelName + ":" + $0 } ?? rule.model.modelName
            switch rule.price {
            case .hardware(_, let usdPerSecond): prices[key] = .perSecond(usd: usdPerSecond)
            case .tokens(let i, let o): prices[key] = .tokens(inputPerMillion: i, outputPerMillion: o)
            case .perOutput(let usd): prices[key] = .perOutput(usd: usd)
            }
        }
        // A priced model is "named in the config" too (contract.md, Metrics): an empty rule makes
        // the policy report it, so its savings get its own `model` label instead of `other`.
        for key in prices.keys where rules[key] == nil { rules[key] = CachePolicy.Rule() }
        var settings = CacheRuntimeSettings(
            policy: CachePolicy(defaultTTLSeconds: Int(cache.defaultTTL.components.seconds), rules: rules),
            prices: prices, scopeByToken: cache.scope == .token)
        settings.streamMaxBytes = cache.streamMaxBytes.bytes
        settings.replayAtOriginalPace = cache.streamReplay == .original
        settings.hotTTLNanos = cache.hotTTL.nanosecondsClamped
        settings.hotMaxBytes = cache.hotMaxBytes.bytes
        settings.hotGraceNanos = cache.hotGrace.nanosecondsClamped
        return settings
    }
}
