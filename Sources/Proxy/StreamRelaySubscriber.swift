import EventLoop
import HTTPServer
import HTTPTypes
import ProxyCore

/// A client of a `StreamRelay`, as the relay sees it on its own loop: where the head, the bytes
/// and the end go. Threading: every member is used on the relay's loop only.
protocol StreamRelaySubscriber: AnyObject {
    var id: StreamFanOut.SubscriberID { get }
    var startedAt: UInt64 { get }
    /// HEAD requests take the head and no body.
    var isHeadRequest: Bool { get }
    /// Set by the relay when the client was counted in `reprise_sse_streams_active`.
    var countsAsActiveStream: Bool { get set }
    /// Set by the relay once the client's end was counted.
    var closed: Bool { get set }
    func sendHead(_ head: HTTPResponseHead)
    /// Sends body bytes; false when the client cannot take more until it says so.
    func send(_ bytes: ArraySlice<UInt8>) -> Bool
    func end(_ ending: StreamFanOut.Ending)
    func fail(_ problem: ProblemDetails)
    /// The relay is done with this client: drop references to it.
    func detach()
}

/// A client on the relay's own loop: its exchange is used directly.
/// Threading: loop-bound; the exchange holds it as its delegate, and it holds the relay until
/// the relay detaches it.
final class LocalRelayClient: StreamRelaySubscriber, HTTPExchangeDelegate {
    private var relay: StreamRelay?
    let id: StreamFanOut.SubscriberID
    private let exchange: any HTTPExchange
    let startedAt: UInt64
    var countsAsActiveStream = false
    var closed = false

    init(relay: StreamRelay, id: StreamFanOut.SubscriberID, exchange: any HTTPExchange, startedAt: UInt64) {
        self.relay = relay
        self.id = id
        self.exchange = exchange
        self.startedAt = startedAt
    }

    var isHeadRequest: Bool { exchange.head.method == .head }
    func sendHead(_ head: HTTPResponseHead) { exchange.sendHead(head) }
    func send(_ bytes: ArraySlice<UInt8>) -> Bool { bytes.withUnsafeBytes { exchange.sendBody($0) } }

    func end(_ ending: StreamFanOut.Ending) {
        switch ending {
        case .finish: exchange.finish()
        case .abort: exchange.abort()
        }
    }

    func fail(_ problem: ProblemDetails) { exchange.respond(problem: problem) }
    func detach() { relay = nil }

    func exchange(_ exchange: any HTTPExchange, didReceiveBody bytes: UnsafeRawBufferPointer) {}
    func exchangeDidEndRequestBody(_ exchange: any HTTPExchange) {}
    func exchangeBecameWritable(_ exchange: any HTTPExchange) { relay?.clientBecameWritable(id) }
    func exchangeDidClose(_ exchange: any HTTPExchange) { relay?.clientLeft(id) }
}
