import CacheCore
import CryptoPrimitives
import JSONCore
import Metrics
import ProxyCore
import ReplicateAPI

extension SHA256Hasher: HashSink {}

/// Everything one loop needs to make cache decisions and keep cache state: the store and the
/// loop's `HotTier` in front of it, a SHA-256 context and a canonicaliser reused for every
/// request, the settings of the current config, and the loop's metric shard.
///
/// Threading: loop-bound, like the `ProxyResponder` that owns it.
final class LoopCache {
    let store: any CacheStore
    let hasher = SHA256Hasher()
    var canonicalizer = CanonicalJSON()
    var settings: CacheRuntimeSettings {
        didSet {
            hot.configure(settings, loopCount: loopCount)
            if settings.hotMaxBytes != oldValue.hotMaxBytes { requests = Self.makeRequestMemo(settings, loopCount: loopCount) }
        }
    }
    let metrics: MetricsShard
    let hot: HotTier
    /// What recent create bodies mean (parsed, keyed input): repeats skip the parse and the hash.
    var requests: CreateRequestMemo
    /// Loops sharing `settings.hotMaxBytes`.
    private let loopCount: Int
    /// Tells every loop's hot tier (this one's included) that this replica wrote an entry.
    /// Set by the app right after the loop's responder is made; until then only this loop's tier hears.
    var broadcastEntryWritten: ((CacheKey) -> Void)?
    /// The loop's monotonic clock (`EventLoop.now`), for the hot tier.
    let now: () -> UInt64

    init(
        store: any CacheStore, settings: CacheRuntimeSettings, metrics: MetricsShard, loopCount: Int,
        now: @escaping () -> UInt64
    ) {
        self.store = store
        self.now = now
        self.settings = settings
        self.metrics = metrics
        self.loopCount = max(1, loopCount)
        self.hot = HotTier(ttlNanos: 0, maxBytes: 0, hasher: SHA256Hasher())
        self.requests = Self.makeRequestMemo(settings, loopCount: self.loopCount)
        hot.configure(settings, loopCount: self.loopCount)
    }

    /// The loop's request memo: an eighth of its share of `cache.hot_max_bytes`, bodies up to
    /// 64 KiB (larger inputs, data URIs, are rare repeats and costly to hold).
    private static func makeRequestMemo(_ settings: CacheRuntimeSettings, loopCount: Int) -> CreateRequestMemo {
        CreateRequestMemo(
            maxBytes: settings.hotMaxBytes / max(1, loopCount) / 8, maxBodyBytes: 64 << 10,
            seed: UInt64.random(in: 0...UInt64.max))
    }

    /// What `body` means for `route`: remembered, or analysed (parsed, its input canonicalised
    /// and hashed) and remembered. The failure says why the create cannot be keyed.
    func analyze(route: PredictionRoute, body: [UInt8]) -> Result<CreateRequestMemo.Analysis, CreateRequest.Unkeyable> {
        if let known = requests.lookup(route: route, body: body) { return .success(known) }
        let request: CreateRequest
        switch CreateRequest.analyze(route: route, body: body) {
        case .failure(let why): return .failure(why)
        case .success(let r): request = r
        }
        guard let input = try? InputDigest(canonicalizing: request.input, with: &canonicalizer, hasher: hasher) else {
            return .failure(.inputNotCanonicalizable)
        }
        let sharedKey = CacheKey(model: request.keyModel, version: request.version, scope: .shared, input: input, hasher: hasher)
        let analysis = CreateRequestMemo.Analysis(
            request: request, input: input, inputJSON: request.input.serialized(), sharedKey: sharedKey)
        requests.remember(route: route, body: body, analysis: analysis)
        return .success(analysis)
    }

    /// SHA-256 of a token's bytes; the only form in which a token is ever kept.
    func tokenHash(_ token: AuthToken) -> SHA256Digest {
        hasher.reset()
        token.withUnsafeTokenBytes { hasher.update($0) }
        return SHA256Digest(bytes: hasher.finish())!
    }

    /// Takes what a lookup returned into the hot tier: the token if Redis confirmed it, the
    /// version's model, and the entry (decoded, or its copy dropped when Redis has none).
    func absorb(
        _ found: CacheLookup, key: CacheKey, tokenHash: SHA256Digest, version: String?, issuedAt: UInt64
    ) -> HotTier.Entry? {
        let now = self.now()
        if found.tokenAccepted { hot.rememberToken(tokenHash, now: now) }
        if let version, let model = found.versionModel { hot.rememberVersionModel(version, model: model) }
        guard let raw = found.entry else {
            hot.invalidate(key)
            return nil
        }
        return hot.adopt(key, raw: raw, storeTTLMillis: found.entryTTLMillis, issuedAt: issuedAt, now: now)
    }

    /// Looks `key` up again while the hot tier still answers it (`HotTier.claimRefresh`).
    func refreshHot(key: CacheKey, tokenHash: SHA256Digest, version: String?, onError: @escaping (CacheStoreError) -> Void) {
        let issuedAt = now()
        store.lookup(key: key, tokenHash: tokenHash, version: version) { [self] result in
            switch result {
            case .success(let found):
                _ = absorb(found, key: key, tokenHash: tokenHash, version: version, issuedAt: issuedAt)
            case .failure(let error):
                hot.readFailed(key, now: now())
                onError(error)
            }
        }
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
        // The next create on any loop must read what was just written, not a copy held in memory.
        if let broadcastEntryWritten {
            broadcastEntryWritten(key)
        } else {
            hot.entryWritten(key, now: now())
        }
    }
}

extension HotTier {
    /// Takes the tier's share of the settings (the memory budget is split between the loops).
    func configure(_ settings: CacheRuntimeSettings, loopCount: Int) {
        ttlNanos = settings.hotTTLNanos
        graceNanos = settings.hotGraceNanos
        maxBytes = settings.hotMaxBytes / max(1, loopCount)
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
