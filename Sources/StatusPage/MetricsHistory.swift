import Metrics

/// The status page's memory: merged metric snapshots taken at a fixed period, newest last, in
/// a ring buffer of fixed capacity (60 points every 10 s = the last 10 minutes).
///
/// Value type; `Sendable`. The owner appends from one place (a loop timer); readers get a copy
/// (copy-on-write, so handing it to another thread costs a reference count). Invariants:
/// `count <= capacity`; points are in the order they were appended, and callers append them
/// with ascending monotonic times. Memory is bounded by `capacity` × the size of a snapshot,
/// and snapshots are bounded because metric label sets are (models outside the config are
/// labelled `other`).
public struct MetricsHistory: Sendable {
    /// One sample: the merged snapshot and the monotonic instant it was taken (nanoseconds).
    public struct Point: Sendable {
        public let atNanos: UInt64
        public let snapshot: MetricsSnapshot

        public init(atNanos: UInt64, snapshot: MetricsSnapshot) {
            self.atNanos = atNanos
            self.snapshot = snapshot
        }
    }

    /// Most points kept; the oldest is dropped when a new one arrives.
    public let capacity: Int
    /// The sampling period, so charts can span a fixed window (`windowNanos`).
    public let intervalNanos: UInt64
    private var storage: [Point] = []
    /// Index of the oldest point once the buffer is full (where the next one overwrites).
    private var oldest = 0

    public init(capacity: Int, intervalNanos: UInt64) {
        precondition(capacity >= 2, "a history needs two points to show a rate")
        precondition(intervalNanos > 0)
        self.capacity = capacity
        self.intervalNanos = intervalNanos
        storage.reserveCapacity(capacity)
    }

    /// The time a full history spans: what the charts' x axis shows.
    public var windowNanos: UInt64 { intervalNanos * UInt64(capacity - 1) }

    public var count: Int { storage.count }

    /// Adds a sample, dropping the oldest when full.
    public mutating func append(_ snapshot: MetricsSnapshot, at nanos: UInt64) {
        let point = Point(atNanos: nanos, snapshot: snapshot)
        if storage.count < capacity {
            storage.append(point)
        } else {
            storage[oldest] = point
            oldest = (oldest + 1) % capacity
        }
    }

    /// The points, oldest first.
    public var points: [Point] {
        guard oldest > 0 else { return storage }
        return Array(storage[oldest...] + storage[..<oldest])
    }

    /// What happened between each pair of neighbouring points, oldest first (`count - 1` of them).
    public var intervals: [MetricsInterval] {
        let p = points
        guard p.count >= 2 else { return [] }
        return (1..<p.count).map { MetricsInterval(from: p[$0 - 1], to: p[$0]) }
    }
}

/// The change between two samples: counters and histograms as differences, gauges as their
/// value at the end. Value type; pure.
public struct MetricsInterval: Sendable {
    public let startNanos: UInt64
    public let endNanos: UInt64
    /// Differences of counters and histogram buckets (never negative), gauges at `endNanos`.
    public let delta: MetricsSnapshot

    public init(from start: MetricsHistory.Point, to end: MetricsHistory.Point) {
        startNanos = start.atNanos
        endNanos = end.atNanos
        delta = MetricsInterval.difference(end.snapshot, minus: start.snapshot)
    }

    public var seconds: Double { Double(endNanos &- startNanos) / 1e9 }

    /// `amount` per second over this interval (0 for an empty interval).
    public func rate(_ amount: Double) -> Double { seconds > 0 ? amount / seconds : 0 }

    /// `later − earlier` for counters and histograms (clamped at 0: counters only grow within one
    /// process, so a negative difference can only be a sampling artefact), gauges as `later`.
    public static func difference(_ later: MetricsSnapshot, minus earlier: MetricsSnapshot) -> MetricsSnapshot {
        var out = MetricsSnapshot()
        for (series, value) in later.scalars {
            if series.metric.descriptor.kind == .gauge {
                out.scalars[series] = value
            } else {
                out.scalars[series] = max(0, value - (earlier.scalars[series] ?? 0))
            }
        }
        for (series, h) in later.histograms {
            guard let before = earlier.histograms[series], before.counts.count == h.counts.count else {
                out.histograms[series] = h
                continue
            }
            var d = h
            for i in 0..<d.counts.count { d.counts[i] = h.counts[i] >= before.counts[i] ? h.counts[i] - before.counts[i] : 0 }
            d.count = h.count >= before.count ? h.count - before.count : 0
            d.sum = max(0, h.sum - before.sum)
            out.histograms[series] = d
        }
        return out
    }
}
