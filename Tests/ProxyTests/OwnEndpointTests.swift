import Config
import Foundation
import Logging
import Proxy
import TestSupport
import Testing

/// `/healthz`, `/readyz` and `/metrics` as the contract gives them.
@Suite struct OwnEndpointTests {
    static let contractMetrics = [
        "reprise_cache_lookups_total", "reprise_cost_saved_usd_total", "reprise_compute_seconds_saved_total",
        "reprise_http_requests_total", "reprise_http_request_duration_seconds",
        "reprise_upstream_request_duration_seconds", "reprise_redis_errors_total", "reprise_inflight_requests",
        "reprise_sse_streams_active",
    ]

    @Test func healthzAndReadyzWithRedisUp() async throws {
        try await withHarness { h in
            let health = try await h.reprise.send("GET", "/healthz", token: nil)
            #expect(health.status == 200)
            #expect(health.json["status"] as? String == "ok")
            let ready = try await h.reprise.send("GET", "/readyz", token: nil)
            #expect(ready.status == 200)
            #expect(ready.header("content-type") == "application/json")
            #expect(ready.json["status"] as? String == "ready")
            #expect(h.upstream.count(.requests) == 0)
        }
    }

    @Test func notReadyUntilEveryLoopHasConnectedToRedis() async throws {
        // Loops make their Redis connections only once started: an instance must not read as
        // ready before that (a load balancer probing at start-up would send traffic too early).
        let yaml = RepriseInstance.yaml(
            options: RepriseOptions(), upstreamURL: "http://127.0.0.1:9", redisURL: "redis://127.0.0.1:9/0",
            keyPrefix: "proxytest-unstarted:")
        let config = try ConfigLoader.parse(text: yaml.replacingOccurrences(of: "loops: 1", with: "loops: 2"), fileName: "t")
        let problems = try await offThePool {
            let app = try RepriseApp(config: config, logger: Logger(sink: LogSink(fd: 2, background: false), level: .error))
            defer { app.shutdown() }
            return app.readiness.problems.map(\.component)
        }
        #expect(problems == ["redis.loop0", "redis.loop1"])
    }

    @Test func readyzIs503NamingRedisWhileRedisIsUnreachable() async throws {
        try await withHarness(RepriseOptions(unreachableRedis: true, waitUntilReady: false)) { h in
            let ready = try await h.reprise.send("GET", "/readyz", token: nil)
            #expect(ready.status == 503)
            #expect(ready.header("content-type") == "application/json")
            #expect(ready.json["status"] as? String == "not ready")
            let reasons = try #require(ready.json["reasons"] as? [String: String])
            #expect(!reasons.isEmpty && reasons.keys.allSatisfy { $0.hasPrefix("redis") })
            #expect(try await h.reprise.send("GET", "/healthz", token: nil).status == 200)
        }
    }

    @Test func metricsExposeTheContractNamesAndCountRequests() async throws {
        try await withHarness(RepriseOptions(cacheModels: [Models.hello: "{ ttl: 1h }"])) { h in
            let before = try await h.reprise.send("GET", "/metrics", token: nil)
            #expect(before.status == 200)
            #expect(before.header("content-type")?.hasPrefix("text/plain; version=0.0.4") == true)
            for name in Self.contractMetrics {
                #expect(before.bodyString.contains("# TYPE \(name) "), "\(name) missing")
            }
            let otherOK = #"reprise_http_requests_total{route="other",status="200"}"#
            #expect(MetricsText.value(otherOK, in: before.bodyString) == nil)

            #expect(try await h.reprise.send("GET", "/v1/account").status == 200)
            let miss = try await h.reprise.create(Models.hello, input: #"{"text":"counted"}"#)
            #expect(try await h.waitForEntry(miss.cacheKey))
            #expect(try await h.reprise.create(Models.hello, input: #"{"text":"counted"}"#).cacheStatus == "HIT")

            let text = try await h.reprise.metrics()
            #expect(MetricsText.value(otherOK, in: text) == 1)
            #expect(MetricsText.value(#"reprise_http_requests_total{route="create_model",status="201"}"#, in: text) == 2)
            let lookups = #"reprise_cache_lookups_total{model="replicate/hello-world",result="#
            #expect(MetricsText.value(lookups + #""miss"}"#, in: text) == 1)
            #expect(MetricsText.value(lookups + #""hit"}"#, in: text) == 1)
            #expect(MetricsText.value(#"reprise_http_request_duration_seconds_count{route="other"}"#, in: text) == 1)
            #expect((MetricsText.value("reprise_upstream_request_duration_seconds_count", in: text) ?? 0) >= 2)
            #expect(MetricsText.value("reprise_redis_errors_total", in: text) == 0)
            #expect(MetricsText.value("reprise_inflight_requests", in: text) == 0)
        }
    }

    @Test func startsWithARedisTimeoutLongerThanTheClientsDefaults() async throws {
        // redis.timeout is only bounded below in the config; Reprise must start with any value.
        try await withHarness(RepriseOptions(redisTimeout: "5s")) { h in
            let miss = try await h.reprise.create(Models.hello, input: #"{"text":"patient"}"#)
            #expect(miss.cacheStatus == "MISS")
            #expect(try await h.waitForEntry(miss.cacheKey))
            #expect(try await h.reprise.create(Models.hello, input: #"{"text":"patient"}"#).cacheStatus == "HIT")
        }
    }
}
