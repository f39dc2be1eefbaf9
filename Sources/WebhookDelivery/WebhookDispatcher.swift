import CryptoPrimitives
import EventLoop
import HTTPTypes
import JSONCore
import Logging
import Metrics
import Upstream
import Webhooks

/// Delivers the webhooks a cache hit owes: Replicate never hears of a hit, so unless Reprise
/// calls the client's webhook, a client that creates with a webhook and does not poll would wait
/// forever. One dispatcher per event loop.
///
/// For each webhook the create asked for (`WebhookRequest`), the finished prediction's events
/// (`WebhookEventPlan`) are POSTed one after another with the prediction JSON as body, signed
/// the way Replicate signs (`WebhookSignature`) with the account's secret (`WebhookSecretSource`,
/// fetched with the client's own token). Each attempt is bounded by `timeout`; redirects are
/// not followed; only `completed` is retried, on the `WebhookRetrySchedule`. Every address the
/// URL's host resolves to is checked against `WebhookAddressPolicy` at connect time. Jobs wait
/// in a bounded queue (`maxQueued`, counting those sending or between retries) with at most
/// `maxInFlight` sending at once; past the bound new ones are dropped. Each event ends as one
/// of `reprise_webhook_deliveries_total{result}`: delivered, failed, refused or dropped.
///
/// Logs name the receiver's host only: a webhook URL's path and query often carry the
/// receiver's own credentials. Tokens and secrets are never logged.
///
/// Threading: loop-bound — `deliverForHit` and `shutdown` must be called on `loop`, and every
/// callback (secret fetch, POST, retry timer) runs there. Nothing blocks: the loop drives the
/// transfers and the timers.
public final class WebhookDispatcher {
    /// Sends a request to Replicate (the secret fetch) and hands back status and whole body; the
    /// owner supplies it so that such calls are counted like its other upstream calls.
    public typealias CallReplicate = (
        UpstreamRequest, @escaping (Result<(status: Int, body: [UInt8]), UpstreamError>) -> Void
    ) -> Void

    /// The outcome label of `reprise_webhook_deliveries_total`.
    enum DeliveryResult: String {
        case delivered, failed, refused, dropped
    }

    private let loop: EventLoop
    private let client: UpstreamClient
    private let metrics: MetricsShard
    private let logger: Logger
    private let unixSeconds: () -> Int64
    private let currentSettings: () -> WebhookDeliverySettings
    private let secrets: WebhookSecretSource
    private var ready: [WebhookJob] = []
    private var inFlight = 0
    private var retryJobs: [ObjectIdentifier: WebhookJob] = [:]
    private var isShutDown = false

    /// - Parameters:
    ///   - client: the loop's upstream client; deliveries set an address filter, so they always
    ///     open connections of their own (`UpstreamRequest.addressFilter`).
    ///   - settings: read at each delivery, so a reload applies to the next one.
    ///   - unixSeconds: wall-clock time for `webhook-timestamp`.
    public init(
        loop: EventLoop, client: UpstreamClient, metrics: MetricsShard, logger: Logger,
        settings: @escaping () -> WebhookDeliverySettings, unixSeconds: @escaping () -> Int64,
        callReplicate: @escaping CallReplicate
    ) {
        self.loop = loop
        self.client = client
        self.metrics = metrics
        self.logger = logger
        self.currentSettings = settings
        self.unixSeconds = unixSeconds
        let initial = settings()
        secrets = WebhookSecretSource(
            loop: loop, capacity: initial.secretCacheCapacity, ttl: initial.secretTTL, call: callReplicate)
    }

    /// Deliveries held: waiting, sending, or between retries.
    public var held: Int { ready.count + inFlight + retryJobs.count }

    /// Queues the webhooks that `createBody` asks for, for the hit answered with `prediction`.
    /// Returns at once; does nothing when the create asked for none.
    ///
    /// - Parameters:
    ///   - authorization: the client's `Authorization` value, used to fetch the signing secret.
    ///   - tokenSHA256: the SHA-256 of the client's token (keys the secret cache).
    public func deliverForHit(
        prediction: JSONValue, createBody: JSONObject, authorization: String?, tokenSHA256: String
    ) {
        assert(loop.inEventLoop, "WebhookDispatcher used off its loop")
        guard !isShutDown, let request = WebhookRequest.parse(createBody: createBody) else { return }
        let settings = currentSettings()
        let body = prediction.serialized()
        for target in request.targets {
            let events = WebhookEventPlan.events(for: target.events, prediction: prediction)
            guard !events.isEmpty else { continue }
            let url: WebhookURL
            switch WebhookURL.parse(target.url) {
            case .failure(let problem):
                count(.refused, events.count)
                logger.warn("webhook refused: not an http(s) URL with a host", ["problem": .string("\(problem)")])
                continue
            case .success(let parsed):
                url = parsed
            }
            guard let authorization else {
                count(.failed, events.count)
                continue
            }
            guard held < settings.maxQueued else {
                count(.dropped, events.count)
                logger.warn(
                    "webhook dropped: delivery queue full",
                    ["host": .string(url.host), "limit": .int(settings.maxQueued)])
                continue
            }
            ready.append(
                WebhookJob(
                    url: url, events: events, body: body, authorization: authorization, tokenSHA256: tokenSHA256,
                    makeID: Self.newMessageID))
        }
        pump()
    }

