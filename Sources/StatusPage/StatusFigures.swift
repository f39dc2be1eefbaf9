import Metrics

/// The numbers the status page shows, read out of one snapshot: either the totals since start
/// or the difference over an interval (`MetricsInterval.delta`) — the same reading serves both.
///
/// Value type; pure. Hit ratio is hits ÷ cacheable lookups, where cacheable means every result
/// except `bypass` (models configured not to be cached): a coalesced create waited for another
/// one's upstream run, and an `error` lookup became a miss, so both count against the ratio.
public struct StatusFigures: Sendable {
    /// Lookups by the `result` label (hit, miss, bypass, coalesced, error), over every model.
    public var lookups: [String: Double] = [:]
    public var savedUSD: Double = 0
    public var computeSecondsSaved: Double = 0
    public var requests: Double = 0
    /// Requests answered with a 5xx status.
    public var serverErrors: Double = 0
    public var upstreamErrors: Double = 0
    public var redisErrors: Double = 0
    public var inflight: Double = 0
    public var streamsActive: Double = 0
    /// The upstream latency histogram (merged), if anything went upstream.
    public var upstreamLatency: MetricsSnapshot.Histogram?
    /// Per-model lookups and savings, unordered.
    public var models: [String: ModelFigures] = [:]

    /// One model's share (`model` label: `owner/name` from the config, or `other`).
    public struct ModelFigures: Sendable, Equatable {
        public var lookups: Double = 0
        public var hits: Double = 0
        public var savedUSD: Double = 0
        public var computeSecondsSaved: Double = 0
    }

    /// The result labels in the order the page lists them.
    public static let resultOrder = ["hit", "coalesced", "miss", "error", "bypass"]

    public init(_ snapshot: MetricsSnapshot) {
        for (series, value) in snapshot.scalars {
            switch series.metric {
            case .cacheLookups:
                let (model, result) = (series.values[0], series.values[1])
                lookups[result, default: 0] += value
                models[model, default: ModelFigures()].lookups += value
                if result == "hit" { models[model, default: ModelFigures()].hits += value }
            case .costSavedUSD:
                savedUSD += value
                models[series.values[0], default: ModelFigures()].savedUSD += value
            case .computeSecondsSaved:
                computeSecondsSaved += value
                models[series.values[0], default: ModelFigures()].computeSecondsSaved += value
            case .httpRequests:
                requests += value
                if series.values[1].hasPrefix("5") { serverErrors += value }
            case .upstreamErrors: upstreamErrors += value
            case .redisErrors: redisErrors += value
            case .inflightRequests: inflight += value
            case .sseStreamsActive: streamsActive += value
            case .httpRequestDuration, .upstreamRequestDuration, .webhookDeliveries, .streamRelays, .hotTierLookups: break
            }
        }
        upstreamLatency = snapshot.histograms[MetricSeries(.upstreamRequestDuration)]
    }

    public var hits: Double { lookups["hit"] ?? 0 }

    /// Lookups that could have been hits (all but `bypass`).
    public var cacheableLookups: Double { lookups.filter { $0.key != "bypass" }.values.reduce(0, +) }

    /// Hits ÷ cacheable lookups, nil when there were none.
    public var hitRatio: Double? { cacheableLookups > 0 ? hits / cacheableLookups : nil }

    /// Upstream latency at quantile `q` (seconds), nil when nothing went upstream.
    public func upstreamQuantile(_ q: Double) -> Double? {
        upstreamLatency.flatMap { HistogramQuantile.estimate(q, $0, of: .upstreamRequestDuration) }
    }

    /// Models ordered by `keys` (descending, the first key deciding, then the next), ties by
    /// name so the page is deterministic; models whose keys are all zero are left out.
    public func topModels(by keys: [(ModelFigures) -> Double], limit: Int) -> [(name: String, figures: ModelFigures)] {
        models.filter { m in keys.contains { $0(m.value) > 0 } }
            .sorted { a, b in
                for key in keys where key(a.value) != key(b.value) { return key(a.value) > key(b.value) }
                return a.key < b.key
            }
            .prefix(limit)
            .map { (name: $0.key, figures: $0.value) }
    }
}
