import Foundation
import TestSupport
import Testing

/// A miss is captured whatever its client does next: polls through Reprise, nothing at all
/// (Reprise polls in the background), or polls through another replica. The fake's clock is
/// moved forward instead of waiting for `acme/slow` to finish.
@Suite struct CacheCompletionTests {
    static let slowInput = #"{"seconds":30}"#

    @Test func pollsThroughRepriseCompleteTheMiss() async throws {
        try await withHarness { h in
            let created = try await h.reprise.create(Models.slow, input: Self.slowInput, wait: false)
            #expect(created.status == 201)
            #expect(created.cacheStatus == "MISS")
            #expect(created.predictionStatus != "succeeded")
            let id = created.predictionID
            let running = try await h.reprise.poll(id)
            #expect(running.status == 200)
            #expect(running.predictionStatus != "succeeded")
            #expect(try await h.storedEntry(created.cacheKey) == nil)

            h.upstream.fake.advanceClock(by: .seconds(31))
            let done = try await h.reprise.poll(id)
            #expect(done.predictionStatus == "succeeded")
            #expect(done.json["output"] as? String == "slept 30.0s")
            #expect(try await h.waitForEntry(created.cacheKey))

            let hit = try await h.reprise.create(Models.slow, input: Self.slowInput, wait: false)
            #expect(hit.cacheStatus == "HIT")
            #expect(hit.predictionStatus == "succeeded")
            #expect(hit.json["output"] as? String == "slept 30.0s")
            #expect(h.upstream.creates == 1)
        }
    }

    @Test func missNobodyPollsIsStoredByTheBackgroundPoller() async throws {
        try await withHarness { h in
            let created = try await h.reprise.create(Models.slow, input: Self.slowInput, wait: false)
            #expect(created.cacheStatus == "MISS")
            #expect(created.predictionStatus != "succeeded")
            h.upstream.fake.advanceClock(by: .seconds(31))
            // The test never polls: whatever asks upstream now is Reprise's own poller.
            #expect(try await h.waitForEntry(created.cacheKey))
            #expect(h.upstream.count(.getPrediction) >= 1)
            let hit = try await h.reprise.create(Models.slow, input: Self.slowInput, wait: false)
            #expect(hit.cacheStatus == "HIT")
            #expect(h.upstream.creates == 1)
        }
    }

    @Test func replicasShareEntriesAndPredictionRecords() async throws {
        try await withHarness { h in
            let a = h.reprise
            let b = try await h.startReprise()

            // An entry stored through A answers B, and an id A made up for a hit is readable through B.
            let miss = try await a.create(Models.hello, input: #"{"text":"replicated"}"#)
            #expect(try await h.waitForEntry(miss.cacheKey))
            let hitOnA = try await a.create(Models.hello, input: #"{"text":"replicated"}"#)
            #expect(hitOnA.cacheStatus == "HIT")
            let readOnB = try await b.poll(hitOnA.predictionID)
            #expect(readOnB.status == 200)
            #expect(readOnB.jsonObject == hitOnA.jsonObject)
            #expect(try await b.create(Models.hello, input: #"{"text":"replicated"}"#).cacheStatus == "HIT")

            // A miss created through A, completed by polls through B alone: A is stopped (its
            // background poller with it), and B never saw the create.
            let created = try await a.create(Models.slow, input: Self.slowInput, wait: false)
            #expect(created.cacheStatus == "MISS")
            await a.shutdown()
            #expect(try await b.poll(created.predictionID).predictionStatus != "succeeded")
            h.upstream.fake.advanceClock(by: .seconds(31))
            #expect(try await b.poll(created.predictionID).predictionStatus == "succeeded")
            #expect(try await h.waitForEntry(created.cacheKey))
            let hitOnB = try await b.create(Models.slow, input: Self.slowInput, wait: false)
            #expect(hitOnB.cacheStatus == "HIT")
            #expect(h.upstream.creates == 2)
        }
    }
}
