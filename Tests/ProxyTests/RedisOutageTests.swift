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
}
