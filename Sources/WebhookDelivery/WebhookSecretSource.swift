import EventLoop
import HTTPTypes
import JSONCore
import Upstream
import Webhooks

/// Gets the webhook signing secret of the account behind an API token: from memory when it was
/// fetched recently, else with `GET /v1/webhooks/default/secret` sent with the client's own
/// `Authorization`, exactly as the client itself would ask Replicate.
///
/// Concurrent requests for one account share one fetch. Secrets stay in a bounded, expiring
/// in-memory cache (`WebhookSecretCache`) keyed by the token's SHA-256; they are never written
/// to Redis or logged. The `Authorization` value is used for the one request and not kept.
/// Threading: loop-bound; completions run on the loop.
final class WebhookSecretSource {
    /// Why no secret could be had (for logs and the retry decision; carries no secret).
    struct Failure: Error {
        let reason: String
    }

    typealias Completion = (Result<WebhookSecret, Failure>) -> Void

    private let loop: EventLoop
    private let call: WebhookDispatcher.CallReplicate
    private var cache: WebhookSecretCache
    private var waiters: [String: [Completion]] = [:]

    init(loop: EventLoop, capacity: Int, ttl: Duration, call: @escaping WebhookDispatcher.CallReplicate) {
        self.loop = loop
        self.call = call
        cache = WebhookSecretCache(capacity: capacity, ttlNanos: ttl.nanosecondsClamped)
    }

    /// Calls `completion` with the secret for `tokenSHA256` (on the loop, possibly at once).
    func secret(
        tokenSHA256: String, authorization: String, settings: WebhookDeliverySettings,
        completion: @escaping Completion
    ) {
        if let secret = cache.secret(for: tokenSHA256, now: loop.now) {
            return completion(.success(secret))
        }
        if waiters[tokenSHA256] != nil {
            waiters[tokenSHA256]!.append(completion)
            return
        }
        waiters[tokenSHA256] = [completion]
        var headers = HTTPHeaders()
        headers.add(.authorization, authorization)
        headers.add(.accept, "application/json")
        var request = UpstreamRequest(method: .get, url: settings.secretURL, headers: headers)
        request.timeout = settings.timeout
        call(request) { [self] result in
            let outcome = Self.secret(from: result)
            if case .success(let secret) = outcome { cache.insert(secret, for: tokenSHA256, now: loop.now) }
            for waiter in waiters.removeValue(forKey: tokenSHA256) ?? [] { waiter(outcome) }
        }
    }

    private static func secret(from result: Result<(status: Int, body: [UInt8]), UpstreamError>) -> Result<
        WebhookSecret, Failure
    > {
        switch result {
        case .failure(let error):
            return .failure(Failure(reason: "secret request failed: \(error.kind.rawValue)"))
        case .success(let answer) where answer.status != 200:
            return .failure(Failure(reason: "secret request answered \(answer.status)"))
        case .success(let answer):
            guard let text = (try? JSONParser().parse(answer.body))?["key"]?.stringValue,
                let secret = WebhookSecret(whsec: text)
            else { return .failure(Failure(reason: "secret answer is not {\"key\":\"whsec_…\"}")) }
            return .success(secret)
        }
    }
}
