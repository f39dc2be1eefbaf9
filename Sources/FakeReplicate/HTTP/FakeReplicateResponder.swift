import CryptoPrimitives
import EventLoop
import HTTPServer
import HTTPTypes

/// The fake Replicate API on one event loop.
///
/// Routes (all under `/v1`, token required unless noted; see replicate-api.md §1):
/// `POST /predictions`, `POST /models/{o}/{n}/predictions`, `POST /deployments/{o}/{n}/predictions`
/// (201; `Prefer: wait[=N]` holds the answer), `GET /predictions` (paginated, newest first),
/// `GET /predictions/{id}`, `POST /predictions/{id}/cancel`, `GET /streams/{id}` (SSE, no token
/// needed), `GET /models` (paginated), `QUERY /models` (text search), `GET /models/{o}/{n}`,
/// `GET /models/{o}/{n}/versions[/{id}]`, `GET /account`, `GET /hardware`,
/// `GET /collections[/{slug}]`, `GET /webhooks/default/secret`, `POST /files`, and
/// `GET /fake/bench` (benchmarks, no token), and for proxy tests `ANY /fake/echo[/…]` and
/// `GET /fake/blob?bytes=N` (no token; see `FakeRequest+Echo`). Control routes, no token, not counted:
/// `POST /_fake/reset`, `GET /_fake/counters`, `POST|DELETE /_fake/faults`,
/// `POST /_fake/advance?ms=N`, and `GET /_fake/delivery/…` (output files as a tiny PNG).
///
/// Read-only routes answer from `StaticResponses` with the responder itself as the exchange
/// delegate: no per-request object. Every other request gets a `FakeRequest`.
///
/// Threading: bound to `loop`; `handle` and the delegate callbacks run there.
public final class FakeReplicateResponder: HTTPResponder, HTTPExchangeDelegate {
    let fake: FakeReplicate
    public let loop: EventLoop
    /// For output URLs and file checksums; one per loop because hashers are not thread-safe.
    let hasher = SHA256Hasher()

    init(fake: FakeReplicate, loop: EventLoop) {
        self.fake = fake
        self.loop = loop
    }

    public func handle(_ exchange: any HTTPExchange) {
        let head = exchange.head
        let route = FakeRoute.resolve(method: head.method, path: head.path)
        var fault: Result<FaultSpec, FaultSpecError>?
        if let text = head.headers[JSONHeaders.fakeFault] {
            fault = FaultSpec.parse(Substring(text))
        } else if !route.isControl, let armed = fake.armedFaults.take(method: head.method.rawValue, path: head.path) {
            fault = .success(armed)
        }
        if case .success(let f)? = fault, f.isEmpty { fault = nil }
        if fault == nil, staticAnswer(route, head.headers) != nil {
            exchange.delegate = self
            return
        }
        FakeRequest(responder: self, exchange: exchange, route: route, fault: fault).start()
    }

    /// The token index of a valid `Authorization: Bearer|Token <token>`, else nil.
    func authenticate(_ headers: HTTPHeaders) -> Int? {
        guard let value = headers[.authorization] else { return nil }
        let v = Substring(value).trimmingASCIISpaces()
        guard let space = v.utf8.firstIndex(of: UInt8(ascii: " ")) else { return nil }
        let scheme = v[..<space]
        guard HTTPHeaderName.bearer.matches(String(scheme)) || HTTPHeaderName.token.matches(String(scheme)) else {
            return nil
        }
        return fake.tokenIndex(v[space...].trimmingASCIISpaces())
    }

    // MARK: - Static answers

    /// The prebuilt answer for a read-only route, with its counter; nil when the route needs a
    /// `FakeRequest` (it writes, it depends on state, or it is a miss with a computed body).
    func staticAnswer(_ route: FakeRoute, _ headers: HTTPHeaders) -> (StaticResponse, FakeCounter, Int?)? {
        if route == .bench { return (fake.statics.bench, .bench, nil) }
        guard staticResponse(route, token: 0) != nil else { return nil }
        guard let token = authenticate(headers) else { return (fake.statics.unauthorized, .unauthorized, nil) }
        guard let (r, counter) = staticResponse(route, token: token) else { return nil }
        return (r, counter, token)
    }

    private func staticResponse(_ route: FakeRoute, token: Int) -> (StaticResponse, FakeCounter)? {
        let s = fake.statics
        let c = fake.catalogue
        switch route {
        case .getModel(let o, let n):
            return c.modelIndex(owner: o, name: n).map { (s.models[$0], .getModel) }
        case .getVersion(let o, let n, let id):
            guard let m = c.modelIndex(owner: o, name: n), id == c.models[m].versionID else { return nil }
            return (s.versions[m], .getVersion)
        case .listVersions(let o, let n):
            return c.modelIndex(owner: o, name: n).map { (s.versionLists[$0], .listVersions) }
        case .getCollection(let slug):
            return c.collectionIndex(slug: slug).map { (s.collections[$0], .collections) }
        case .hardware: return (s.hardware, .hardware)
        case .listCollections: return (s.collectionList, .collections)
        case .account: return (s.accounts[token], .account)
        case .webhookSecret: return (s.secrets[token], .webhookSecret)
        default: return nil
        }
    }

    // MARK: - HTTPExchangeDelegate (static routes only)

    public func exchange(_ exchange: any HTTPExchange, didReceiveBody bytes: UnsafeRawBufferPointer) {}

    public func exchangeDidEndRequestBody(_ exchange: any HTTPExchange) {
        let head = exchange.head
        let route = FakeRoute.resolve(method: head.method, path: head.path)
        guard let (r, counter, token) = staticAnswer(route, head.headers) else {
            // Unreachable: `handle` checked. Fall back to the general path rather than hang.
            FakeRequest(responder: self, exchange: exchange, route: route, fault: nil).start()
            return
        }
        fake.counters.countRequest(token: token, route: counter)
        exchange.sendHead(r.head)
        r.body.withUnsafeBytes { _ = exchange.sendBody($0) }
        exchange.finish()
    }

    public func exchangeBecameWritable(_ exchange: any HTTPExchange) {}

    public func exchangeDidClose(_ exchange: any HTTPExchange) {}
}

extension HTTPHeaderName {
    /// Authorization schemes (compared case-insensitively like header names).
    static let bearer: HTTPHeaderName = "bearer"
    static let token: HTTPHeaderName = "token"
}
