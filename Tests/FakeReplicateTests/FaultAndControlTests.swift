import Foundation
import HTTPTypes
import Testing

@testable import FakeReplicate

/// Fault injection (header and armed), the control routes and the counters.
@Suite struct FaultAndControlTests {
    static let create = "/v1/models/replicate/hello-world/predictions"
    static let input = #"{"input":{"text":"a"}}"#

    @Test func statusFaultAnswersInsteadOfTheRoute() async throws {
        let h = try FakeHarness()
        defer { h.shutdown() }
        let ex = await h.send(
            .post, Self.create, json: Self.input, headers: [("X-Fake-Fault", "status=503;retry_after=2")])
        #expect(ex.status == 503)
        #expect(ex.header(.retryAfter) == "2")
        #expect(ex.json["status"] as? Int == 503)
        #expect(h.fake.predictionCount == 0)
        #expect(h.fake.counters.creates == 0)
        #expect(h.fake.counters.value(.faults) == 1)
        let throttled = await h.send(.get, "/v1/account", headers: [("X-Fake-Fault", "status=429; retry_after=7")])
        #expect(throttled.status == 429)
        #expect(throttled.json["title"] as? String == "Request was throttled")
        #expect(throttled.json["detail"] as? String == "Request was throttled. Expected available in 7 seconds.")
    }

