import Foundation
import TestSupport
import Testing

/// The in-process hot tier keeps Redis the source of truth (issue 8): a `no-cache` refresh is
/// served at once by the replica that stored it, on every one of its loops, and by another
/// replica once that replica's `cache.hot_ttl` has run out. Entry ages tell the old entry
/// (stored 100 s earlier on a pinned clock) from the refreshed one (age 0).
@Suite struct HotTierCoherenceTests {
    @Test func aRefreshIsSeenAtOnceHereAndWithinHotTTLOnAnotherReplica() async throws {
        let clock = PinnedClock()
        try await withHarness(RepriseOptions(hotTTL: "2s", clock: clock.wallClock, loops: 2)) { h in
            let other = try await h.startReprise(RepriseOptions(hotTTL: "2s", clock: clock.wallClock))
            let input = #"{"text":"hot"}"#
            let first = try await h.reprise.create(Models.hello, input: input)
            #expect(first.cacheStatus == "MISS")
            #expect(try await h.waitForEntry(first.cacheKey))
            clock.advance(seconds: 100)
            // Both replicas (and both loops of the first: new connections spread over them) now
            // hold the old entry in memory.
            for _ in 0..<4 {
                let hit = try await h.reprise.create(Models.hello, input: input)
                #expect(hit.cacheStatus == "HIT")
                #expect(hit.header("age") == "100")
            }
            // Two loops, four hits: each loop looked the entry up in Redis once at most, and
            // answered the rest from memory (hot_ttl is 2 s so that a machine loaded by the rest
            // of the suite still sends the four within one window).
            let metrics = try await h.reprise.metrics()
            let fromMemory = MetricsText.value(#"reprise_hot_tier_lookups_total{source="hot"}"#, in: metrics) ?? 0
            let fromRedis = MetricsText.value(#"reprise_hot_tier_lookups_total{source="redis"}"#, in: metrics) ?? 0
            #expect(fromMemory >= 2 && fromMemory + fromRedis == 5, "hot \(fromMemory), redis \(fromRedis)")
            let stale = try await other.create(Models.hello, input: input)
            #expect(stale.header("age") == "100")

            let forced = try await h.reprise.create(Models.hello, input: input, headers: [("Cache-Control", "no-cache")])
            #expect(forced.cacheStatus == "MISS")
            #expect(
                try await eventually {
                    try await ClientCacheControlTests.storedID(h, first.cacheKey) == forced.predictionID
                })
            // The replica that stored it never answers the old entry again, on any loop.
            for _ in 0..<4 {
                let hit = try await h.reprise.create(Models.hello, input: input)
                #expect(hit.cacheStatus == "HIT")
                #expect(hit.header("age") == "0")
            }
            // The other replica converges once its copy is older than hot_ttl.
            #expect(try await eventually(timeout: .seconds(10)) { try await other.create(Models.hello, input: input).header("age") == "0" })
            #expect(h.upstream.creates == 2)
        }
    }
}