    /// Stops for good: retries are abandoned, queued jobs dropped, and results of POSTs still
    /// running are ignored (the owner shuts the upstream client down, which cancels them).
    public func shutdown() {
        guard !isShutDown else { return }
        isShutDown = true
        let abandoned = held
        for job in retryJobs.values { if let t = job.retryTimer { loop.cancel(t) } }
        retryJobs.removeAll()
        ready.removeAll()
        if abandoned > 0 { logger.warn("webhook deliveries abandoned at shutdown", ["count": .int(abandoned)]) }
    }

    // MARK: - Running jobs

    private func pump() {
        let limit = max(1, currentSettings().maxInFlight)
        while !isShutDown, inFlight < limit, !ready.isEmpty {
            let job = ready.removeFirst()
            inFlight += 1
            attempt(job)
        }
    }

    /// One attempt at the job's current event: secret, then POST.
    private func attempt(_ job: WebhookJob) {
        let settings = currentSettings()
        job.attempts += 1
        secrets.secret(tokenSHA256: job.tokenSHA256, authorization: job.authorization, settings: settings) {
            [self] result in
            guard !isShutDown else { return }
            switch result {
            case .failure(let failure):
                attemptFailed(job, detail: failure.reason)
            case .success(let secret):
                post(job, secret: secret, settings: settings)
            }
        }
    }

    private func post(_ job: WebhookJob, secret: WebhookSecret, settings: WebhookDeliverySettings) {
        var headers = WebhookSignature.headers(
            id: job.messageID, timestamp: unixSeconds(), body: job.body, secret: secret, mac: HMACSHA256.mac)
        headers.add(.userAgent, settings.userAgent)
        var request = UpstreamRequest(method: .post, url: job.url.string, headers: headers, body: .bytes(job.body))
        request.timeout = settings.timeout
        let allowPrivate = settings.allowPrivate
        request.addressFilter = { peer in
            IPAddress(bytes: peer.bytes).map { WebhookAddressPolicy.permits($0, allowPrivate: allowPrivate) } ?? false
        }
        WebhookPost.start(request, on: client) { [self] outcome in
            guard !isShutDown else { return }
            switch outcome {
            case .answered(let status) where (200..<300).contains(status):
                count(.delivered)
                logger.debug("webhook delivered", ["host": .string(job.url.host), "event": .string(job.event.rawValue)])
                next(job)
            case .answered(let status):
                attemptFailed(job, detail: "answered \(status)")
            case .failed(let error) where error.kind == .refused:
                count(.refused, job.remaining)
                logger.warn(
                    "webhook refused: its host resolves to a private address (webhooks.allow_private is false)",
                    ["host": .string(job.url.host)])
                finish(job)
            case .failed(let error):
                attemptFailed(job, detail: error.kind.rawValue)
            }
        }
    }

    /// The current event failed: retry it later if it is `completed` and attempts remain,
    /// else count it failed and go on with the next event.
    private func attemptFailed(_ job: WebhookJob, detail: String) {
        if job.event == .completed, let delay = currentSettings().retry.delay(afterAttempts: job.attempts) {
            inFlight -= 1
            let key = ObjectIdentifier(job)
            retryJobs[key] = job
            job.retryTimer = loop.schedule(after: delay) { [weak self, weak job] in
                guard let self, let job, !self.isShutDown else { return }
                job.retryTimer = nil
                self.retryJobs.removeValue(forKey: key)
                self.ready.insert(job, at: 0)
                self.pump()
            }
            pump()
            return
        }
        count(.failed)
        logger.warn(
            "webhook delivery failed",
            ["host": .string(job.url.host), "event": .string(job.event.rawValue), "attempts": .int(job.attempts),
             "error": .string(detail)])
        next(job)
    }

    private func next(_ job: WebhookJob) {
        if job.advance(makeID: Self.newMessageID) {
            attempt(job)
        } else {
            finish(job)
        }
    }

    private func finish(_ job: WebhookJob) {
        inFlight -= 1
        pump()
    }

    private func count(_ result: DeliveryResult, _ events: Int = 1) {
        metrics.increment(MetricSeries(.webhookDeliveries, [result.rawValue]), by: Double(events))
    }

    /// A `webhook-id` in the Standard Webhooks shape (`msg_` + a random id).
    private static func newMessageID() -> String { "msg_" + SecureRandom.identifier26() }
}
