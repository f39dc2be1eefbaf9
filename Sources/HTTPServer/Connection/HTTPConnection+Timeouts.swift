import EventLoop
import HTTPTypes

// Timeouts: one loop timer per connection at most.
//
// The deadline that applies depends on the state (idle, reading a head, reading a body,
// closing), and the state changes on every request. Re-arming a timer each time would cost a
// heap operation per request, so the connection keeps the earliest armed deadline; when the
// timer fires it re-computes the deadline that applies now and either acts or re-arms.
extension HTTPConnection {
    /// What a deadline ends.
    enum DeadlineKind {
        /// Keep-alive connection with no request: close silently.
        case idle
        /// Head not complete in time: 408.
        case head
        /// Body stalled while the server was reading it: 408.
        case body
        /// Closing (lingering, or a client not reading our last bytes): close.
        case closing
    }

    /// Time allowed to linger (read and discard) or to write the final bytes when closing.
    static let closingTimeout: Duration = .seconds(2)

    /// The deadline that applies in the current state, if any.
    var nextDeadline: (at: UInt64, kind: DeadlineKind)? {
        let c = configuration
        if lingering || closeWhenFlushed { return (closingSince &+ Self.closingTimeout.nanosecondsClamped, .closing) }
        if let ex = current {
            guard ex.wantsRequestEvents && !ex.responseFinished else { return nil }
            return (lastBodyActivity &+ c.bodyTimeout.nanosecondsClamped, .body)
        }
        if parser.isMidMessage { return (headStartedAt &+ c.headerTimeout.nanosecondsClamped, .head) }
        return (idleSince &+ c.idleTimeout.nanosecondsClamped, .idle)
    }

    /// Makes sure a timer fires no later than the deadline that applies now.
    func armTimer() {
        guard let (at, _) = nextDeadline else { return }
        if let t = timer {
            if timerDeadline <= at { return }
            loop.cancel(t)
        }
        timerDeadline = at
        timer = loop.schedule(atNanoseconds: at) { [self] in timerFired() }
    }

    private func timerFired() {
        timer = nil
        guard !closed, let (at, kind) = nextDeadline else { return }
        if loop.now < at {
            armTimer()
            return
        }
        let c = configuration
        switch kind {
        case .idle, .closing:
            close(notify: false)
        case .head:
            respondWithProblem(
                ProblemDetails(
                    status: 408, title: "Request timeout",
                    detail: "The request line and headers were not received within \(Self.describe(c.headerTimeout))."))
        case .body:
            respondWithProblem(
                ProblemDetails(
                    status: 408, title: "Request timeout",
                    detail: "The request body stalled: no byte arrived for \(Self.describe(c.bodyTimeout))."))
        }
        settle()
    }

    /// `10s`, `200ms`: how the config file writes durations.
    static func describe(_ d: Duration) -> String {
        let ms = d.nanosecondsClamped / 1_000_000
        if ms % 1000 == 0 { return "\(ms / 1000)s" }
        return "\(ms)ms"
    }
}
