import Foundation
import HTTPTypes
import Testing

@testable import FakeReplicate

/// `Prefer: wait`: the answer is held on a loop timer until the prediction ends or the wait
/// runs out. Assertions are on states, never on how long anything took.
@Suite struct SyncWaitTests {
    @Test func holdsTheAnswerUntilThePredictionSucceeds() async throws {
        let h = try FakeHarness { $0.startDelay = .seconds(100) }
        defer { h.shutdown() }
        let ex = await h.start(
            .post, "/v1/models/replicate/hello-world/predictions", json: #"{"input":{"text":"Alice"}}"#,
            headers: [("Prefer", "wait")])
        // The body was delivered and the create ran; nothing is answered yet.
        #expect(await ex.onLoop { ex in ex.responseHead == nil && !ex.isFinished })
        #expect(h.fake.counters.creates == 1)
        // Still held while the prediction is starting; answered once the clock passes its end.
        #expect(await ex.onLoop { ex in ex.responseHead == nil })
        h.fake.advanceClock(by: .seconds(101))
        #expect(await ex.waitUntilDone())
        #expect(ex.status == 201)
        #expect(ex.header("preference-applied") == "wait")
        #expect(ex.header(.location) == nil)
        #expect(ex.json["status"] as? String == "succeeded")
        #expect(ex.json["output"] as? String == "hello Alice")
    }

    @Test func llmSyncAnswerSaysProcessingWithTheCompleteOutput() async throws {
        let h = try FakeHarness { $0.streamInterval = .milliseconds(1) }
        defer { h.shutdown() }
        let ex = await h.send(
            .post, "/v1/models/meta/meta-llama-3-8b-instruct/predictions", json: #"{"input":{"prompt":"a b"}}"#,
            headers: [("Prefer", "wait=10")])
        #expect(ex.status == 201)
        #expect(ex.header("preference-applied") == "wait=10")
        #expect(ex.json["status"] as? String == "processing")
        #expect(ex.json["output"] as? [String] == ["Echo:", " a", " b"])
        #expect(ex.json["metrics"] == nil)
        // A later GET tells the truth.
        let id = try #require(ex.json["id"] as? String)
        #expect(await h.get(id)["status"] as? String == "succeeded")
    }

    @Test func answersTheUnfinishedPredictionWhenTheWaitRunsOut() async throws {
        let h = try FakeHarness()
        defer { h.shutdown() }
        let ex = await h.send(
            .post, "/v1/models/acme/slow/predictions", json: #"{"input":{"seconds":500}}"#,
            headers: [("Prefer", "wait=1")])
        #expect(ex.status == 201)
        #expect(ex.json["status"] as? String == "processing")
        let id = try #require(ex.json["id"] as? String)
        #expect(ex.header(.location) == "http://fake.test/v1/predictions/\(id)")
    }

    @Test func aCancelEndsTheWait() async throws {
        let h = try FakeHarness()
        defer { h.shutdown() }
        let ex = await h.start(
            .post, "/v1/models/acme/slow/predictions", json: #"{"input":{"seconds":500}}"#,
            headers: [("Prefer", "wait=60")])
        #expect(await ex.onLoop { _ in h.fake.predictionCount == 1 })
        let list = await h.send(.get, "/v1/predictions")
        let id = try #require((list.json["results"] as? [[String: Any]])?.first?["id"] as? String)
        _ = await h.send(.post, "/v1/predictions/\(id)/cancel")
        #expect(await ex.waitUntilDone())
        #expect(ex.json["status"] as? String == "canceled")
    }

    @Test func aClientThatLeavesCancelsTheWaitTimer() async throws {
        let h = try FakeHarness()
        defer { h.shutdown() }
        let ex = await h.start(
            .post, "/v1/models/acme/slow/predictions", json: #"{"input":{"seconds":500}}"#,
            headers: [("Prefer", "wait")])
        #expect(await ex.onLoop { _ in h.loop.timerCount == 1 })
        let timers = await ex.onLoop { ex in
            ex.disconnect()
            return h.loop.timerCount
        }
        #expect(timers == 0)
    }

    @Test func preferWaitParsing() {
        let d = Duration.seconds(60)
        #expect(FakeRequest.parsePreferWait("wait", default: d) == .wait(d, applied: "wait"))
        #expect(
            FakeRequest.parsePreferWait("respond-async, wait=5", default: d) == .wait(.seconds(5), applied: "wait=5"))
        #expect(FakeRequest.parsePreferWait("wait=60", default: d) == .wait(.seconds(60), applied: "wait=60"))
        #expect(FakeRequest.parsePreferWait("handling=lenient", default: d) == FakeRequest.PreferWait.none)
        for bad in ["wait=0", "wait=61", "wait=05", "wait=x", "wait="] {
            #expect(FakeRequest.parsePreferWait(bad, default: d) == .invalid, "\(bad)")
        }
    }
}
