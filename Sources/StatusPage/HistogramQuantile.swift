import Metrics

/// Quantiles estimated from histogram buckets the way Prometheus' `histogram_quantile` does, so
/// the status page and a Grafana panel over the same data agree.
///
/// The rank `q × count` is located in the first bucket whose cumulative count reaches it, and
/// the value is interpolated linearly between that bucket's lower bound (the previous upper
/// bound, or 0 for the first bucket) and its upper bound. A rank that falls in the overflow
/// (`+Inf`) bucket answers the highest finite bound: the histogram cannot say more. Pure.
public enum HistogramQuantile {
    /// - Parameters:
    ///   - q: the quantile, 0...1.
    ///   - counts: observations per bucket (not cumulative), one per entry of `bounds`.
    ///   - total: all observations, including those above the last bound.
    ///   - bounds: the buckets' upper bounds, ascending.
    /// - Returns: nil when there are no observations.
    public static func estimate(_ q: Double, counts: [UInt64], total: UInt64, bounds: [Double]) -> Double? {
        precondition(counts.count == bounds.count, "one count per bucket")
        guard total > 0, !bounds.isEmpty else { return nil }
        let rank = min(max(q, 0), 1) * Double(total)
        var cumulative: UInt64 = 0
        for (i, upper) in bounds.enumerated() {
            let before = cumulative
            cumulative += counts[i]
            guard Double(cumulative) >= rank, counts[i] > 0 else { continue }
            let lower = i == 0 ? 0 : bounds[i - 1]
            let within = (rank - Double(before)) / Double(counts[i])
            return lower + (upper - lower) * within
        }
        return bounds[bounds.count - 1]
    }

    /// The estimate for one series of a snapshot (its descriptor supplies the bounds).
    public static func estimate(_ q: Double, _ histogram: MetricsSnapshot.Histogram, of metric: MetricID) -> Double? {
        estimate(q, counts: histogram.counts, total: histogram.count, bounds: metric.descriptor.buckets)
    }
}
