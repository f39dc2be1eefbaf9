import EventLoop
import HTTPServer
import HTTPTypes
import Metrics
import ProxyCore
import Upstream

/// One live upstream stream relayed to every client of this process that opens it, late
/// joiners included: one upstream transfer, one recording, N clients.
///
/// `StreamFanOut` decides (who is sent which bytes, when upstream pauses or is cancelled, which
/// slow client is dropped); this class carries its actions out. The relay is listed in the
/// process's `LiveRelayDirectory` under its upstream URL from `start` until it is over, so that
/// a client opening the same stream meanwhile joins it instead of opening another upstream
/// transfer. A client on this loop is served directly (`LocalRelayClient`); a client on another
/// loop through a hop per call (`RemoteRelayClient` here, `RemoteRelayEndpoint` on its loop).
///
/// Clients on other replicas open relays of their own: the bytes would have to travel through
/// Redis, which Reprise uses as a cache, not a message bus (docs/architecture.md, "Shared
/// streams").
///
/// Threading: loop-bound (the loop it was made on); other loops reach it only through
/// `loop.execute`. Keeps itself alive through the transfer's delegate reference and its
/// clients' references until the relay is over and every client is ended.
final class StreamRelay: UpstreamTransferDelegate {
    let url: String
    private let host: ProxyResponder
    private let request: UpstreamRequest
    private let tap: StreamRecordingTap?
    private var state: StreamFanOut
    private var transfer: UpstreamTransfer?
    private var clients: [StreamFanOut.SubscriberID: any StreamRelaySubscriber] = [:]
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
        host.liveRelays.list(self, url: url, loop: host.loop)
        host.cache.metrics.increment(MetricSeries(.streamRelays, ["opened"]))
        transfer = host.upstream.start(request, delegate: self)
    }

    /// Adds a client of this loop: it is sent the head and everything relayed so far, then
    /// live bytes. False when the relay can no longer give a newcomer the whole stream.
    func join(_ exchange: any HTTPExchange, startedAt: UInt64) -> Bool {
        guard let (id, actions) = state.join() else { return false }
        let client = LocalRelayClient(relay: self, id: id, exchange: exchange, startedAt: startedAt)
        clients[id] = client
        exchange.delegate = client
        run(actions)
        return true
    }

    /// Adds a client of another loop (called here through `loop.execute`); tells its endpoint
    /// whether it was taken.
    func joinRemote(_ endpoint: UncheckedBox<RemoteRelayEndpoint>, clientLoop: EventLoop, startedAt: UInt64, isHead: Bool) {
        guard let (id, actions) = state.join() else {
            clientLoop.execute { endpoint.value.refused() }
            return
        }
        host.cache.metrics.increment(MetricSeries(.streamRelays, ["joined"]))
        clients[id] = RemoteRelayClient(
            id: id, endpoint: endpoint, clientLoop: clientLoop, startedAt: startedAt, isHeadRequest: isHead)
        clientLoop.execute { endpoint.value.joined(id) }
        run(actions)
    }

    // MARK: - Client events

    func clientBecameWritable(_ id: StreamFanOut.SubscriberID) {
        run(state.becameWritable(id))
    }

    /// A remote client's connection took `count` more bytes.
    func remoteAcknowledged(_ id: StreamFanOut.SubscriberID, _ count: Int) {
        guard let client = clients[id] as? RemoteRelayClient, client.acknowledge(count) else { return }
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
                client.sendHead(head)
                if isEventStream {
                    client.countsAsActiveStream = true
                    host.cache.metrics.adjust(MetricSeries(.sseStreamsActive), by: 1)
                }
                if client.isHeadRequest { endHeadOnly(client) }
            case .write(let id, let range):
                guard let client = clients[id] else { continue }
                // A slice, not a borrow of `state`: the client may call back into this relay.
                if !client.send(state.bytes(range)) { state.blocked(id) }
            case .end(let id, let ending, let dropped):
                guard let client = clients.removeValue(forKey: id) else { continue }
                if dropped { host.cache.metrics.increment(MetricSeries(.streamRelays, ["dropped"])) }
                client.end(ending)
                close(client, status: head?.status ?? 502)
            case .fail(let id):
                guard let client = clients.removeValue(forKey: id) else { continue }
                let problem = GatewayProblem.problem(
                    for: upstreamError ?? UpstreamError(kind: .protocolError, message: "no response head"))
                client.fail(problem)
                close(client, status: problem.status)
            case .resumeUpstream:
                transfer?.resumeResponse()
            case .cancelUpstream:
                transfer?.cancel()
            }
        }
    }

    /// A HEAD request shares the relay's head and takes no body.
    private func endHeadOnly(_ client: any StreamRelaySubscriber) {
        clients.removeValue(forKey: client.id)
        client.end(.finish)
        close(client, status: head?.status ?? 200)
        run(state.left(client.id))
    }

    /// Counts a client's end, once, and lets go of it.
    private func close(_ client: any StreamRelaySubscriber, status: Int) {
        guard !client.closed else { return }
        client.closed = true
        client.detach()
        if client.countsAsActiveStream { host.cache.metrics.adjust(MetricSeries(.sseStreamsActive), by: -1) }
        host.countRequest(route: "stream", status: status, startedAt: client.startedAt)
    }

    private func delistIfOver() {
        guard state.isOver else { return }
        host.liveRelays.delist(self, url: url)
    }
}
