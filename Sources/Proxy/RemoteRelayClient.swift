import EventLoop
import HTTPServer
import HTTPTypes
import ProxyCore

/// A client on another loop, as its relay sees it: every call hops to the client's loop, where
/// a `RemoteRelayEndpoint` carries it out. Bytes are copied for the hop; the client counts as
/// unable to take more while `inFlightLimit` bytes are on their way or unsent on its side, and
/// its endpoint acknowledges them as its connection takes them.
/// Threading: used on the relay's loop only.
final class RemoteRelayClient: StreamRelaySubscriber {
    static let inFlightLimit = 256 * 1024

    let id: StreamFanOut.SubscriberID
    let startedAt: UInt64
    let isHeadRequest: Bool
    var countsAsActiveStream = false
    var closed = false
    private let endpoint: UncheckedBox<RemoteRelayEndpoint>
    private let clientLoop: EventLoop
    /// Bytes sent to the endpoint and not acknowledged yet.
    private(set) var inFlight = 0

    init(id: StreamFanOut.SubscriberID, endpoint: UncheckedBox<RemoteRelayEndpoint>, clientLoop: EventLoop, startedAt: UInt64, isHeadRequest: Bool) {
        self.id = id
        self.endpoint = endpoint
        self.clientLoop = clientLoop
        self.startedAt = startedAt
        self.isHeadRequest = isHeadRequest
    }

    func sendHead(_ head: HTTPResponseHead) {
        let endpoint = self.endpoint
        clientLoop.execute { endpoint.value.sendHead(head) }
    }

    func send(_ bytes: ArraySlice<UInt8>) -> Bool {
        let copy = UncheckedBox(Array(bytes))
        inFlight += bytes.count
        let endpoint = self.endpoint
        clientLoop.execute { endpoint.value.sendBody(copy.value) }
        return inFlight < Self.inFlightLimit
    }

    /// The endpoint's connection took `count` bytes; true when the client can take more again.
    func acknowledge(_ count: Int) -> Bool {
        let wasFull = inFlight >= Self.inFlightLimit
        inFlight = max(0, inFlight - count)
        return wasFull && inFlight < Self.inFlightLimit
    }

    func end(_ ending: StreamFanOut.Ending) {
        let endpoint = self.endpoint
        clientLoop.execute { endpoint.value.end(ending) }
    }

    func fail(_ problem: ProblemDetails) {
        let endpoint = self.endpoint
        clientLoop.execute { endpoint.value.fail(problem) }
    }

    func detach() {}
}

/// The client's side of a `RemoteRelayClient`: owns the exchange on the client's loop, writes
/// what the relay sends, acknowledges bytes as the connection takes them, and reports the
/// client leaving. If the relay refuses the join (it ended, or let its prefix go), `fallback`
/// opens a relay of this loop's own instead.
/// Threading: loop-bound (the client's loop); the exchange holds it as its delegate.
final class RemoteRelayEndpoint: HTTPExchangeDelegate {
    private let exchange: any HTTPExchange
    private let relayLoop: EventLoop
    private let relay: UncheckedBox<StreamRelay>
    private var id: StreamFanOut.SubscriberID?
    private var gone = false
    private var finished = false
    /// Bytes written to the connection but not acknowledged, held back while it is full.
    private var unacknowledged = 0
    private var fallback: (() -> Void)?

    init(exchange: any HTTPExchange, relay: StreamRelay, relayLoop: EventLoop, fallback: @escaping () -> Void) {
        self.exchange = exchange
        self.relay = UncheckedBox(relay)
        self.relayLoop = relayLoop
        self.fallback = fallback
    }

    /// The relay took the client as `id`.
    func joined(_ id: StreamFanOut.SubscriberID) {
        self.id = id
        fallback = nil
        if gone { reportLeft() }
    }

    /// The relay could not take the client: open a relay of this loop's own.
    func refused() {
        let open = fallback
        fallback = nil
        guard !gone, let open else { return }
        open()
    }

    func sendHead(_ head: HTTPResponseHead) {
        guard !gone, !finished else { return }
        exchange.sendHead(head)
    }

    func sendBody(_ bytes: [UInt8]) {
        guard !gone, !finished else { return }
        unacknowledged += bytes.count
        if exchange.sendBody(bytes) { acknowledge() }
    }

    func end(_ ending: StreamFanOut.Ending) {
        guard !gone, !finished else { return }
        finished = true
        switch ending {
        case .finish: exchange.finish()
        case .abort: exchange.abort()
        }
    }

    func fail(_ problem: ProblemDetails) {
        guard !gone, !finished else { return }
        finished = true
        exchange.respond(problem: problem)
    }

    private func acknowledge() {
        guard let id, unacknowledged > 0 else { return }
        let count = unacknowledged
        unacknowledged = 0
        let relay = self.relay
        relayLoop.execute { relay.value.remoteAcknowledged(id, count) }
    }

    private func reportLeft() {
        guard let id else { return }
        let relay = self.relay
        relayLoop.execute { relay.value.clientLeft(id) }
    }

    func exchange(_ exchange: any HTTPExchange, didReceiveBody bytes: UnsafeRawBufferPointer) {}
    func exchangeDidEndRequestBody(_ exchange: any HTTPExchange) {}
    func exchangeBecameWritable(_ exchange: any HTTPExchange) { acknowledge() }

    func exchangeDidClose(_ exchange: any HTTPExchange) {
        guard !gone, !finished else { return }
        gone = true
        fallback = nil
        reportLeft()
    }
}
