import CacheCore
import HTTPServer
import HTTPTypes
import JSONCore
import ProxyCore
import ReplicateAPI
import Upstream

/// `GET /v1/predictions/{id}` and `POST /v1/predictions/{id}/cancel`.
///
/// Ids Reprise made up for hits are answered from their record, and only for the token that
/// created them (others get Replicate's 404, as Replicate does for another account's id): the
/// record refers to the entry bytes the hit came from (`hb:{sha256}`), and the answer is
/// rendered again from them exactly as the create returned it.
/// Everything else goes upstream; when a recorded miss is seen to have succeeded, it is stored
/// — whichever replica created it. When the record lookup fails, the request goes upstream too
/// (fail open), and upstream's 404 becomes a 503 with `Retry-After: 1`: the id may be one only
/// Reprise knows. Threading: loop-bound.
final class PredictionReadExchange: HTTPExchangeDelegate {
    private let exchange: any HTTPExchange
    private let host: ProxyResponder
    private let id: String
    private let route: PredictionRoute
    private var body: [UInt8] = []
    private var clientGone = false
    private let startedAt: UInt64

    init(exchange: any HTTPExchange, host: ProxyResponder, id: String, route: PredictionRoute) {
        self.exchange = exchange
        self.host = host
        self.id = id
        self.route = route
        startedAt = exchange.loop.now
    }

    func start() { exchange.delegate = self }

    func exchange(_ exchange: any HTTPExchange, didReceiveBody bytes: UnsafeRawBufferPointer) {
        body.append(contentsOf: bytes)
    }

    func exchangeBecameWritable(_ exchange: any HTTPExchange) {}

    func exchangeDidClose(_ exchange: any HTTPExchange) { clientGone = true }

    func exchangeDidEndRequestBody(_ exchange: any HTTPExchange) {
        host.cache.store.record(id: id) { [self] result in
            switch result {
            case .failure(let error):
                host.noteStoreError(error)
                forward(record: nil, lookupFailed: true)
            case .success(let bytes):
                let record = bytes.flatMap(PredictionRecord.decode)
                if let record, record.origin == .hit {
                    answerFromRecord(record)
                } else {
                    forward(record: record)
                }
            }
        }
    }

    private func answerFromRecord(_ record: PredictionRecord) {
        guard let token = AuthToken(headers: exchange.head.headers) else {
            return finish(status: 401) { exchange.respond(problem: ReplicateErrors.unauthenticated) }
        }
        guard host.cache.tokenHash(token).hex == record.tokenSHA256 else {
            return finish(status: 404) { exchange.respond(problem: ReplicateErrors.predictionNotFound(id: id)) }
        }
        if let prediction = record.prediction {
            return answer(prediction.serialized())
        }
        guard let reference = record.hit, let bodyHash = SHA256Digest(hex: reference.bodySHA256) else {
            return finish(status: 404) { exchange.respond(problem: ReplicateErrors.predictionNotFound(id: id)) }
        }
        host.cache.store.hitBody(sha256: bodyHash) { [self] result in
            switch result {
            case .failure(let error):
                host.noteStoreError(error)
                var headers = HTTPHeaders()
                headers.add(.retryAfter, "1")
                let problem = ReplicateErrors.predictionLookupUnavailable(id: id)
                finish(status: problem.status) { exchange.respond(problem: problem, extraHeaders: headers) }
            case .success(let bytes):
                guard let bytes, let entry = CacheEntry.decode(bytes) else {
                    return finish(status: 404) { exchange.respond(problem: ReplicateErrors.predictionNotFound(id: id)) }
                }
                let template = HitTemplate(entry: entry)
                answer(
                    template.render(
                        id: id, inputJSON: reference.inputJSON ?? template.storedInputJSON,
                        nowUnixNanos: reference.createdUnixNanos, publicBase: reference.publicBase,
                        streamURL: reference.streamURL))
            }
        }
    }

    /// A hit is already succeeded; cancelling a finished prediction returns it unchanged.
    private func answer(_ prediction: [UInt8]) {
        var headers = HTTPHeaders()
        headers.add(.contentType, "application/json")
        finish(status: 200) { exchange.respond(status: 200, headers: headers, body: prediction) }
    }

    /// `lookupFailed`: the record could not be read (not "absent"), so upstream's 404 may be
    /// about an id only Reprise knows; it is answered 503 `Retry-After: 1` instead.
    private func forward(record: PredictionRecord?, lookupFailed: Bool = false) {
        let requestBody: UpstreamRequest.Body = body.isEmpty && exchange.head.method == .get ? .none : .bytes(body)
        let request = UpstreamRequest(
            method: exchange.head.method, url: host.upstreamURL(forTarget: exchange.head.target),
            headers: ForwardingPolicy.upstreamRequestHeaders(exchange.head.headers), body: requestBody)
        host.forwardPrediction(request) { [self] outcome in
            switch outcome {
            case .failed(let problem):
                finish(status: problem.status) { exchange.respond(problem: problem) }
            case .answered(let head, _) where lookupFailed && head.status == 404:
                var headers = HTTPHeaders()
                headers.add(.retryAfter, "1")
                let problem = ReplicateErrors.predictionLookupUnavailable(id: id)
                finish(status: problem.status) { exchange.respond(problem: problem, extraHeaders: headers) }
            case .answered(let head, let shaped):
                if let record, head.status == 200 {
                    if record.store, shaped.isStorableSuccess, let key = CacheKey(hex: record.cacheKey) {
                        host.cache.storeSucceeded(
                            shaped, key: key, inputSHA256: record.inputSHA256, ttlSeconds: record.ttlSeconds,
                            nowMillis: host.clock.unixMillis())
                    }
                    if shaped.status?.isTerminal == true {
                        host.poller.stop(id)
                        if record.store, let key = CacheKey(hex: record.cacheKey) { host.cache.store.clearInFlight(key: key) }
                    }
                }
                let context = record.map {
                    ProxyResponder.StreamContext(
                        cacheKey: $0.cacheKey, predictionID: id, store: $0.store, ttlSeconds: $0.ttlSeconds)
                }
                finish(status: head.status) {
                    host.relayWhole(exchange, head: head, body: shaped.clientBody, extraHeaders: HTTPHeaders(), streamContext: context)
                }
            }
        }
    }

    private func finish(status: Int, _ send: () -> Void) {
        if !clientGone { send() }
        host.countRequest(route: route.label, status: status, startedAt: startedAt)
    }
}
