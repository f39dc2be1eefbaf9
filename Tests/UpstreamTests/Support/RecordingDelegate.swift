import EventLoop
import HTTPTypes

@testable import Upstream

/// A transfer delegate that records everything it hears, with optional hooks to act on events.
///
/// Threading: its callbacks run on the loop; the test reads its fields after `finished` fired,
/// which orders those reads after every write (`@unchecked Sendable` on that basis).
final class RecordingDelegate: UpstreamTransferDelegate, @unchecked Sendable {
    var head: HTTPResponseHead?
    var events: [String] = []
    var body: [UInt8] = []
    var bodyCalls = 0
    var finishCount = 0
    var error: UpstreamError?
    var wantsMoreCount = 0
    let finished = Signal()

    /// Called on the head; may act on the transfer.
    var onHead: ((UpstreamTransfer, HTTPResponseHead) -> Void)?
    /// Decides whether to accept a body delivery (default: accept).
    var onBody: ((UpstreamTransfer, UnsafeRawBufferPointer) -> Bool)?
    var onWantsMore: ((UpstreamTransfer) -> Void)?
    var onFinish: ((UpstreamTransfer, UpstreamError?) -> Void)?

    func upstreamTransfer(_ transfer: UpstreamTransfer, didReceiveHead head: HTTPResponseHead) {
        events.append("head")
        self.head = head
        onHead?(transfer, head)
    }

    func upstreamTransfer(_ transfer: UpstreamTransfer, didReceiveBody bytes: UnsafeRawBufferPointer) -> Bool {
        bodyCalls += 1
        if let onBody, !onBody(transfer, bytes) { return false }
        if events.last != "body" { events.append("body") }
        body.append(contentsOf: bytes)
        return true
    }

    func upstreamTransferWantsMoreBody(_ transfer: UpstreamTransfer) {
        wantsMoreCount += 1
        onWantsMore?(transfer)
    }

    func upstreamTransfer(_ transfer: UpstreamTransfer, didFinishWith error: UpstreamError?) {
        events.append("finish")
        finishCount += 1
        self.error = error
        onFinish?(transfer, error)
        finished.fire()
    }

    var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// A slow client: refuses the first body delivery and resumes `delay` later (from a timer
    /// on `loop`); takes everything after that.
    func refuseFirstBody(resumingAfter delay: Duration, on loop: EventLoop) {
        var refused = false
        onBody = { transfer, _ in
            if refused { return true }
            refused = true
            loop.schedule(after: delay) { transfer.resumeResponse() }
            return false
        }
    }
}

extension UpstreamTransfer {
    /// Pushes `pieces` one per loop iteration (each from a timer, so curl runs in between), then
    /// ends the body. Call on the loop.
    func feedAcrossTicks(_ pieces: [[UInt8]], on loop: EventLoop, from index: Int = 0) {
        loop.schedule(after: .milliseconds(2)) { [self] in
            guard index < pieces.count else { return endBody() }
            appendBody(pieces[index])
            feedAcrossTicks(pieces, on: loop, from: index + 1)
        }
    }
}
