@preconcurrency import Glibc
import EventLoop
import HTTPServer
import HTTPTypes
import Synchronization
import TestSupport

/// One POST a `WebhookReceiver` got. Value type.
struct ReceivedWebhook: Sendable {
    var method: String
    var target: String
    var headers: HTTPHeaders
    var body: [UInt8]

    func header(_ name: HTTPHeaderName) -> String? { headers[name] }
    var bodyString: String { String(decoding: body, as: UTF8.self) }
}

/// A webhook endpoint on 127.0.0.1 and a kernel-chosen port: records every request and answers
/// with the status its `answer` closure picks for it (nil holds the answer until
/// `releaseHeld()`, to keep a delivery in flight).
///
/// Threading: requests are handled on the receiver's own loop; the recorded list is behind a
/// mutex, and `waitForCount` blocks the test thread until enough requests arrived.
final class WebhookReceiver: Sendable {
    typealias Answer = @Sendable (_ request: ReceivedWebhook, _ index: Int) -> Int?

    private let server: TestServer
    private let received = Mutex<[ReceivedWebhook]>([])
    private let held = Mutex<[HeldExchange]>([])
    private let arrivals = Mutex<[TestSignal]>([])

    init(answer: @escaping Answer = { _, _ in 204 }) throws {
        let box = Locked<WebhookReceiver?>(nil)
        server = try TestServer { exchange in
            guard let receiver = box.withLock({ $0 }) else { return exchange.respond(status: 503, body: []) }
            let reader = BodyReader(exchange: exchange) { request in
                let index = receiver.record(request)
                if let status = answer(request, index) {
                    exchange.respond(status: status, body: Array("ok".utf8))
                } else {
                    receiver.held.withLock { $0.append(HeldExchange(exchange: exchange)) }
                }
            }
            exchange.delegate = reader
        }
        box.withLock { $0 = self }
    }

    var port: Int { server.port }
    func url(_ path: String = "/hook") -> String { "http://127.0.0.1:\(server.port)\(path)" }

    var requests: [ReceivedWebhook] { received.withLock { $0 } }
    var count: Int { received.withLock { $0.count } }

    /// Blocks until at least `n` requests arrived (true), or `timeout` passed (false).
    func waitForCount(_ n: Int, timeout: Duration = .seconds(15)) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            let signal = TestSignal()
            let enough = received.withLock { list -> Bool in
                if list.count >= n { return true }
                arrivals.withLock { $0.append(signal) }
                return false
            }
            if enough { return true }
            let left = deadline - ContinuousClock.now
            if left <= .zero || !signal.wait(timeout: left) { return count >= n }
        }
    }

    /// Answers every held request with `status`.
    func releaseHeld(status: Int = 204) {
        let list = held.withLock { l -> [HeldExchange] in
            defer { l.removeAll() }
            return l
        }
        for h in list { h.exchange.loop.execute { h.exchange.respond(status: status, body: []) } }
    }

    var heldCount: Int { held.withLock { $0.count } }

    func shutdown() {
        releaseHeld(status: 503)
        server.shutdown()
    }

    private func record(_ request: ReceivedWebhook) -> Int {
        let index = received.withLock { list -> Int in
            list.append(request)
            return list.count - 1
        }
        for s in arrivals.withLock({ l -> [TestSignal] in defer { l.removeAll() }; return l }) { s.signal() }
        return index
    }
}

/// An exchange whose answer is held back; only touched on its own loop (`execute`).
private struct HeldExchange: @unchecked Sendable {
    let exchange: any HTTPExchange
}

/// Collects a request body, then hands the whole request on. Loop-bound.
private final class BodyReader: HTTPExchangeDelegate {
    private let head: HTTPRequestHead
    private var body: [UInt8] = []
    private let done: (ReceivedWebhook) -> Void

    init(exchange: any HTTPExchange, done: @escaping (ReceivedWebhook) -> Void) {
        head = exchange.head
        self.done = done
    }

    func exchange(_ exchange: any HTTPExchange, didReceiveBody bytes: UnsafeRawBufferPointer) {
        body.append(contentsOf: bytes)
    }

    func exchangeDidEndRequestBody(_ exchange: any HTTPExchange) {
        done(ReceivedWebhook(method: head.method.rawValue, target: head.target, headers: head.headers, body: body))
    }

    func exchangeBecameWritable(_ exchange: any HTTPExchange) {}
    func exchangeDidClose(_ exchange: any HTTPExchange) {}
}
