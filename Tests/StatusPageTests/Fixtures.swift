import Metrics
import StatusPage

/// Builds snapshots the way Reprise does (through a shard), so tests exercise real label sets.
enum Fixtures {
    static let second: UInt64 = 1_000_000_000

    /// Lookups per (model, result), money and compute saved per model, requests, upstream latencies.
    static func snapshot(
        lookups: [(String, String, Double)] = [], saved: [(String, Double, Double)] = [], requests: [(String, String, Double)] = [],
        upstream: [Double] = [], inflight: Double = 0
    ) -> MetricsSnapshot {
        let shard = MetricsShard()
        for (model, result, n) in lookups { shard.increment(MetricSeries(.cacheLookups, [model, result]), by: n) }
        for (model, usd, seconds) in saved {
            shard.increment(MetricSeries(.costSavedUSD, [model]), by: usd)
            shard.increment(MetricSeries(.computeSecondsSaved, [model]), by: seconds)
        }
        for (route, status, n) in requests { shard.increment(MetricSeries(.httpRequests, [route, status]), by: n) }
        for v in upstream { shard.observe(MetricSeries(.upstreamRequestDuration), v) }
        if inflight != 0 { shard.adjust(MetricSeries(.inflightRequests), by: inflight) }
        return shard.snapshot()
    }
}
