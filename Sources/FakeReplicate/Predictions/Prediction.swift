/// One prediction held by the fake: who made it, what was asked, and its plan.
///
/// Times are on the fake's clock (`FakeClock`, monotonic nanoseconds). The only thing that
/// changes after creation is `canceledAt`; everything else a client sees is derived from the
/// plan and the current time by `view(at:)`. Value type, `Sendable`.
struct Prediction: Sendable {
    /// Prediction status as Replicate spells it. The fake never produces `aborted`.
    enum Status: String, Sendable {
        case starting, processing, succeeded, failed, canceled

        var isTerminal: Bool { self == .succeeded || self == .failed || self == .canceled }
    }

    let id: String
    /// Creation order, for listing and eviction.
    let seq: Int
    /// Index of the creating token in the configuration's token list.
    let owner: Int
    let modelIndex: Int
    /// What the prediction reports as `version`.
    let version: String
    /// The `input` object, compact JSON.
    let input: [UInt8]
    let plan: PredictionPlan
    let createdAt: UInt64
    /// Wall-clock creation time, nanoseconds since the epoch (for ISO timestamps).
    let createdWall: Int64
    var canceledAt: UInt64?
    /// `owner/name` when created through a deployment.
    let deployment: String?
    /// `webhook` and `webhook_events_filter` as sent (compact JSON), echoed back.
    let webhook: [UInt8]?
    let webhookEventsFilter: [UInt8]?

    /// What a client sees at one instant.
    struct View: Equatable {
        var status: Status
        /// Items of a list output visible now (all of them once succeeded).
        var visibleItems: Int
        /// Whether `output` is non-null.
        var hasOutput: Bool
        var logs: String
        /// Nanoseconds since creation when processing began / the prediction ended.
        var startedOffset: UInt64?
        var completedOffset: UInt64?
    }

    var startsAt: UInt64 { createdAt &+ plan.startOffset }
    var endsAt: UInt64 { startsAt &+ plan.runDuration }

    func view(at now: UInt64) -> View {
        if let c = canceledAt, c <= now {
            var v = runningView(at: c)
            v.status = .canceled
            v.completedOffset = c &- createdAt
            if v.startedOffset == nil { v.logs = "" }
            return v
        }
        return runningView(at: now)
    }

    /// The view ignoring cancellation.
    private func runningView(at now: UInt64) -> View {
        if now < startsAt {
            return View(
                status: .starting, visibleItems: 0, hasOutput: false, logs: "", startedOffset: nil, completedOffset: nil
            )
        }
        if now < endsAt {
            var items = 0
            if plan.isIterator {
                items = plan.itemInterval == 0 ? plan.itemCount : Int((now - startsAt) / plan.itemInterval)
                items = min(items, plan.itemCount)
            }
            return View(
                status: .processing, visibleItems: items, hasOutput: plan.isIterator, logs: plan.runningLogs,
                startedOffset: plan.startOffset, completedOffset: nil)
        }
        let failed = plan.failure != nil
        return View(
            status: failed ? .failed : .succeeded, visibleItems: failed ? 0 : plan.itemCount,
            hasOutput: !failed && plan.output != .null, logs: plan.finalLogs, startedOffset: plan.startOffset,
            completedOffset: plan.startOffset &+ plan.runDuration)
    }

    /// The next instant after `now` at which `view` changes, or nil once terminal.
    func nextChange(after now: UInt64) -> UInt64? {
        if view(at: now).status.isTerminal { return nil }
        if now < startsAt { return startsAt }
        if plan.isIterator && plan.itemInterval > 0 {
            let k = (now - startsAt) / plan.itemInterval + 1
            return min(startsAt &+ k &* plan.itemInterval, endsAt)
        }
        return endsAt
    }

    /// The stream items visible now: list items as they appear; other outputs once succeeded.
    func streamItemsVisible(at now: UInt64) -> Int {
        let v = view(at: now)
        if plan.isIterator { return v.visibleItems }
        return v.status == .succeeded ? plan.streamItemCount : 0
    }
}
