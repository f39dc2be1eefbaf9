import CacheCore
import CryptoPrimitives
import HTTPServer
import HTTPTypes
import JSONCore
import Metrics
import RedisKeyspace
import ProxyCore
import ReplicateAPI
import Upstream

/// One prediction create: keyed, looked up, answered from the cache or forwarded, and its
/// completion captured for the cache.
///
/// ```
/// body complete → CreateRequest.analyze ──unkeyable──────────────▶ forward, BYPASS
///                      │ keyed
///                      ▼
///   CacheDecision (policy × Cache-Control) ──skip──────────────────▶ forward (store per decision)
///                      │ lookup
///                      ▼
///   store.lookup (entry + token + version→model: one round trip)
///      ├─ store error, the loop's copy within cache.hot_grace ──────────▶ HIT
///      ├─ store error ──────────────────────────────────────────────▶ forward (fail open), MISS
///      ├─ usable entry, token known ────────────────────────────────▶ HIT
///      ├─ usable entry, token unknown ─ GET /v1/account ─ 2xx ──────▶ HIT
///      │                                               └ 401/403 ─▶ Replicate's 401
///      └─ nothing usable ───────────────────────────────────────────▶ forward, MISS
/// ```
/// A forwarded create is recorded (`p:{id}`) so that whichever replica sees it succeed — in the
/// create's own answer, a client's poll, or Reprise's background poll — stores it.
///
/// Threading: loop-bound. The client may leave at any time; the upstream create is never
/// cancelled for that (the prediction runs on Replicate anyway, and its result is worth keeping).
final class CreateExchange: HTTPExchangeDelegate {
    private let exchange: any HTTPExchange
    private let host: ProxyResponder
    private let route: PredictionRoute
    private var body: [UInt8] = []
    private var clientGone = false
    private let startedAt: UInt64
    /// Checks made while coalesced (`coalesce`).
    private var coalesceRounds = 0

    init(exchange: any HTTPExchange, host: ProxyResponder, route: PredictionRoute) {
        self.exchange = exchange
        self.host = host
        self.route = route
        self.startedAt = exchange.loop.now
    }

    func start() {
        exchange.delegate = self
    }

    // MARK: - Client events

    func exchange(_ exchange: any HTTPExchange, didReceiveBody bytes: UnsafeRawBufferPointer) {
        body.append(contentsOf: bytes)
    }

    func exchangeDidEndRequestBody(_ exchange: any HTTPExchange) {
        decide()
    }

    func exchangeBecameWritable(_ exchange: any HTTPExchange) {}

    func exchangeDidClose(_ exchange: any HTTPExchange) {
        clientGone = true
    }

    // MARK: - Deciding

    /// What is known about a keyed create while it is being decided.
    private struct Keyed {
        var request: CreateRequest
        var key: CacheKey
        var input: InputDigest
        /// The client's input as a hit's JSON carries it.
        var inputJSON: [UInt8]
        var token: AuthToken
        var tokenHash: SHA256Digest
        var decision: CacheDecision
        var policy: CachePolicy.Resolved
    }

