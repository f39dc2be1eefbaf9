import EventLoop
import HTTPServer
import HTTPTypes
import JSONCore

/// One SSE stream (`GET /v1/streams/{id}`): sends the prediction's output items as `output`
/// events as they appear on the fake clock, then `done`.
///
/// Wire format (replicate-api.md §4): `event: output` / `id: <n>` / one `data:` line per line of
/// the item, blank line; ids count from 0 and `done` takes the next one. The end is
/// `event: done` with `data: {}`, or `{"reason":"canceled"}`, or for a failure an
/// `event: error` (`{"detail":…}`) then `done` with `{"reason":"error"}`. `Last-Event-ID: n`
/// resumes after item n. Back-pressure: production stops when `sendBody` returns false and
/// resumes on `exchangeBecameWritable`. The timer for the next item is cancelled when the
/// client goes. Faults: `close` drops the connection before the head, `truncate` after the
/// first event.
///
/// Keeps itself alive until it finishes or the client goes. Threading: bound to `loop`.
final class StreamSession: HTTPExchangeDelegate {
    private let fake: FakeReplicate
    private let loop: EventLoop
    private var exchange: (any HTTPExchange)?
    private let id: String
    private let fault: FaultSpec?
    /// Index of the next item to send.
    private var next: Int
    private var paused = false
    private var timer: TimerHandle?
    private var keepAlive: StreamSession?
    /// Reused for every event: no allocation per event once it has grown.
    private var buffer: [UInt8] = []

    init(
        fake: FakeReplicate, loop: EventLoop, exchange: any HTTPExchange, id: String, lastEventID: String?,
        fault: FaultSpec?
    ) {
        self.fake = fake
        self.loop = loop
        self.exchange = exchange
        self.id = id
        self.fault = fault
        next = lastEventID.flatMap { Int($0.split(separator: ":").last ?? "") }.map { $0 + 1 } ?? 0
        buffer.reserveCapacity(256)
    }

    func start() {
        guard let ex = exchange else { return }
        keepAlive = self
        ex.delegate = self
        guard fake.store.get(Substring(id), owner: nil) != nil else {
            let body = ProblemDetails(status: 404, title: "Not found", detail: "Stream not found").jsonBytes()
            ex.respond(status: 404, headers: ["content-type": "application/json"], body: body)
            end()
            return
        }
        if fault?.close == true {
            fake.counters.increment(.faults)
            ex.abort()
            end()
            return
        }
        var h = HTTPHeaders()
        h.add(.contentType, "text/event-stream")
        h.add(.cacheControl, "no-store")
        ex.sendHead(HTTPResponseHead(status: 200, headers: h))
        pump()
    }

    // MARK: - HTTPExchangeDelegate

    func exchange(_ exchange: any HTTPExchange, didReceiveBody bytes: UnsafeRawBufferPointer) {}
    func exchangeDidEndRequestBody(_ exchange: any HTTPExchange) {}

    func exchangeBecameWritable(_ exchange: any HTTPExchange) {
        guard paused else { return }
        paused = false
        pump()
    }

    func exchangeDidClose(_ exchange: any HTTPExchange) {
        end()
    }

    // MARK: - Producing

    /// Sends every item visible now, then `done` if the prediction has ended, else waits for
    /// the next item (or a re-check, to notice a cancel).
    private func pump() {
        guard let ex = exchange, !paused else { return }
        let now = fake.now(on: loop)
        guard let p = fake.store.get(Substring(id), owner: nil) else {
            // Evicted meanwhile: end cleanly.
            sendDone(ex, reason: nil)
            return
        }
        let visible = p.streamItemsVisible(at: now)
        while next < visible {
            encodeEvent("output", id: next, data: p.plan.streamItem(next))
            next += 1
            let writable = buffer.withUnsafeBytes { ex.sendBody($0) }
            if fault?.truncate == true {
                fake.counters.increment(.faults)
                ex.abort()
                end()
                return
            }
            if !writable {
                paused = true
                return
            }
        }
        let v = p.view(at: now)
        guard v.status.isTerminal else {
            let wake = min(p.nextChange(after: now) ?? now, now &+ FakeRequest.waitRecheckNanoseconds)
            timer = loop.schedule(atNanoseconds: fake.loopDeadline(forFakeInstant: wake)) { [self] in
                timer = nil
                pump()
            }
            return
        }
        switch v.status {
        case .failed:
            var o = JSONObjectWriter(capacity: 96)
            o.field("detail", p.plan.failure ?? "Prediction failed")
            encodeEvent("error", id: next, data: String(decoding: o.finish(), as: UTF8.self))
            next += 1
            _ = buffer.withUnsafeBytes { ex.sendBody($0) }
            sendDone(ex, reason: "error")
        case .canceled: sendDone(ex, reason: "canceled")
        default: sendDone(ex, reason: nil)
        }
    }

    private func sendDone(_ ex: any HTTPExchange, reason: String?) {
        encodeEvent("done", id: next, data: reason.map { "{\"reason\":\"\($0)\"}" } ?? "{}")
        _ = buffer.withUnsafeBytes { ex.sendBody($0) }
        ex.finish()
        end()
    }

    /// Writes one event into `buffer`; a multi-line item becomes several `data:` lines
    /// (CR, LF and CRLF all end a line in SSE).
    private func encodeEvent(_ event: StaticString, id: Int, data: String) {
        buffer.removeAll(keepingCapacity: true)
        buffer.append(contentsOf: "event: ".utf8)
        event.withUTF8Buffer { buffer.append(contentsOf: $0) }
        buffer.append(contentsOf: "\nid: ".utf8)
        buffer.append(contentsOf: String(id).utf8)
        buffer.append(contentsOf: "\ndata: ".utf8)
        var previousCR = false
        for b in data.utf8 {
            if b == 0x0A && previousCR {
                previousCR = false
                continue
            }
            previousCR = b == 0x0D
            if b == 0x0A || b == 0x0D {
                buffer.append(contentsOf: "\ndata: ".utf8)
            } else {
                buffer.append(b)
            }
        }
        buffer.append(contentsOf: "\n\n".utf8)
    }

    private func end() {
        if let t = timer {
            loop.cancel(t)
            timer = nil
        }
        exchange = nil
        keepAlive = nil
    }
}
