import Foundation
import TestSupport
import Testing

/// A `Prefer: wait` create identical to one already running waits for that one's result
/// (COALESCED) instead of paying for a second run — without waiting for Reprise's background
/// poll backoff (1 s, 2 s, 4 s…) and without waiting out its own time when no result will come.
/// The fake's clock is moved instead of waiting for `acme/slow` to finish.
@Suite struct CoalescingTests {
    static let input = #"{"seconds":30}"#

    @Test func aWaitingCreateHurriesThePollerWatchingTheRunningOne() async throws {
        // Two loops: the waiting create and the poller watching the leader are often on
        // different ones, and the waiter's request to poll must reach the poller's loop.
        try await withHarness(RepriseOptions(loops: 2)) { h in
            let leader = try await h.reprise.create(Models.slow, input: Self.input, wait: false)
            #expect(leader.cacheStatus == "MISS")
            #expect(leader.predictionStatus != "succeeded")
            // The background poll 1 s after the create finds it running; its next backoff step is
            // 2 s later. The prediction ends now.
            #expect(await eventually { h.upstream.count(.getPrediction) >= 1 })
            h.upstream.fake.advanceClock(by: .seconds(31))
            let pollsBefore = h.upstream.count(.getPrediction)
            // `wait=3`: the waiter stops waiting 1 s after it starts (3 s less 2 s of margin),
            // before the poller's next backoff step; it is answered from the cache only if the
            // poller polls sooner because a create waits.
            let started = ContinuousClock.now
            let waiter = try await h.reprise.create(
                Models.slow, input: Self.input, wait: false, headers: [("Prefer", "wait=3")])
            let waited = ContinuousClock.now - started
            print("coalesced create answered after \(waited), upstream polls meanwhile: \(h.upstream.count(.getPrediction) - pollsBefore)")
            #expect(waiter.status == 201)
            #expect(waiter.cacheStatus == "COALESCED")
            #expect(waiter.predictionStatus == "succeeded")
            #expect(waiter.json["output"] as? String == "slept 30.0s")
            #expect(h.upstream.creates == 1)
        }
    }

    @Test func aWaitingCreateGoesUpstreamWhenTheWatchEndsWithoutAResult() async throws {
        try await withHarness { h in
            // The background poll is told the running prediction is gone: nobody will store
            // its result, so an identical create waiting for it must stop waiting.
            let armed = try await h.upstream.send(
                "POST", "/_fake/faults", json: "status=404;path=/v1/predictions/;method=GET")
            #expect(armed.status == 201)
            let leader = try await h.reprise.create(Models.slow, input: Self.input, wait: false)
            #expect(leader.cacheStatus == "MISS")
            let reprise = h.reprise
            async let waiter = reprise.create(Models.slow, input: Self.input, wait: false, headers: [("Prefer", "wait=60")])
            // The waiter would otherwise wait 58 s; it sends its own create once the poll got 404.
            #expect(await eventually(timeout: .seconds(20)) { h.upstream.creates == 2 })
            h.upstream.fake.advanceClock(by: .seconds(31))
            let answer = try await waiter
            #expect(answer.status == 201)
            #expect(answer.cacheStatus == "MISS")
            #expect(answer.predictionStatus == "succeeded")
            #expect(h.upstream.count(.faults) == 1)  // the poll that was told 404
        }
    }
}