    private func decide() {
        let cache = host.cache
        let analysis: CreateRequestMemo.Analysis
        switch cache.analyze(route: route, body: body) {
        case .failure(let why):
            host.log.bypass(reason: why.reason)
            forward(result: .bypass, keyed: nil)
            return
        case .success(let a):
            analysis = a
        }
        let request = analysis.request
        let input = analysis.input
        guard let token = AuthToken(headers: exchange.head.headers) else {
            // No credentials: upstream answers 401; nothing to key a token check on.
            forward(result: .bypass, keyed: nil)
            return
        }
        let tokenHash = cache.tokenHash(token)
        let key = cache.settings.scopeByToken
            ? CacheKey(model: request.keyModel, version: request.version, scope: .token(tokenHash), input: input, hasher: cache.hasher)
            : analysis.sharedKey
        let policy = cache.settings.policy.resolve(model: request.modelName ?? request.deployment, version: request.version)
        let cacheControl = CacheControl(fieldValues: exchange.head.headers.values(.cacheControl))
        let decision = CacheDecision.decide(policy: policy, cacheControl: cacheControl)
        let keyed = Keyed(
            request: request, key: key, input: input, inputJSON: analysis.inputJSON, token: token, tokenHash: tokenHash, decision: decision,
            policy: policy)
        if let reason = decision.bypassReason {
            host.log.bypass(reason: reason)
            forward(result: .bypass, keyed: keyed)
            return
        }
        guard case .lookup(let maxAge) = decision.lookup else {
            forward(result: .miss, keyed: keyed)
            return
        }
        let askVersion = request.modelName == nil ? request.version : nil
        if answerFromMemory(keyed: keyed, cacheControl: cacheControl, maxAge: maxAge, askVersion: askVersion) { return }
        let issuedAt = exchange.loop.now
        cache.metrics.increment(MetricSeries(.hotTierLookups, ["redis"]))
        cache.store.lookup(key: key, tokenHash: tokenHash, version: askVersion) { [self] result in
            switch result {
            case .failure(let error):
                host.noteStoreError(error)
                // Within its grace the loop's copy now stands in for Redis, for this create and
                // the next ones; without one, the create fails open.
                cache.hot.readFailed(key, now: exchange.loop.now)
                if !answerFromMemory(keyed: keyed, cacheControl: cacheControl, maxAge: maxAge, askVersion: askVersion) {
                    forward(result: .error, keyed: keyed)
                }
            case .success(let found):
                let hot = cache.absorb(found, key: key, tokenHash: tokenHash, version: askVersion, issuedAt: issuedAt)
                proceed(keyed: keyed, cacheControl: cacheControl, maxAge: maxAge, found: found, hot: hot)
            }
        }
    }

    /// Decides the create from the loop's hot tier when it may stand in for Redis: an entry Redis
    /// returned less than `cache.hot_ttl` ago, or, within `cache.hot_grace`, one whose last read
    /// from Redis failed (Redis is then asked again in the background, not while the client
    /// waits) — each only for a token Redis confirmed within the same time. False when the
    /// create must ask Redis.
    private func answerFromMemory(keyed: Keyed, cacheControl: CacheControl, maxAge: Int?, askVersion: String?) -> Bool {
        let cache = host.cache
        let now = exchange.loop.now
        let fresh = cache.hot.servable(keyed.key, now: now)
        guard let hot = fresh ?? cache.hot.failingOver(keyed.key, now: now),
            fresh != nil
                ? cache.hot.tokenAccepted(keyed.tokenHash, now: now)
                : cache.hot.tokenAcceptedInGrace(keyed.tokenHash, now: now)
        else { return false }
        let learned = askVersion.flatMap { cache.hot.versionModel($0) }
        guard askVersion == nil || learned != nil else { return false }
        cache.metrics.increment(MetricSeries(.hotTierLookups, [fresh != nil ? "hot" : "grace"]))
        if cache.hot.claimRefresh(keyed.key, now: now) {
            cache.metrics.increment(MetricSeries(.hotTierLookups, ["refresh"]))
            cache.refreshHot(key: keyed.key, tokenHash: keyed.tokenHash, version: askVersion, onError: host.noteStoreError)
        }
        proceed(
            keyed: keyed, cacheControl: cacheControl, maxAge: maxAge,
            found: CacheLookup(entry: nil, tokenAccepted: true, versionModel: learned), hot: hot)
        return true
    }

    /// Decides a looked-up create: `found` is what the store said (or the hot tier, standing in
    /// for it), `hot` the decoded entry, if any.
    private func proceed(
        keyed: Keyed, cacheControl: CacheControl, maxAge: Int?, found: CacheLookup, hot: HotTier.Entry?
    ) {
        var keyed = keyed
        if keyed.request.modelName == nil, let learned = found.versionModel {
            keyed.policy = host.cache.settings.policy.resolve(model: learned, version: keyed.request.version)
            if !keyed.policy.enabled {
                keyed.decision = CacheDecision.decide(policy: keyed.policy, cacheControl: cacheControl)
                forward(result: .bypass, keyed: keyed)
                return
            }
        }
        guard let entry = hot.flatMap({ usable($0, keyed: keyed, maxAge: maxAge) }) else {
            if found.inFlight, let wait = PreferWait.seconds(exchange.head.headers.values(.prefer)), wait > 2 {
                // An identical create is running: wait for its result instead of paying twice.
                coalesce(keyed: keyed, maxAge: maxAge, tokenAccepted: found.tokenAccepted,
                         deadline: exchange.loop.now &+ Duration.seconds(wait - 2).nanosecondsClamped)
                return
            }
            forward(result: .miss, keyed: keyed)
            return
        }
        serve(entry, keyed: keyed, tokenAccepted: found.tokenAccepted, result: .hit)
    }