    @Test func delayFaultHoldsTheRequestOnATimer() async throws {
        let h = try FakeHarness()
        defer { h.shutdown() }
        let held = await h.start(.get, "/v1/account", headers: [("X-Fake-Fault", "delay_ms=600000")])
        #expect(await held.onLoop { ex in h.loop.timerCount == 1 && ex.responseHead == nil })
        #expect(
            await held.onLoop { ex in
                ex.disconnect()
                return h.loop.timerCount
            } == 0)
        let short = await h.send(.get, "/v1/account", headers: [("X-Fake-Fault", "delay_ms=1")])
        #expect(short.status == 200)
        #expect(short.json["username"] as? String == "fake-user")
    }

    @Test func closeFaultRunsTheRouteThenDropsTheConnection() async throws {
        let h = try FakeHarness()
        defer { h.shutdown() }
        let ex = await h.send(.post, Self.create, json: Self.input, headers: [("X-Fake-Fault", "close")])
        #expect(ex.isAborted)
        #expect(ex.responseHead == nil)
        #expect(h.fake.predictionCount == 1)
        #expect(h.fake.counters.creates == 1)
    }

    @Test func truncateFaultSendsHalfTheDeclaredBody() async throws {
        let h = try FakeHarness()
        defer { h.shutdown() }
        let whole = await h.send(.get, "/v1/hardware")
        let cut = await h.send(.get, "/v1/hardware", headers: [("X-Fake-Fault", "truncate")])
        #expect(cut.isAborted)
        #expect(cut.header(.contentLength) == String(whole.responseBody.count))
        #expect(cut.responseBody == Array(whole.responseBody.prefix(whole.responseBody.count / 2)))
    }

    @Test func truncateFaultOnAStreamStopsAfterTheFirstEvent() async throws {
        let h = try FakeHarness {
            $0.startDelay = .zero
            $0.streamInterval = .zero
        }
        defer { h.shutdown() }
        let id = await h.create("meta/meta-llama-3-8b-instruct", input: #"{"prompt":"a b c"}"#)
        let ex = await h.send(.get, "/v1/streams/\(id)", headers: [("X-Fake-Fault", "truncate")])
        #expect(ex.isAborted)
        #expect(ex.responseText == "event: output\nid: 0\ndata: Echo:\n\n")
    }

    @Test func malformedFaultIs400() async throws {
        let h = try FakeHarness()
        defer { h.shutdown() }
        let ex = await h.send(.get, "/v1/account", headers: [("X-Fake-Fault", "status=abc")])
        #expect(ex.status == 400)
        #expect((ex.json["detail"] as? String)?.contains("status=abc") == true)
    }

    @Test func armedFaultHitsTheNextMatchingRequests() async throws {
        let h = try FakeHarness()
        defer { h.shutdown() }
        let arm = await h.send(
            .post, "/_fake/faults", body: Array("status=503;count=2;path=/v1/models/;method=POST".utf8), token: nil)
        #expect(arm.status == 201)
        #expect(await h.send(.get, "/v1/account").status == 200)
        #expect(await h.send(.post, Self.create, json: Self.input).status == 503)
        #expect(await h.send(.post, Self.create, json: Self.input).status == 503)
        #expect(await h.send(.post, Self.create, json: Self.input).status == 201)
        _ = await h.send(.post, "/_fake/faults", body: Array("close".utf8), token: nil)
        #expect(await h.send(.delete, "/_fake/faults", token: nil).status == 200)
        #expect(await h.send(.get, "/v1/account").status == 200)
    }

    @Test func countersCountByRouteAndTokenAndReset() async throws {
        let h = try FakeHarness()
        defer { h.shutdown() }
        let id = await h.create("replicate/hello-world", input: #"{"text":"a"}"#)
        _ = await h.send(.post, "/v1/predictions", json: #"{"version":"acme/slow","input":{}}"#)
        _ = await h.get(id)
        _ = await h.send(.get, "/v1/predictions")
        _ = await h.send(.get, "/v1/account", token: FakeHarness.otherToken)
        _ = await h.send(.get, "/v1/account", token: "bad")
        let counters = await h.send(.get, "/_fake/counters", token: nil).json
        #expect(counters["requests"] as? Int == 6)
        #expect(counters["gets"] as? Int == 1)
        #expect(counters["lists"] as? Int == 1)
        #expect(counters["accounts"] as? Int == 1)
        #expect(counters["unauthorized"] as? Int == 1)
        let creates = try #require(counters["creates"] as? [String: Int])
        #expect(creates == ["predictions": 1, "models": 1, "deployments": 0, "total": 2])
        let byToken = try #require(counters["by_token"] as? [[String: Int]])
        #expect(
            byToken == [
                ["token_index": 0, "requests": 4, "creates": 2], ["token_index": 1, "requests": 1, "creates": 0],
            ])
        #expect(await h.send(.post, "/_fake/reset", token: nil).status == 200)
        #expect(h.fake.counters.value(.requests) == 0)
        #expect(h.fake.predictionCount == 0)
        #expect(await h.send(.get, "/v1/predictions/\(id)").status == 404)
    }

    @Test func advanceRouteMovesTheFakeClock() async throws {
        let h = try FakeHarness { $0.startDelay = .seconds(1000) }
        defer { h.shutdown() }
        let id = await h.create("replicate/hello-world", input: #"{"text":"a"}"#)
        #expect(await h.send(.post, "/_fake/advance?ms=2000000", token: nil).status == 200)
        #expect(await h.get(id)["status"] as? String == "succeeded")
        #expect(await h.send(.post, "/_fake/advance", token: nil).status == 400)
    }

    @Test func faultSpecParsing() {
        let spec = try? FaultSpec.parse(
            "status=503; retry_after=2 ;delay_ms=10;close;truncate;count=3;path=/v1;method=GET"
        ).get()
        #expect(
            spec
                == FaultSpec(
                    status: 503, retryAfter: "2", delayMilliseconds: 10, close: true, truncate: true, count: 3,
                    pathPrefix: "/v1", method: "GET"))
        #expect(spec?.matches(method: "GET", path: "/v1/x") == true)
        #expect(spec?.matches(method: "POST", path: "/v1/x") == false)
        for bad in ["status=99", "status=", "delay_ms=-1", "count=0", "explode", "close=1"] {
            #expect((try? FaultSpec.parse(Substring(bad)).get()) == nil, "\(bad)")
        }
        #expect((try? FaultSpec.parse("").get())?.isEmpty == true)
    }
}
