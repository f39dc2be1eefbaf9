/// One event loop's metric values.
///
/// The loop that owns a shard is the only thread that touches it: increments are plain stores,
/// no lock, no atomic read-modify-write. A scrape asks every loop for a `snapshot()` through
/// `EventLoop.execute` and merges them (`MetricsRegistry`). Label sets are created on first use;
/// callers keep them bounded (models outside the config are labelled `other`).
public final class MetricsShard {
    struct Histogram {
        var counts: [UInt64]
        var sum: Double = 0
        var count: UInt64 = 0

        mutating func record(bucket i: Int, _ value: Double) {
            if i < counts.count { counts[i] += 1 }
            sum += value
            count += 1
        }
    }

    private(set) var scalars: [MetricSeries: Double] = [:]
    private(set) var histograms: [MetricSeries: Histogram] = [:]

    public init() {}

    /// Adds `amount` (≥ 0) to a counter.
    public func increment(_ series: MetricSeries, by amount: Double = 1) {
        precondition(series.metric.descriptor.kind == .counter && amount >= 0)
        scalars[series, default: 0] += amount
    }

    /// Adds `delta` (either sign) to a gauge. Gauges are per-loop deltas summed at scrape time.
    public func adjust(_ series: MetricSeries, by delta: Double) {
        precondition(series.metric.descriptor.kind == .gauge)
        scalars[series, default: 0] += delta
    }

    /// Records one observation (seconds) in a histogram.
    public func observe(_ series: MetricSeries, _ value: Double) {
        let buckets = MetricID.bucketTable[series.metric.rawValue]
        precondition(!buckets.isEmpty, "observe on a metric that is not a histogram")
        var i = 0
        while i < buckets.count && value > buckets[i] { i += 1 }
        // Mutated in place through the dictionary's accessor: a copy out and back would copy
        // the counts array on every observation.
        histograms[series, default: Histogram(counts: Array(repeating: 0, count: buckets.count))].record(bucket: i, value)
    }

    /// A copy of the values, for merging on another thread.
    public func snapshot() -> MetricsSnapshot {
        MetricsSnapshot(scalars: scalars, histograms: histograms.mapValues { .init(counts: $0.counts, sum: $0.sum, count: $0.count) })
    }
}

/// Values of one or more shards, merged. Value type; `Sendable`; safe to move between threads.
public struct MetricsSnapshot: Sendable {
    public struct Histogram: Sendable {
        public var counts: [UInt64]
        public var sum: Double
        public var count: UInt64
    }

    public var scalars: [MetricSeries: Double]
    public var histograms: [MetricSeries: Histogram]

    public init(scalars: [MetricSeries: Double] = [:], histograms: [MetricSeries: Histogram] = [:]) {
        self.scalars = scalars
        self.histograms = histograms
    }

    public mutating func merge(_ other: MetricsSnapshot) {
        for (k, v) in other.scalars { scalars[k, default: 0] += v }
        for (k, v) in other.histograms {
            if var h = histograms[k] {
                for i in 0..<h.counts.count { h.counts[i] += v.counts[i] }
                h.sum += v.sum
                h.count += v.count
                histograms[k] = h
            } else {
                histograms[k] = v
            }
        }
    }
}