    /// The stored entry in `bytes`, decoded (or its earlier decode, from the hot tier), if it
    /// may answer this request.
    private func usableEntry(_ bytes: [UInt8]?, keyed: Keyed, maxAge: Int?) -> HotTier.Entry? {
        guard let bytes,
            let hot = host.cache.hot.adopt(keyed.key, raw: bytes, storeTTLMillis: nil, now: exchange.loop.now)
        else { return nil }
        return usable(hot, keyed: keyed, maxAge: maxAge)
    }

    /// `hot` if it may answer this request: it is for the same input (compared by hash, not just
    /// by key), version and model agree, and it is young enough.
    private func usable(_ hot: HotTier.Entry, keyed: Keyed, maxAge: Int?) -> HotTier.Entry? {
        let entry = hot.entry
        guard entry.inputSHA256 == keyed.input.hex else { return nil }
        if let v = keyed.request.version, entry.version != v { return nil }
        if let m = keyed.request.modelName, entry.model.lowercased() != m, keyed.request.version == nil { return nil }
        if let maxAge, entry.ageSeconds(nowMillis: host.clock.unixMillis()) > maxAge { return nil }
        return hot
    }

    /// Waits for an identical in-flight create (this replica's or another's) to store its result,
    /// checking every 50 ms until `deadline` — a little before the client's own `Prefer: wait`
    /// runs out. If the leader ends without a result, the request goes upstream itself; if time
    /// runs out, it goes upstream without `Prefer: wait`, so the client gets a `starting`
    /// prediction at once and polls it, within its timeout. Every fourth check (from the first)
    /// asks the poller watching the leader's prediction, on whichever loop, to poll sooner than
    /// its backoff (`PollRouter.hurry`); a watch ending without a result lifts the in-flight
    /// mark, which ends the wait.
    private func coalesce(keyed: Keyed, maxAge: Int?, tokenAccepted: Bool, deadline: UInt64) {
        let cache = host.cache
        if coalesceRounds % 4 == 0 { host.pollRoutes.hurry(key: keyed.key.hex) }
        coalesceRounds += 1
        exchange.loop.schedule(after: .milliseconds(50)) { [self] in
            guard !clientGone else { return }
            cache.store.entry(key: keyed.key) { [self] result in
                switch result {
                case .failure(let error):
                    host.noteStoreError(error)
                    forward(result: .error, keyed: keyed)
                case .success(let found):
                    if let entry = usableEntry(found.entry, keyed: keyed, maxAge: maxAge) {
                        serve(entry, keyed: keyed, tokenAccepted: tokenAccepted, result: .coalesced)
                    } else if !found.inFlight {
                        forward(result: .miss, keyed: keyed)
                    } else if exchange.loop.now >= deadline {
                        forward(result: .miss, keyed: keyed, withoutWaiting: true)
                    } else {
                        coalesce(keyed: keyed, maxAge: maxAge, tokenAccepted: tokenAccepted, deadline: deadline)
                    }
                }
            }
        }
    }

    /// Answers from `entry` once the token is known to be one Replicate accepts.
    private func serve(_ entry: HotTier.Entry, keyed: Keyed, tokenAccepted: Bool, result: LookupResult) {
        if tokenAccepted {
            serveHit(entry, keyed: keyed, result: result)
        } else {
            verifyToken(keyed: keyed, entry: entry, result: result)
        }
    }

