import Foundation
import TestSupport
import Testing

/// A Redis outage never fails a request Replicate can answer: creates are forwarded (answered
/// MISS) and the failures are counted.
@Suite struct RedisOutageTests {
    @Test func createsAreForwardedWhileRedisIsUnreachable() async throws {
        try await withHarness(RepriseOptions(unreachableRedis: true, waitUntilReady: false)) { h in
            let input = #"{"text":"no redis"}"#
            var last: RawHTTPResponse?
            for _ in 0..<2 {
                let r = try await h.reprise.create(Models.hello, input: input)
                #expect(r.status == 201)
                #expect(r.cacheStatus == "MISS")
                #expect(r.cacheKey?.count == 64)
                #expect(r.predictionStatus == "succeeded")
                #expect(r.json["output"] as? String == "hello no redis")
                last = r
            }
            #expect(h.upstream.creates == 2)
            // Prediction reads fall back to upstream too.
            let read = try await h.reprise.poll(try #require(last).predictionID)
            #expect(read.status == 200)
            #expect(read.json["output"] as? String == "hello no redis")

            let metrics = try await h.reprise.metrics()
            #expect((MetricsText.value("reprise_redis_errors_total", in: metrics) ?? 0) > 0)
            #expect(MetricsText.value(#"reprise_cache_lookups_total{model="other",result="error"}"#, in: metrics) == 2)
        }
    }

    /// An id Reprise made up for a hit exists only in Redis: read through a replica whose Redis
    /// lookup fails, upstream says 404, and the client must not be told its prediction does not
    /// exist — it gets a 503 with `Retry-After: 1` and tries again.
    @Test func hitIDReadWhileTheLookupFailsIs503NotUpstreams404() async throws {
        try await withHarness { h in
            let input = #"{"text":"only in redis"}"#
            let miss = try await h.reprise.create(Models.hello, input: input)
            #expect(try await h.waitForEntry(miss.cacheKey))
            let hit = try await h.reprise.create(Models.hello, input: input)
            #expect(hit.cacheStatus == "HIT")
            let blind = try await h.startReprise(RepriseOptions(unreachableRedis: true, waitUntilReady: false))

            let id = hit.predictionID
            for (method, target) in [("GET", "/v1/predictions/\(id)"), ("POST", "/v1/predictions/\(id)/cancel")] {
                let r = try await blind.send(method, target)
                GatewayErrorTests.expectProblem(r, status: 503)
                #expect(r.header("retry-after") == "1")
                #expect(r.json["title"] as? String == "Service Unavailable")
            }
            // Upstream's own ids are still answered by upstream when the lookup fails.
            let own = try await blind.poll(miss.predictionID)
            #expect(own.status == 200)
            #expect(own.json["output"] as? String == "hello only in redis")
            // Through a replica whose Redis answers, the hit id reads as before.
            #expect(try await h.reprise.poll(hit.predictionID).status == 200)
            let metrics = try await blind.metrics()
            #expect((MetricsText.value("reprise_redis_errors_total", in: metrics) ?? 0) >= 3)
            #expect(MetricsText.value(#"reprise_http_requests_total{route="get",status="503"}"#, in: metrics) == 1)
        }
    }
}
