/// When the `completed` event is tried again after a failure (network error, timeout, or any
/// answer but 2xx): "several times on an exponential backoff", the last try about a minute
/// after the first, as Replicate does (replicate-api.md §6). Intermediate events are never
/// retried.
///
/// Retry k (k = 1, 2, …) starts `initial × (2^k − 1)` after the first attempt — 1 s, 3 s, 7 s,
/// 15 s, 31 s with the defaults — as long as that is inside `window`, and one last retry comes
/// at `window` itself (60 s). The schedule depends only on attempt numbers, not on how long
/// attempts took, so the number of attempts is fixed: `attempts` (7 with the defaults). A zero
/// `window` means no retries. Value type; `Sendable`.
public struct WebhookRetrySchedule: Sendable, Equatable {
    public let initial: Duration
    public let window: Duration

    public init(initial: Duration, window: Duration) {
        self.initial = initial
        self.window = window
    }

    /// Offsets of every retry from the first attempt.
    public var retryOffsets: [Duration] {
        let step = max(initial.nanoseconds, 1)
        let end = window.nanoseconds
        guard end > 0 else { return [] }
        var offsets: [Duration] = []
        var k: Int64 = 1
        while k < 62 {
            let (factor, overflow) = (Int64(1) << k).subtractingReportingOverflow(1)
            let (at, tooFar) = step.multipliedReportingOverflow(by: factor)
            if overflow || tooFar || at >= end { break }
            offsets.append(.nanoseconds(at))
            k += 1
        }
        offsets.append(.nanoseconds(end))
        return offsets
    }

    /// Attempts in all, the first included.
    public var attempts: Int { 1 + retryOffsets.count }

    /// The wait before the next attempt once `made` attempts (≥ 1) have failed; nil when that
    /// was the last.
    public func delay(afterAttempts made: Int) -> Duration? {
        let offsets = retryOffsets
        guard made >= 1, made <= offsets.count else { return nil }
        let previous = made == 1 ? Duration.zero : offsets[made - 2]
        return offsets[made - 1] - previous
    }
}

extension Duration {
    /// Whole nanoseconds, clamped to `Int64`.
    fileprivate var nanoseconds: Int64 {
        let (s, a) = components
        let (ns, overflow) = s.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return s < 0 ? .min : .max }
        let (sum, o2) = ns.addingReportingOverflow(a / 1_000_000_000)
        return o2 ? .max : sum
    }
}
