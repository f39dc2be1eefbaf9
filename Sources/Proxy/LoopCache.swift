import CacheCore
import CryptoPrimitives
import JSONCore
import Metrics
import ProxyCore
import ReplicateAPI

extension SHA256Hasher: HashSink {}

/// Everything one loop needs to make cache decisions and keep cache state: the store, a
/// SHA-256 context and a canonicaliser reused for every request, the settings of the current
/// config, and the loop's metric shard.
///
/// Threading: loop-bound, like the `ProxyResponder` that owns it.
final class LoopCache {
    let store: any CacheStore
    let hasher = SHA256Hasher()
    var canonicalizer = CanonicalJSON()
    var settings: CacheRuntimeSettings
    let metrics: MetricsShard

    init(store: any CacheStore, settings: CacheRuntimeSettings, metrics: MetricsShard) {
        self.store = store
        self.settings = settings
        self.metrics = metrics
    }

    /// SHA-256 of a token's bytes; the only form in which a token is ever kept.
    func tokenHash(_ token: AuthToken) -> SHA256Digest {
        hasher.reset()
        token.withUnsafeTokenBytes { hasher.update($0) }
        return SHA256Digest(bytes: hasher.finish())!
    }

    /// The metric label for a model: its configured `owner/name`, else `other` (bounded labels).
    func modelLabel(_ resolved: CachePolicy.Resolved) -> String { resolved.configuredModel ?? "other" }

    func countLookup(model: String, result: LookupResult) {
        metrics.increment(MetricSeries(.cacheLookups, [model, result.rawValue]))
    }

    /// Stores a succeeded prediction under `key` with the cost of the run, so hits can report
    /// what they saved. Returns nothing: a failed write is counted by the store.
    func storeSucceeded(_ answer: PredictionAnswer, key: CacheKey, inputSHA256: String, ttlSeconds: Int, nowMillis: Int64) {
        guard answer.isStorableSuccess, let prediction = answer.prediction, ttlSeconds > 0 else { return }
        let cost = CostModel.cost(of: prediction, price: settings.price(model: answer.model, version: answer.version))
        let entry = CacheEntry(
            model: answer.model ?? "", version: answer.version ?? "", inputSHA256: inputSHA256, storedAtMillis: nowMillis,
            costUSD: cost.usd, computeSeconds: cost.computeSeconds, prediction: prediction)
        store.storeEntry(key: key, entry: entry.encoded(), ttlSeconds: ttlSeconds)
    }
}

/// The `result` label of `reprise_cache_lookups_total` and the `X-Cache-Status` values.
enum LookupResult: String {
    case hit, miss, bypass, coalesced, error

    /// The header value (contract.md: `HIT | MISS | BYPASS | COALESCED`; a store error is
    /// answered as the miss it became).
    var headerValue: String {
        switch self {
        case .hit: return "HIT"
        case .miss, .error: return "MISS"
        case .bypass: return "BYPASS"
        case .coalesced: return "COALESCED"
        }
    }
}