    /// Asks Replicate whether it accepts a token it has not seen (or not recently): a hit must
    /// never hand cached output to a token Replicate would reject.
    private func verifyToken(keyed: Keyed, entry: HotTier.Entry, result lookupResult: LookupResult) {
        var headers = HTTPHeaders()
        if let auth = exchange.head.headers[.authorization] { headers.add(.authorization, auth) }
        let request = UpstreamRequest(method: .get, url: host.upstreamBase + "/v1/account", headers: headers)
        host.callUpstream(request) { [self] outcome in
            switch outcome {
            case .success(let answer) where (200..<300).contains(answer.head.status):
                host.cache.store.rememberAcceptedToken(keyed.tokenHash, ttlSeconds: host.cache.settings.acceptedTokenTTLSeconds)
                host.cache.hot.rememberToken(keyed.tokenHash, now: exchange.loop.now)
                serveHit(entry, keyed: keyed, result: lookupResult)
            case .success(let answer) where answer.head.status == 401 || answer.head.status == 403:
                host.cache.hot.forgetToken(keyed.tokenHash)
                host.cache.countLookup(model: host.cache.modelLabel(keyed.policy), result: .miss)
                finish(status: 401) { exchange.respond(problem: ReplicateErrors.unauthenticated) }
            default:
                // Replicate could not say: let it judge the create itself.
                forward(result: .miss, keyed: keyed)
            }
        }
    }

    // MARK: - Answering

    private func serveHit(_ hot: HotTier.Entry, keyed: Keyed, result: LookupResult) {
        let cache = host.cache
        let entry = hot.entry
        let id = SecureRandom.identifier26()
        let publicBase = host.publicBase(for: exchange.head)
        let nowNanos = host.clock.unixNanos()
        let keyHex = keyed.key.hex
        // A hit streams when the original run could: the replay serves its recording, or a stream
        // made from the output if nobody streamed it.
        let streamURL = hot.template.offersStream || keyed.request.body["stream"]?.boolValue == true
            ? host.streamURL(replaying: keyed.key, publicBase: publicBase) : nil
        let inputJSON = keyed.inputJSON
        let body = hot.template.render(
            id: id, inputJSON: inputJSON, nowUnixNanos: nowNanos, publicBase: publicBase, streamURL: streamURL)
        // The record refers to the entry's bytes (kept under their hash) instead of copying the
        // answer: a few hundred bytes per hit in Redis, whatever the size of the output.
        let reference = PredictionRecord.HitReference(
            bodySHA256: hot.rawSHA256.hex, createdUnixNanos: nowNanos, publicBase: publicBase,
            inputJSON: CreateRequestMemo.equal(inputJSON, hot.template.storedInputJSON) ? nil : inputJSON,
            streamURL: streamURL)
        let record = PredictionRecord(
            origin: .hit, cacheKey: keyHex, tokenSHA256: keyed.tokenHash.hex, inputSHA256: keyed.input.hex,
            store: false, ttlSeconds: cache.settings.recordTTLSeconds, hit: reference)
        let recordTTL = cache.settings.recordTTLSeconds
        if cache.hot.claimBodyWrite(keyed.key, for: hot, now: exchange.loop.now) {
            let margin = Int(HotTier.bodyRewriteNanos / 1_000_000_000) + 60
            cache.store.putHitBody(sha256: hot.rawSHA256, body: hot.raw, ttlSeconds: recordTTL + margin)
        }
        cache.store.putRecord(id: id, record: record.encoded(), ttlSeconds: recordTTL)
        let label = cache.modelLabel(keyed.policy)
        cache.countLookup(model: label, result: result)
        let saved = entry.costUSD ?? 0
        cache.metrics.increment(MetricSeries(.costSavedUSD, [label]), by: saved)
        if let seconds = entry.computeSeconds {
            cache.metrics.increment(MetricSeries(.computeSecondsSaved, [label]), by: seconds)
        }
        var headers = HTTPHeaders()
        headers.add(.contentType, "application/json")
        headers.add(.xCacheStatus, result.headerValue)
        headers.add(.xCacheKey, keyHex)
        headers.add(.age, String(entry.ageSeconds(nowMillis: nowNanos / 1_000_000)))
        headers.add(.xRepriseSavedUSD, USDAmount.string(saved))
        if let prefer = exchange.head.headers[.prefer], prefer.hasPrefix("wait") {
            headers.add(.preferenceApplied, prefer)
        }
        finish(status: 201) { exchange.respond(status: 201, headers: headers, body: body) }
        if keyed.request.body["webhook"] != nil {
            // Rare enough to build the prediction as a tree for the webhook payloads.
            let prediction = HitPrediction.build(
                entry: entry, id: id, input: keyed.request.input, nowUnixNanos: nowNanos, publicBase: publicBase,
                streamURL: streamURL)
            host.webhooks.deliverForHit(
                prediction: prediction, createBody: keyed.request.body, authorization: exchange.head.headers[.authorization],
                tokenSHA256: keyed.tokenHash.hex)
        }
    }

