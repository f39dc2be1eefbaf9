import CacheCore
import EventLoop
import HTTPServer
import HTTPTypes
import JSONCore
import Logging
import Metrics
import ProxyCore
import ReplicateAPI
import Upstream

/// The per-loop entry point of every request: Reprise's own endpoints, the prediction routes
/// the cache handles, the stream relay, and transparent forwarding of everything else.
///
/// Threading: one instance per event loop, used only on that loop (the server calls `handle`
/// there). It owns the loop's upstream client, cache state and metric shard. Settings arrive by
/// value on reload (`apply`).
public final class ProxyResponder: HTTPResponder {
    let loop: EventLoop
    let upstream: UpstreamClient
    let streams: StreamRegistry
    /// The process's live stream relays, for late joiners (`StreamRelay`).
    let liveRelays: LiveRelayDirectory
    let readiness: Readiness
    let cache: LoopCache
    let clock: WallClock
    /// Rate limit of repeated warnings, shared by the app's loops.
    let warnings: LogRateLimiter
    /// Which loop watches which prediction, shared by the app's loops.
    let pollRoutes: PollRouter
    private let metricsCollector: MetricsCollector
    var log: ProxyLog
    private(set) var settings: ProxySettings
    private(set) lazy var poller = CompletionPoller(host: self)
    private(set) lazy var webhooks = makeWebhookDispatcher()

    init(
        loop: EventLoop, settings: ProxySettings, upstream: UpstreamClient, streams: StreamRegistry,
        liveRelays: LiveRelayDirectory, readiness: Readiness, cache: LoopCache, metricsCollector: MetricsCollector,
        clock: WallClock, logger: Logger, warnings: LogRateLimiter = LogRateLimiter(), pollRoutes: PollRouter = PollRouter()
    ) {
        self.warnings = warnings
        self.pollRoutes = pollRoutes
        self.loop = loop
        self.settings = settings
        self.upstream = upstream
        self.streams = streams
        self.liveRelays = liveRelays
        self.readiness = readiness
        self.cache = cache
        self.metricsCollector = metricsCollector
        self.clock = clock
        self.log = ProxyLog(logger: logger, logRequests: settings.logRequests, loopIndex: loop.index)
    }

    /// Applies reloaded settings to requests that start from now on.
    func apply(_ newSettings: ProxySettings, cacheSettings: CacheRuntimeSettings) {
        settings = newSettings
        cache.settings = cacheSettings
        log.logRequests = newSettings.logRequests
    }

    var upstreamBase: String { settings.upstreamBase }
    var upstreamBodyHighWater: Int { settings.upstreamBodyHighWater }

    func publicBase(for head: HTTPRequestHead) -> String {
        PublicBaseURL.resolve(configured: settings.publicURL, request: head, listen: settings.listen)
    }

    /// The rewrite from upstream's origin to the public base this request should see.
    func baseRewrite(for head: HTTPRequestHead) -> BaseURLRewrite {
        BaseURLRewrite(upstreamBase: settings.upstreamBase, publicBase: publicBase(for: head))
    }

    /// The upstream URL for a client's request-target (`/x`, `/v1/x`, `/v1/v1/x` → `…/v1/x`).
    func upstreamURL(forTarget target: String) -> String {
        (try? APIPath(target: target).upstreamURL(base: settings.upstreamBase)) ?? settings.upstreamBase + target
    }

    // MARK: - Routing

    public func handle(_ exchange: any HTTPExchange) {
        let head = exchange.head
        let apiPath: APIPath
        do {
            switch try RequestTarget.classify(head.target) {
            case .own(let endpoint):
                answerOwn(endpoint, exchange: exchange)
                return
            case .api(let path):
                apiPath = path
            }
        } catch {
            log.rejected(route: "invalid", status: 400, reason: "bad request target")
            exchange.respond(problem: error.problem)
            countRequest(route: "invalid", status: 400, startedAt: loop.now)
            return
        }
        cache.metrics.adjust(MetricSeries(.inflightRequests), by: 1)
        let route = PredictionRoute(method: head.method, path: apiPath)
        switch route {
        case .createPrediction, .createModelPrediction, .createDeploymentPrediction:
            CreateExchange(exchange: exchange, host: self, route: route).start()
        case .getPrediction(let id), .cancelPrediction(let id):
            PredictionReadExchange(exchange: exchange, host: self, id: id, route: route).start()
        case .stream(let token):
            StreamExchange(exchange: exchange, host: self, token: token).start()
        case .listPredictions, .passThrough:
            let plan = ForwardedExchange.Plan(
                url: apiPath.upstreamURL(base: settings.upstreamBase), method: head.method,
                headers: ForwardingPolicy.upstreamRequestHeaders(head.headers),
                body: ForwardingPolicy.requestBody(of: head), rewritesJSON: true, routeLabel: route.label)
            ForwardedExchange(exchange: exchange, host: self, plan: plan).start()
        }
    }

    private func answerOwn(_ endpoint: RepriseEndpoint, exchange: any HTTPExchange) {
        guard exchange.head.method == .get || exchange.head.method == .head else {
            exchange.respond(problem: ReplicateErrors.methodNotAllowed, extraHeaders: ["allow": "GET, HEAD"])
            return
        }
        switch endpoint {
        case .healthz:
            OwnEndpoints.healthz(exchange)
        case .readyz:
            OwnEndpoints.readyz(exchange, readiness: readiness)
        case .metrics:
            metricsCollector.collect(replyOn: loop) { text in
                var headers = HTTPHeaders()
                headers.add(.contentType, PrometheusText.contentType)
                exchange.respond(status: 200, headers: headers, body: Array(text.utf8))
            }
        case .statusPage:
            StatusPageEndpoint.answer(exchange, loop: loop, collector: metricsCollector, clock: clock)
        }
    }

