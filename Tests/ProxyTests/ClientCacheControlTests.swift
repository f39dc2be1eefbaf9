import Foundation
import TestSupport
import Testing

/// The client's `Cache-Control` on a create: `no-store`, `no-cache`, `max-age=0` and
/// `max-age=N` (contract.md, "Client controls on a create"). The `max-age` test pins
/// Reprise's wall clock, so entry ages are exact.
@Suite struct ClientCacheControlTests {
    @Test func noStoreBypassesAndStoresNothing() async throws {
        try await withHarness { h in
            let input = #"{"text":"private"}"#
            let bypass = try await h.reprise.create(Models.hello, input: input, headers: [("Cache-Control", "no-store")])
            #expect(bypass.status == 201)
            #expect(bypass.cacheStatus == "BYPASS")
            #expect(bypass.cacheKey?.count == 64)
            // Had the no-store answer been stored, this would hit (one loop, one Redis connection:
            // its write would have gone first).
            let miss = try await h.reprise.create(Models.hello, input: input)
            #expect(miss.cacheStatus == "MISS")
            #expect(miss.cacheKey == bypass.cacheKey)
            #expect(try await h.waitForEntry(miss.cacheKey))
            #expect(try await h.reprise.create(Models.hello, input: input).cacheStatus == "HIT")
            // With an entry present, no-store still skips it and leaves it as it was.
            let again = try await h.reprise.create(Models.hello, input: input, headers: [("Cache-Control", "no-store")])
            #expect(again.cacheStatus == "BYPASS")
            #expect(h.upstream.creates == 3)
            let hit = try await h.reprise.create(Models.hello, input: input)
            #expect(hit.cacheStatus == "HIT")
            #expect(try await Self.storedID(h, miss.cacheKey) == miss.predictionID)
        }
    }

    @Test func noCacheForwardsAndReplacesTheEntry() async throws {
        try await Self.expectForwardedAndStored(cacheControl: "no-cache")
    }

    @Test func maxAgeZeroActsAsNoCache() async throws {
        try await Self.expectForwardedAndStored(cacheControl: "max-age=0")
    }

    @Test func maxAgeServesOnlyYoungEnoughEntries() async throws {
        let clock = PinnedClock()
        try await withHarness(RepriseOptions(clock: clock.wallClock)) { h in
            let input = #"{"text":"aging"}"#
            let first = try await h.reprise.create(Models.hello, input: input)
            #expect(first.cacheStatus == "MISS")
            #expect(try await h.waitForEntry(first.cacheKey))
            clock.advance(seconds: 100)

            let plain = try await h.reprise.create(Models.hello, input: input)
            #expect(plain.cacheStatus == "HIT")
            #expect(plain.header("age") == "100")
            let youngEnough = try await h.reprise.create(
                Models.hello, input: input, headers: [("Cache-Control", "max-age=100")])
            #expect(youngEnough.cacheStatus == "HIT")
            #expect(youngEnough.header("age") == "100")
            #expect(h.upstream.creates == 1)

            let tooOld = try await h.reprise.create(Models.hello, input: input, headers: [("Cache-Control", "max-age=99")])
            #expect(tooOld.cacheStatus == "MISS")
            #expect(tooOld.cacheKey == first.cacheKey)
            #expect(h.upstream.creates == 2)
            // The new answer replaces the old entry ...
            #expect(try await eventually { try await Self.storedID(h, first.cacheKey) == tooOld.predictionID })
            // ... so the same constraint is now met, by an entry of age 0.
            let fresh = try await h.reprise.create(Models.hello, input: input, headers: [("Cache-Control", "max-age=99")])
            #expect(fresh.cacheStatus == "HIT")
            #expect(fresh.header("age") == "0")
            #expect(h.upstream.creates == 2)
        }
    }

    /// `no-cache` and `max-age=0`: the lookup is skipped, the create is forwarded (answered
    /// MISS), and its result replaces the entry that was there.
    static func expectForwardedAndStored(cacheControl: String, sourceLocation: SourceLocation = #_sourceLocation)
        async throws
    {
        try await withHarness { h in
            let input = #"{"text":"refresh"}"#
            let first = try await h.reprise.create(Models.hello, input: input)
            #expect(try await h.waitForEntry(first.cacheKey), sourceLocation: sourceLocation)
            let forced = try await h.reprise.create(Models.hello, input: input, headers: [("Cache-Control", cacheControl)])
            #expect(forced.status == 201, sourceLocation: sourceLocation)
            #expect(forced.cacheStatus == "MISS", sourceLocation: sourceLocation)
            #expect(forced.cacheKey == first.cacheKey, sourceLocation: sourceLocation)
            #expect(h.upstream.creates == 2, sourceLocation: sourceLocation)
            #expect(
                try await eventually { try await storedID(h, first.cacheKey) == forced.predictionID },
                sourceLocation: sourceLocation)
            let hit = try await h.reprise.create(Models.hello, input: input)
            #expect(hit.cacheStatus == "HIT", sourceLocation: sourceLocation)
            #expect(h.upstream.creates == 2, sourceLocation: sourceLocation)
        }
    }

    /// The upstream id of the prediction stored under `cacheKey`.
    static func storedID(_ h: ProxyHarness, _ cacheKey: String?) async throws -> String? {
        (try await h.storedEntry(cacheKey)?["prediction"] as? [String: Any])?["id"] as? String
    }
}
