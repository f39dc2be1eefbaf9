import Metrics
import Foundation
import Testing

@Suite struct PrometheusTextTests {
    @Test func exactExpositionAfterKnownEvents() {
        let a = MetricsShard()
        let b = MetricsShard()
        a.increment(MetricSeries(.cacheLookups, ["meta/llama", "hit"]))
        a.increment(MetricSeries(.cacheLookups, ["meta/llama", "hit"]))
        b.increment(MetricSeries(.cacheLookups, ["meta/llama", "hit"]))
        b.increment(MetricSeries(.cacheLookups, ["other", "miss"]))
        a.increment(MetricSeries(.costSavedUSD, ["meta/llama"]), by: 0.25)
        b.increment(MetricSeries(.costSavedUSD, ["meta/llama"]), by: 0.5)
        a.adjust(MetricSeries(.inflightRequests), by: 1)
        b.adjust(MetricSeries(.inflightRequests), by: 1)
        b.adjust(MetricSeries(.inflightRequests), by: -1)
        a.observe(MetricSeries(.upstreamRequestDuration), 0.0003)
        b.observe(MetricSeries(.upstreamRequestDuration), 700)
        var snap = a.snapshot()
        snap.merge(b.snapshot())
        let text = PrometheusText.render(snap)
        #expect(text.contains("""
            # HELP reprise_cache_lookups_total Prediction creates by cache outcome (hit, miss, bypass, coalesced, error).
            # TYPE reprise_cache_lookups_total counter
            reprise_cache_lookups_total{model="meta/llama",result="hit"} 3
            reprise_cache_lookups_total{model="other",result="miss"} 1
            # HELP reprise_cost_saved_usd_total
            """))
        #expect(text.contains("reprise_cost_saved_usd_total{model=\"meta/llama\"} 0.75\n"))
        #expect(text.contains("# TYPE reprise_inflight_requests gauge\nreprise_inflight_requests 1\n"))
        #expect(text.contains("# TYPE reprise_redis_errors_total counter\nreprise_redis_errors_total 0\n"))
        #expect(text.contains("""
            reprise_upstream_request_duration_seconds_bucket{le="0.00025"} 0
            reprise_upstream_request_duration_seconds_bucket{le="0.0005"} 1
            """))
        #expect(text.contains("""
            reprise_upstream_request_duration_seconds_bucket{le="600"} 1
            reprise_upstream_request_duration_seconds_bucket{le="+Inf"} 2
            reprise_upstream_request_duration_seconds_sum 700.0003
            reprise_upstream_request_duration_seconds_count 2
            """))
    }

    @Test func everyMetricIsDeclaredEvenWithoutValues() {
        let text = PrometheusText.render(MetricsSnapshot())
        for id in MetricID.allCases {
            #expect(text.contains("# TYPE \(id.descriptor.name) \(id.descriptor.kind.rawValue)\n"))
        }
    }

    @Test func labelValuesAreEscaped() {
        let s = MetricsShard()
        s.increment(MetricSeries(.upstreamErrors, ["a\"b\\c\nd"]))
        #expect(PrometheusText.render(s.snapshot()).contains(#"reprise_upstream_errors_total{kind="a\"b\\c\nd"} 1"#))
    }

    @Test func contractNamesAreDeclared() {
        let names = Set(MetricID.allCases.map(\.descriptor.name))
        for n in [
            "reprise_cache_lookups_total", "reprise_cost_saved_usd_total", "reprise_compute_seconds_saved_total",
            "reprise_http_requests_total", "reprise_http_request_duration_seconds",
            "reprise_upstream_request_duration_seconds", "reprise_redis_errors_total", "reprise_inflight_requests",
            "reprise_sse_streams_active",
        ] {
            #expect(names.contains(n), "\(n)")
        }
    }

    @Test func docsAreGeneratedFromTheTable() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/metrics.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        #expect(text == MetricID.markdown() + "\n", "regenerate docs/metrics.md with `reprise --describe-metrics --markdown`")
    }
}
