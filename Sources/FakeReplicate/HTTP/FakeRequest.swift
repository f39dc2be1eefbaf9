import EventLoop
import HTTPServer
import HTTPTypes
import JSONCore

/// One request on a dynamic route: collects the body, applies the fault (delay, status, close,
/// truncate), checks the token, runs the route and answers.
///
/// It keeps itself alive (`keepAlive`) from `start()` until it has answered or the client has
/// gone, whatever the exchange's hold on its delegate. Threading: bound to the responder's
/// loop; every method runs there.
final class FakeRequest: HTTPExchangeDelegate {
    let responder: FakeReplicateResponder
    private(set) var exchange: (any HTTPExchange)?
    let route: FakeRoute
    let head: HTTPRequestHead
    private let fault: FaultSpec?
    private let faultError: FaultSpecError?
    private(set) var body: [UInt8] = []
    private(set) var bodyTooLarge = false
    /// The pending timer (fault delay or `Prefer: wait` re-check).
    var timer: TimerHandle?
    private var keepAlive: FakeRequest?
    /// State of a held `Prefer: wait` create.
    var waitState: WaitState?

    /// A create waiting for its prediction to end (or the wait to run out).
    struct WaitState {
        var id: String
        var owner: Int
        var deadline: UInt64
        var applied: String
        /// The prediction as created, answered if it is evicted meanwhile.
        var created: Prediction
    }

    /// Reads JSON request bodies: JSONCore's strict parser, so a body with duplicate keys, a
    /// lone surrogate escape or ill-formed UTF-8 is answered 400 "Invalid JSON" like any other
    /// invalid body. Nesting is capped at 64 levels, as the fake always did.
    static let bodyParser = JSONParser(maxDepth: 64)

    var fake: FakeReplicate { responder.fake }
    var loop: EventLoop { responder.loop }

    init(
        responder: FakeReplicateResponder, exchange: any HTTPExchange, route: FakeRoute,
        fault: Result<FaultSpec, FaultSpecError>?
    ) {
        self.responder = responder
        self.exchange = exchange
        self.route = route
        self.head = exchange.head
        switch fault {
        case .success(let f)?:
            self.fault = f
            self.faultError = nil
        case .failure(let e)?:
            self.fault = nil
            self.faultError = e
        case nil:
            self.fault = nil
            self.faultError = nil
        }
    }

    func start() {
        keepAlive = self
        exchange?.delegate = self
    }

    // MARK: - HTTPExchangeDelegate

    func exchange(_ exchange: any HTTPExchange, didReceiveBody bytes: UnsafeRawBufferPointer) {
        guard !bodyTooLarge else { return }
        if body.count + bytes.count > fake.configuration.maxBodyBytes {
            bodyTooLarge = true
            body = []
            return
        }
        body.append(contentsOf: bytes)
    }

    func exchangeDidEndRequestBody(_ exchange: any HTTPExchange) {
        if let e = faultError {
            respondProblem(400, "Invalid fault", "Unrecognised X-Fake-Fault directive: \(e.directive)")
            return
        }
        if let f = fault, f.delayMilliseconds > 0 {
            timer = loop.schedule(after: .milliseconds(f.delayMilliseconds)) { [self] in
                timer = nil
                proceed()
            }
            return
        }
        proceed()
    }

    func exchangeBecameWritable(_ exchange: any HTTPExchange) {}

    func exchangeDidClose(_ exchange: any HTTPExchange) {
        release()
    }

    // MARK: - Dispatch

    private func proceed() {
        if route.isControl {
            handleControl()
            return
        }
        let token = responder.authenticate(head.headers)
        fake.counters.countRequest(token: token)
        if let status = fault?.status {
            fake.counters.increment(.faults)
            var extra: [(HTTPHeaderName, String)] = []
            if let r = fault?.retryAfter { extra.append((.retryAfter, r)) }
            let title = status == 429 ? "Request was throttled" : HTTPStatus.reasonPhrase(status)
            let detail =
                status == 429
                ? "Request was throttled. Expected available in \(fault?.retryAfter ?? "1") seconds."
                : "Injected fault (X-Fake-Fault)"
            respondProblem(status, title, detail, extra: extra)
            return
        }
        if route.isPublic {
            dispatchPublic()
            return
        }
        guard let owner = token else {
            fake.counters.increment(.unauthorized)
            send(fake.statics.unauthorized.head, fake.statics.unauthorized.body)
            return
        }
        if bodyTooLarge {
            respondProblem(413, "Request too large", "The request body exceeds the fake's limit")
            return
        }
        dispatch(owner: owner)
    }