    // MARK: - Shared by the request flows

    /// Sends a whole upstream answer on: hop-by-hop fields dropped, Replicate's URLs moved to
    /// Reprise (JSON bodies and `Location`), `Content-Length` set for the new body.
    func relayWhole(
        _ exchange: any HTTPExchange, head: HTTPResponseHead, body: [UInt8], extraHeaders: HTTPHeaders,
        streamContext: StreamContext? = nil
    ) {
        let base = baseRewrite(for: exchange.head)
        var out = body
        if ForwardingPolicy.isRewritableJSON(head.headers) {
            let publicBase = base.publicBase
            let rewritten = JSONURLRewriter.rewrite(body, base: base) {
                self.streamURL(relaying: $0, context: streamContext, publicBase: publicBase)
            }
            if rewritten.didFail { log.rewriteFailed(route: "prediction") }
            out = rewritten.bytes
        }
        var headers = ForwardingPolicy.clientResponseHeaders(head.headers, bodyRewritten: true)
        if let location = headers[.location], let moved = base.rewrite(location) { headers.set(.location, moved) }
        for field in extraHeaders { headers.add(field.name, field.value) }
        exchange.respond(status: head.status, headers: headers, body: out)
    }

    /// What is known about the prediction whose answer carries a stream URL: its cache key and
    /// whether (and how long) a recording of the stream should be kept.
    struct StreamContext {
        var cacheKey: String
        var predictionID: String?
        var store: Bool
        var ttlSeconds: Int
    }

    /// The capability URL Reprise writes in place of an upstream stream URL.
    func streamURL(relaying upstreamURL: String, context: StreamContext?, publicBase: String) -> String {
        let capability = StreamCapability(
            kind: .relay, upstreamURL: upstreamURL, cacheKey: context?.cacheKey, predictionID: context?.predictionID,
            store: context?.store ?? false, ttlSeconds: context?.ttlSeconds ?? 0)
        return publicBase + "/v1/streams/" + register(capability)
    }

    /// The capability URL that replays the cached entry under `key`.
    func streamURL(replaying key: CacheKey, publicBase: String) -> String {
        let capability = StreamCapability(kind: .replay, upstreamURL: nil, cacheKey: key.hex, store: false, ttlSeconds: 0)
        return publicBase + "/v1/streams/" + register(capability)
    }

    private func register(_ capability: StreamCapability) -> String {
        let (token, changed) = streams.register(capability)
        if changed {
            cache.store.putStreamCapability(
                token: token, capability: capability.encoded(), ttlSeconds: cache.settings.recordTTLSeconds)
        }
        return token
    }

    /// Counts a finished request (metrics and the access log's numbers).
    func countRequest(route: String, status: Int, startedAt: UInt64) {
        let elapsedNanos = loop.now &- startedAt
        let elapsed = Double(elapsedNanos) / 1e9
        cache.metrics.increment(MetricSeries(.httpRequests, [route, String(status)]))
        cache.metrics.observe(MetricSeries(.httpRequestDuration, [route]), elapsed)
        if route != "invalid" { cache.metrics.adjust(MetricSeries(.inflightRequests), by: -1) }
        log.request(route: route, status: status, elapsedNanos: elapsedNanos)
    }

    /// Counts every failed Redis command; logs at most one line a second per kind (an outage
    /// fails every request's lookup).
    func noteStoreError(_ error: CacheStoreError) {
        cache.metrics.increment(MetricSeries(.redisErrors))
        if let suppressed = warnings.admit("redis." + error.kind.rawValue, nowNanos: loop.now) {
            log.storeFailed(error, suppressed: suppressed)
        }
    }

    func noteUpstreamError(_ error: UpstreamError) {
        cache.metrics.increment(MetricSeries(.upstreamErrors, [error.kind.rawValue]))
        log.upstreamFailed(route: "upstream", error: error)
    }

    func observeUpstreamLatency(nanos: UInt64) {
        cache.metrics.observe(MetricSeries(.upstreamRequestDuration), Double(nanos) / 1e9)
    }

    /// How a prediction-route request sent upstream ended.
    enum PredictionOutcome {
        /// Upstream answered; the body is read and shaped (`aborted` → `canceled`).
        case answered(HTTPResponseHead, PredictionAnswer)
        /// Upstream could not be reached or broke off: answer with this problem.
        case failed(ProblemDetails)
    }

    /// Sends a create, get or cancel upstream and hands back the shaped answer.
    func forwardPrediction(_ request: UpstreamRequest, completion: @escaping (PredictionOutcome) -> Void) {
        callUpstream(request) { outcome in
            switch outcome {
            case .failure(let error): completion(.failed(GatewayProblem.problem(for: error)))
            case .success(let answer): completion(.answered(answer.head, PredictionAnswer(body: answer.body)))
            }
        }
    }

    /// Sends `request` upstream and hands over the whole answer; latency and failures are
    /// counted here so every flow reports them the same way.
    func callUpstream(_ request: UpstreamRequest, completion: @escaping BufferedUpstreamCall.Completion) {
        BufferedUpstreamCall.start(request, on: upstream) { [self] result in
            switch result {
            case .success(let answer): observeUpstreamLatency(nanos: answer.upstreamNanos)
            case .failure(let error): noteUpstreamError(error)
            }
            completion(result)
        }
    }
}
