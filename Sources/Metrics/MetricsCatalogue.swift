/// Every metric Reprise exports, declared once (name, kind, help, labels), in the order
/// `/metrics` prints them. `reprise --describe-metrics` prints this table and docs/metrics.md
/// is generated from it. Names and labels of contract.md are part of the user contract: never
/// rename one.
public enum MetricID: Int, Sendable, CaseIterable, Hashable {
    case cacheLookups
    case costSavedUSD
    case computeSecondsSaved
    case httpRequests
    case httpRequestDuration
    case upstreamRequestDuration
    case upstreamErrors
    case redisErrors
    case inflightRequests
    case sseStreamsActive
    case webhookDeliveries
    case streamRelays
    case hotTierLookups

    /// Latency buckets from 100 µs (a hit served from Redis) to 10 minutes (a long prediction
    /// held open with `Prefer: wait` or a stream).
    public static let latencyBuckets: [Double] = [
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
        120, 300, 600,
    ]

    public var descriptor: MetricDescriptor { MetricID.descriptors[rawValue] }

    /// Each metric's histogram buckets by raw value (empty unless a histogram), so that an
    /// observation reads one array instead of copying a whole descriptor.
    static let bucketTable: [[Double]] = descriptors.map(\.buckets)

    private static let descriptors: [MetricDescriptor] = [
        MetricDescriptor(
            name: "reprise_cache_lookups_total", kind: .counter,
            help: "Prediction creates by cache outcome (hit, miss, bypass, coalesced, error).",
            labelNames: ["model", "result"]),
        MetricDescriptor(
            name: "reprise_cost_saved_usd_total", kind: .counter,
            help: "US dollars not spent on Replicate because a create was answered from the cache.",
            labelNames: ["model"]),
        MetricDescriptor(
            name: "reprise_compute_seconds_saved_total", kind: .counter,
            help: "Seconds of model compute (predict_time) not run because of cache hits.", labelNames: ["model"]),
        MetricDescriptor(
            name: "reprise_http_requests_total", kind: .counter, help: "Requests answered, by route and status code.",
            labelNames: ["route", "status"]),
        MetricDescriptor(
            name: "reprise_http_request_duration_seconds", kind: .histogram,
            help: "Time from a request's head to the end of its response, by route.", labelNames: ["route"],
            buckets: latencyBuckets),
        MetricDescriptor(
            name: "reprise_upstream_request_duration_seconds", kind: .histogram,
            help: "Time from sending a request to Replicate to receiving its response head.", buckets: latencyBuckets),
        MetricDescriptor(
            name: "reprise_upstream_errors_total", kind: .counter,
            help: "Upstream transfers that failed, by kind (connect, closed, timeout, tls, protocol, canceled, refused, other).",
            labelNames: ["kind"]),
        MetricDescriptor(
            name: "reprise_redis_errors_total", kind: .counter,
            help: "Redis commands that failed or timed out (Reprise then fails open and forwards)."),
        MetricDescriptor(
            name: "reprise_inflight_requests", kind: .gauge, help: "Requests being handled right now."),
        MetricDescriptor(
            name: "reprise_sse_streams_active", kind: .gauge, help: "Server-sent event streams open to clients."),
        MetricDescriptor(
            name: "reprise_webhook_deliveries_total", kind: .counter,
            help: "Webhook events Reprise sent for cache hits, by outcome: delivered (2xx), failed (after any retries), "
                + "refused (URL or address not allowed), dropped (delivery queue full).",
            labelNames: ["result"]),
        MetricDescriptor(
            name: "reprise_stream_relays_total", kind: .counter,
            help: "Clients of live (relayed) streams, by outcome: opened (a new upstream relay), joined (an in-flight "
                + "relay of this process, from its start), dropped (fell too far behind the others), refused (the stream "
                + "URL failed the host check; nothing was fetched).",
            labelNames: ["result"]),
        MetricDescriptor(
            name: "reprise_hot_tier_lookups_total", kind: .counter,
            help: "Cache lookups of creates by where they were answered: hot (the event loop's in-memory copy of an "
                + "entry Redis returned less than cache.hot_ttl ago; no Redis read), redis (looked up in Redis), "
                + "refresh (a background lookup renewing a hot copy in use), grace (Redis failed the lookup and the "
                + "in-memory copy answered, within cache.hot_grace and the entry's TTL).",
            labelNames: ["source"]),
    ]

    /// The table as text: one metric per line with kind, labels and help.
    public static func describe() -> String {
        var lines: [String] = []
        for id in MetricID.allCases {
            let d = id.descriptor
            let labels = d.labelNames.isEmpty ? "-" : d.labelNames.joined(separator: ",")
            lines.append("\(d.name)\t\(d.kind.rawValue)\t\(labels)\t\(d.help)")
        }
        return lines.joined(separator: "\n")
    }

    /// The table as a Markdown document, without the final newline (docs/metrics.md is this plus
    /// the newline `--describe-metrics --markdown` prints).
    public static func markdown() -> String {
        var s = "# Metrics\n\nGenerated by `reprise --describe-metrics --markdown` from the table in "
        s += "`Sources/Metrics/MetricsCatalogue.swift`; do not edit by hand.\n\n"
        s += "`model` is `owner/name` for models named in the config and `other` for the rest, so label sets stay bounded.\n\n"
        s += "| name | type | labels | meaning |\n|---|---|---|---|\n"
        for id in MetricID.allCases {
            let d = id.descriptor
            let labels = d.labelNames.isEmpty ? "" : d.labelNames.map { "`\($0)`" }.joined(separator: ", ")
            s += "| `\(d.name)` | \(d.kind.rawValue) | \(labels) | \(d.help) |\n"
        }
        return String(s.dropLast())
    }
}
