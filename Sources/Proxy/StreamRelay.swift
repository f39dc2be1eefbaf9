import EventLoop
import HTTPServer
import HTTPTypes
import Metrics
import ProxyCore
import Upstream

/// One live upstream stream relayed to every client of this loop that opens it, late joiners
/// included: one upstream transfer, one recording, N clients.
///
/// `StreamFanOut` decides (who is sent which bytes, when upstream pauses or is cancelled, which
/// slow client is dropped); this class carries its actions out on the sockets. The relay is
/// listed in `ProxyResponder.relays` under its upstream URL from `start` until it is over, so
/// that a client opening the same stream meanwhile joins it instead of opening another
/// upstream transfer.
///
/// Clients on other loops or other replicas open relays of their own: the clients' sockets
/// belong to their loops, and a cross-loop fan-out would hop every chunk between threads;
/// across replicas the bytes would have to travel through Redis, which Reprise uses as a cache,
/// not a message bus (see docs/architecture.md, "Shared streams").
///
/// Threading: loop-bound. Keeps itself alive through the transfer's delegate reference and its
/// clients' references until the relay is over and every client is ended.
final class StreamRelay: UpstreamTransferDelegate {
    let url: String
    private let host: ProxyResponder
    private let request: UpstreamRequest
    private let tap: StreamRecordingTap?
    private var state: StreamFanOut
    private var transfer: UpstreamTransfer?
    private var clients: [StreamFanOut.SubscriberID: StreamRelayClient] = [:]
    /// The head every client is sent (upstream's, hop-by-hop fields dropped).
    private var head: HTTPResponseHead?
    private var upstreamError: UpstreamError?
    private var isEventStream = false
    private let startedAt: UInt64

    init(host: ProxyResponder, request: UpstreamRequest, tap: StreamRecordingTap?) {
        self.host = host
        self.url = request.url
        self.request = request
        self.tap = tap
        state = StreamFanOut(maxLag: host.settings.streamClientBuffer, maxPrefix: host.cache.settings.streamMaxBytes)
        startedAt = host.loop.now
    }

    /// Opens the upstream transfer and lists the relay for joiners.
    func start() {
        host.relays[url] = self
        host.cache.metrics.increment(MetricSeries(.streamRelays, ["opened"]))
        transfer = host.upstream.start(request, delegate: self)
    }

    /// Adds a client: it is sent the head and everything relayed so far, then live bytes.
    /// False when the relay can no longer give a newcomer the whole stream.
    func join(_ exchange: any HTTPExchange, startedAt: UInt64) -> Bool {
        guard let (id, actions) = state.join() else { return false }
        let client = StreamRelayClient(relay: self, id: id, exchange: exchange, startedAt: startedAt)
        clients[id] = client
        exchange.delegate = client
        run(actions)
        return true
    }

    // MARK: - Client events

    func clientBecameWritable(_ id: StreamFanOut.SubscriberID) {
        run(state.becameWritable(id))
    }

    func clientLeft(_ id: StreamFanOut.SubscriberID) {
        guard let client = clients.removeValue(forKey: id) else { return }
        let status = head?.status ?? 0
        host.log.clientGone(route: "stream", status: status, elapsedNanos: host.loop.now &- client.startedAt)
        close(client, status: status == 0 ? 499 : status)
        run(state.left(id))
        delistIfOver()
    }

    // MARK: - Upstream events

    func upstreamTransfer(_ transfer: UpstreamTransfer, didReceiveHead upstreamHead: HTTPResponseHead) {
        host.observeUpstreamLatency(nanos: host.loop.now &- startedAt)
        if let ct = upstreamHead.headers[.contentType], ct.hasPrefix("text/event-stream") { isEventStream = true }
        var out = HTTPResponseHead(status: upstreamHead.status)
        out.headers = ForwardingPolicy.clientResponseHeaders(upstreamHead.headers, bodyRewritten: false)
        head = out
        run(state.receivedHead())
    }

    func upstreamTransfer(_ transfer: UpstreamTransfer, didReceiveBody bytes: UnsafeRawBufferPointer) -> Bool {
        let (accepted, actions) = state.received(bytes)
        if accepted && head != nil { tap?.observe(bytes) }
        run(actions)
        return accepted
    }

