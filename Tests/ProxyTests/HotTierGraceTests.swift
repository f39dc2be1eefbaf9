import Foundation
import TestSupport
import Testing

/// When Redis fails a lookup, a loop's copy of the entry answers within `cache.hot_grace`
/// instead of sending a paid create upstream, and later creates of that key stop waiting for
/// Redis until a background read succeeds; with no grace the create fails open as before.
/// Redis is taken away from these Reprises alone: each logs in as an ACL user of the test, whose
/// rights are revoked mid-test (`ACL SETUSER … -@all`), so every command it sends is refused
/// (NOPERM) while other tests keep the shared Redis.
@Suite struct HotTierGraceTests {
    @Test func aCopyWithinItsGraceAnswersWhileRedisRefusesAndNoGraceFailsOpen() async throws {
        try await withHarness { h in
            let user = "reprise-grace-\(UInt32.random(in: 0...UInt32.max))"
            let password = "pw-\(UInt64.random(in: 0...UInt64.max))"
            _ = try await h.redis.command(["ACL", "SETUSER", .string(user), "on", .string(">\(password)"), "~*", "+@all"])
            // hot_ttl 1ms: every create after the first millisecond asks Redis.
            let graced = try await h.startReprise(
                RepriseOptions(hotTTL: "1ms", hotGrace: "60s", redisUser: (user, password)))
            let strict = try await h.startReprise(
                RepriseOptions(hotTTL: "1ms", hotGrace: "0s", redisUser: (user, password)))

            let input = #"{"text":"grace"}"#
            let miss = try await graced.create(Models.hello, input: input)
            #expect(miss.cacheStatus == "MISS")
            #expect(try await h.waitForEntry(miss.cacheKey))
            // Each Reprise reads the entry (and learns the token) from Redis once.
            #expect(try await graced.create(Models.hello, input: input).cacheStatus == "HIT")
            #expect(try await strict.create(Models.hello, input: input).cacheStatus == "HIT")
            let createsBefore = h.upstream.creates
            let before = try await graced.metrics()

            _ = try await h.redis.command(["ACL", "SETUSER", .string(user), "-@all"])
            for _ in 0..<3 {
                let hit = try await graced.create(Models.hello, input: input)
                #expect(hit.status == 201)
                #expect(hit.cacheStatus == "HIT")
                #expect(hit.predictionStatus == "succeeded")
                #expect(hit.json["output"] as? String == "hello grace")
            }
            #expect(h.upstream.creates == createsBefore, "no paid create while Redis refused")
            let after = try await graced.metrics()
            func lookups(_ source: String, _ metrics: String) -> Double {
                MetricsText.value(#"reprise_hot_tier_lookups_total{source="\#(source)"}"#, in: metrics) ?? 0
            }
            // The first create after the revocation waits for Redis to refuse (unless it came within
            // hot_ttl of the last read); the others fail over to the copy without asking Redis.
            #expect(lookups("grace", after) >= 2)
            #expect(lookups("grace", after) + lookups("hot", after) - lookups("hot", before) == 3)
            #expect(lookups("redis", after) - lookups("redis", before) <= 1, "later creates did not wait for Redis")
            #expect((MetricsText.value("reprise_redis_errors_total", in: after) ?? 0) >= 1)

            let failedOpen = try await strict.create(Models.hello, input: input)
            #expect(failedOpen.status == 201)
            #expect(failedOpen.cacheStatus == "MISS")
            #expect(h.upstream.creates == createsBefore + 1)
            let strictMetrics = try await strict.metrics()
            #expect(MetricsText.value(#"reprise_hot_tier_lookups_total{source="grace"}"#, in: strictMetrics) == nil)
            #expect(MetricsText.value(#"reprise_cache_lookups_total{model="other",result="error"}"#, in: strictMetrics) == 1)

            // Another input was never held: it fails open even with a grace.
            let other = try await graced.create(Models.hello, input: #"{"text":"never held"}"#)
            #expect(other.cacheStatus == "MISS")
            _ = try await h.redis.command(["ACL", "DELUSER", .string(user)])
        }
    }
}