    /// Counts the lookup as `result` (every path that goes upstream does so here, once), sends the
    /// create upstream as the client sent it and relays the answer, recording what the cache needs
    /// from it.
    private func forward(result: LookupResult, keyed: Keyed?, withoutWaiting: Bool = false) {
        host.cache.countLookup(model: keyed.map { host.cache.modelLabel($0.policy) } ?? "other", result: result)
        var headers = ForwardingPolicy.upstreamRequestHeaders(exchange.head.headers)
        if withoutWaiting { headers.remove(.prefer) }
        let marked = keyed.map { $0.decision.store && result != .bypass } ?? false
        if let keyed, marked {
            host.cache.store.markInFlight(key: keyed.key, ttlSeconds: host.cache.settings.inFlightTTLSeconds)
        }
        let url = host.upstreamURL(forTarget: exchange.head.target)
        let request = UpstreamRequest(method: exchange.head.method, url: url, headers: headers, body: .bytes(body))
        host.forwardPrediction(request) { [self] outcome in
            // No prediction is running when upstream refused the create (4xx/5xx) or could not
            // be reached: lift the in-flight mark, or identical `Prefer: wait` creates would wait
            // for a result that never comes until the mark expires.
            switch outcome {
            case .failed(let problem):
                if let keyed, marked { host.cache.store.clearInFlight(key: keyed.key) }
                finish(status: problem.status) { exchange.respond(problem: problem) }
            case .answered(let head, let shaped):
                if let keyed, (200..<300).contains(head.status) {
                    capture(shaped, keyed: keyed, authorization: exchange.head.headers[.authorization])
                } else if let keyed, marked {
                    host.cache.store.clearInFlight(key: keyed.key)
                }
                var extra = HTTPHeaders()
                extra.add(.xCacheStatus, result.headerValue)
                if let keyed { extra.add(.xCacheKey, keyed.key.hex) }
                let context = keyed.map {
                    ProxyResponder.StreamContext(
                        cacheKey: $0.key.hex, predictionID: shaped.id, store: $0.decision.store,
                        ttlSeconds: $0.policy.ttlSeconds)
                }
                finish(status: head.status) {
                    host.relayWhole(exchange, head: head, body: shaped.clientBody, extraHeaders: extra, streamContext: context)
                }
            }
        }
    }

    /// Records a forwarded create's prediction id and stores or watches its result.
    private func capture(_ answer: PredictionAnswer, keyed: Keyed, authorization: String?) {
        let cache = host.cache
        cache.store.rememberAcceptedToken(keyed.tokenHash, ttlSeconds: cache.settings.acceptedTokenTTLSeconds)
        if let version = keyed.request.version, let model = answer.model, keyed.request.modelName == nil {
            cache.store.rememberVersionModel(version: version, model: model)
        }
        if keyed.decision.store, answer.status?.isTerminal ?? true { cache.store.clearInFlight(key: keyed.key) }
        guard let id = answer.id, RedisKeySchema.Identifier(id) != nil else { return }
        let ttl = keyed.policy.ttlSeconds
        let record = PredictionRecord(
            origin: .miss, cacheKey: keyed.key.hex, tokenSHA256: keyed.tokenHash.hex, inputSHA256: keyed.input.hex,
            store: keyed.decision.store, ttlSeconds: ttl, upstreamStreamURL: answer.streamURL)
        cache.store.putRecord(id: id, record: record.encoded(), ttlSeconds: cache.settings.recordTTLSeconds)
        guard keyed.decision.store else { return }
        if answer.isStorableSuccess {
            cache.storeSucceeded(answer, key: keyed.key, inputSHA256: keyed.input.hex, ttlSeconds: ttl, nowMillis: host.clock.unixMillis())
        } else if let status = answer.status, !status.isTerminal, let authorization {
            host.poller.watch(
                id: id, authorization: authorization, key: keyed.key, inputSHA256: keyed.input.hex, ttlSeconds: ttl)
        }
    }

    private func finish(status: Int, _ send: () -> Void) {
        if !clientGone { send() }
        host.countRequest(route: route.label, status: status, startedAt: startedAt)
    }
}