    func upstreamTransfer(_ transfer: UpstreamTransfer, didFinishWith error: UpstreamError?) {
        self.transfer = nil
        if state.isOver {
            tap?.ended(complete: false)  // every client left first
            delistIfOver()
            return
        }
        upstreamError = error
        if let error {
            if head == nil {
                host.noteUpstreamError(error)
            } else {
                host.log.upstreamBroke(route: "stream", error: error)
                host.cache.metrics.increment(MetricSeries(.upstreamErrors, [error.kind.rawValue]))
            }
        }
        run(state.upstreamEnded(broke: error != nil))
        state.release()
        tap?.ended(complete: error == nil && head != nil)
        delistIfOver()
    }

    // MARK: - Carrying out the state's actions

    private func run(_ actions: [StreamFanOut.Action]) {
        for action in actions {
            switch action {
            case .sendHead(let id):
                guard let client = clients[id], let head else { continue }
                client.exchange.sendHead(head)
                if isEventStream {
                    client.countsAsActiveStream = true
                    host.cache.metrics.adjust(MetricSeries(.sseStreamsActive), by: 1)
                }
                if client.exchange.head.method == .head { endHeadOnly(client) }
            case .write(let id, let range):
                guard let client = clients[id] else { continue }
                // A slice, not a borrow of `state`: the exchange may call back into this relay.
                let bytes = state.bytes(range)
                if !bytes.withUnsafeBytes({ client.exchange.sendBody($0) }) { state.blocked(id) }
            case .end(let id, let ending, let dropped):
                guard let client = clients.removeValue(forKey: id) else { continue }
                if dropped { host.cache.metrics.increment(MetricSeries(.streamRelays, ["dropped"])) }
                switch ending {
                case .finish: client.exchange.finish()
                case .abort: client.exchange.abort()
                }
                close(client, status: head?.status ?? 502)
            case .fail(let id):
                guard let client = clients.removeValue(forKey: id) else { continue }
                let problem = GatewayProblem.problem(for: upstreamError ?? UpstreamError(kind: .protocolError, message: "no response head"))
                client.exchange.respond(problem: problem)
                close(client, status: problem.status)
            case .resumeUpstream:
                transfer?.resumeResponse()
            case .cancelUpstream:
                transfer?.cancel()
            }
        }
    }

    /// A HEAD request shares the relay's head and takes no body.
    private func endHeadOnly(_ client: StreamRelayClient) {
        clients.removeValue(forKey: client.id)
        client.exchange.finish()
        close(client, status: head?.status ?? 200)
        run(state.left(client.id))
    }

    /// Counts a client's end, once.
    private func close(_ client: StreamRelayClient, status: Int) {
        guard !client.closed else { return }
        client.closed = true
        client.relay = nil
        if client.countsAsActiveStream { host.cache.metrics.adjust(MetricSeries(.sseStreamsActive), by: -1) }
        host.countRequest(route: "stream", status: status, startedAt: client.startedAt)
    }

    private func delistIfOver() {
        guard state.isOver, host.relays[url] === self else { return }
        host.relays[url] = nil
    }
}

/// One client of a `StreamRelay`: relays its exchange's events to the relay under its id.
/// Threading: loop-bound; the exchange holds it as its delegate, and it holds the relay until
/// the relay ends it.
final class StreamRelayClient: HTTPExchangeDelegate {
    var relay: StreamRelay?
    let id: StreamFanOut.SubscriberID
    let exchange: any HTTPExchange
    let startedAt: UInt64
    var countsAsActiveStream = false
    var closed = false

    init(relay: StreamRelay, id: StreamFanOut.SubscriberID, exchange: any HTTPExchange, startedAt: UInt64) {
        self.relay = relay
        self.id = id
        self.exchange = exchange
        self.startedAt = startedAt
    }

    func exchange(_ exchange: any HTTPExchange, didReceiveBody bytes: UnsafeRawBufferPointer) {}
    func exchangeDidEndRequestBody(_ exchange: any HTTPExchange) {}

    func exchangeBecameWritable(_ exchange: any HTTPExchange) {
        relay?.clientBecameWritable(id)
    }

    func exchangeDidClose(_ exchange: any HTTPExchange) {
        relay?.clientLeft(id)
    }
}
