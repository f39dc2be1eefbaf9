import EventLoop
import Metrics
import StatusPage
import Synchronization

/// Keeps the status page's history: every `interval` a timer on one loop merges all shards
/// (`MetricsCollector.collectSnapshot`) and appends the result to a bounded `MetricsHistory`
/// (60 points × 10 s = 10 minutes by default).
///
/// Threading: `start` once, from any thread; sampling then runs on the chosen loop, and the
/// history is read from any loop through `current`. The mutex is taken by the sampler every
/// `interval` and by status-page requests, never on the request path, so it is uncontended.
/// Memory: `capacity` snapshots, each bounded by the metrics' bounded label sets.
final class StatusHistoryRecorder: Sendable {
    static let defaultInterval: Duration = .seconds(10)
    static let defaultCapacity = 60

    let interval: Duration
    private let history: Mutex<MetricsHistory>
    /// Monotonic ns when sampling started; 0 until `start`.
    private let startedAt = Atomic<UInt64>(0)

    init(interval: Duration = defaultInterval, capacity: Int = defaultCapacity) {
        self.interval = interval
        history = Mutex(MetricsHistory(capacity: capacity, intervalNanos: interval.nanosecondsClamped))
    }

    /// A copy of the history (copy-on-write: cheap, and safe to use on any thread).
    var current: MetricsHistory { history.withLock { $0 } }

    /// Seconds since `start`, read on `loop` (nil before `start`).
    func uptimeSeconds(now: UInt64) -> Double? {
        let t = startedAt.load(ordering: .acquiring)
        return t == 0 ? nil : Double(now &- t) / 1e9
    }

    /// Takes a first sample now and one every `interval` after it, on `loop`.
    func start(on loop: EventLoop, collector: MetricsCollector) {
        loop.execute { [self] in
            let now = loop.preciseNow()
            startedAt.store(now, ordering: .releasing)
            sample(loop: loop, collector: collector, deadline: now)
        }
    }

    /// Runs on `loop`: records a merged snapshot stamped with the time it was asked for, then
    /// re-arms for the next deadline (skipping ahead rather than bunching up after a stall).
    private func sample(loop: EventLoop, collector: MetricsCollector, deadline: UInt64) {
        let takenAt = loop.preciseNow()
        collector.collectSnapshot(replyOn: loop) { [self] snapshot in
            history.withLock { $0.append(snapshot, at: takenAt) }
        }
        let step = interval.nanosecondsClamped
        var next = deadline &+ step
        if next <= takenAt { next = takenAt &+ step }
        loop.schedule(atNanoseconds: next) { [self] in sample(loop: loop, collector: collector, deadline: next) }
    }
}