    private func dispatchPublic() {
        switch route {
        case .stream(let id):
            fake.counters.increment(.streamOpen)
            guard let ex = exchange else { return }
            let session = StreamSession(
                fake: fake, loop: loop, exchange: ex, id: String(id), lastEventID: head.headers[.lastEventID],
                fault: fault)
            exchange = nil
            keepAlive = nil
            session.start()
        case .echo:
            echo()
        case .blob:
            blob()
        case .delivery:
            fake.counters.increment(.delivery)
            var h = HTTPHeaders()
            h.add(.contentType, "image/png")
            h.add(.contentLength, String(FakeRequest.tinyPNG.count))
            send(HTTPResponseHead(status: 200, headers: h), FakeRequest.tinyPNG)
        default:
            respondNotFound()
        }
    }

    private func dispatch(owner: Int) {
        switch route {
        case .createPrediction, .createModelPrediction, .createDeploymentPrediction:
            createPrediction(owner: owner)
        case .getPrediction(let id): getPrediction(id, owner: owner)
        case .cancelPrediction(let id): cancelPrediction(id, owner: owner)
        case .listPredictions: listPredictions(owner: owner)
        case .listModels: listModels()
        case .searchModels: searchModels()
        case .uploadFile: uploadFile()
        case .getModel(let o, let n), .listVersions(let o, let n):
            fake.counters.increment(.notFound)
            respondProblem(404, "Not found", "Model not found: \(o)/\(n)")
        case .getVersion(let o, let n, let id):
            fake.counters.increment(.notFound)
            respondProblem(404, "Not found", "Version not found: \(o)/\(n):\(id)")
        case .getCollection(let slug):
            fake.counters.increment(.notFound)
            respondProblem(404, "Not found", "Collection not found: \(slug)")
        case .methodNotAllowed:
            respondProblem(405, "Method not allowed", "Method \(head.method) is not allowed on \(head.path)")
        default:
            // Read-only routes answer here when a fault sent them off the static path.
            if let (r, counter, token) = responder.staticAnswer(route, head.headers) {
                fake.counters.increment(counter, token: token)
                send(r.head, r.body)
            } else {
                respondNotFound()
            }
        }
    }

    // MARK: - Answering

    /// Answers JSON `body` with the fake's usual headers.
    func respond(
        _ status: Int, _ body: [UInt8], extra: [(HTTPHeaderName, String)] = [], rateLimitRemaining: Int = 2999
    ) {
        let headers = JSONHeaders.make(length: body.count, rateLimitRemaining: rateLimitRemaining, extra: extra)
        send(HTTPResponseHead(status: status, headers: headers), body)
    }

    func respondProblem(_ status: Int, _ title: String, _ detail: String, extra: [(HTTPHeaderName, String)] = []) {
        respond(status, ProblemDetails(status: status, title: title, detail: detail).jsonBytes(), extra: extra)
    }

    func respondNotFound() {
        fake.counters.increment(.notFound)
        respondProblem(404, "Not found", "The requested resource does not exist")
    }

    /// Sends a complete response, or breaks it as the fault asks.
    func send(_ responseHead: HTTPResponseHead, _ body: [UInt8]) {
        guard let ex = exchange else { return }
        if fault?.close == true {
            fake.counters.increment(.faults)
            ex.abort()
        } else if fault?.truncate == true {
            fake.counters.increment(.faults)
            ex.sendHead(responseHead)
            body.withUnsafeBytes { _ = ex.sendBody(UnsafeRawBufferPointer(rebasing: $0[0..<(body.count / 2)])) }
            ex.abort()
        } else {
            ex.sendHead(responseHead)
            if !body.isEmpty { body.withUnsafeBytes { _ = ex.sendBody($0) } }
            ex.finish()
        }
        release()
    }

    /// Drops the exchange and the self-reference: nothing more will happen.
    func release() {
        if let t = timer {
            loop.cancel(t)
            timer = nil
        }
        exchange = nil
        keepAlive = nil
    }

    /// A valid 1×1 PNG, served for any output file URL on the delivery path.
    static let tinyPNG: [UInt8] = [
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
        0x89, 0x00, 0x00, 0x00, 0x0B, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x60, 0x00, 0x02, 0x00,
        0x00, 0x05, 0x00, 0x01, 0x7A, 0x5E, 0xAB, 0x3F, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44,
        0xAE, 0x42, 0x60, 0x82,
    ]
}
