import FakeReplicate
import Foundation
import HTTPTypes
import Testing

/// Creates, gets, cancels and the prediction object's shape.
@Suite struct PredictionRouteTests {
    static let helloVersion = "5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa"
    static let invalidVersion =
        #"{"title":"Invalid version or not permitted","detail":"The specified version does not exist (or perhaps you don't have permission to use it?)","status":422}"#

    @Test func asyncCreateAnswers201StartingWithEveryFieldThePythonClientNeeds() async throws {
        let h = try FakeHarness()
        defer { h.shutdown() }
        let ex = await h.send(
            .post, "/v1/predictions", json: #"{"input":{"text":"Alice"},"version":"\#(Self.helloVersion)"}"#)
        #expect(ex.status == 201)
        #expect(ex.header(.contentType) == "application/json")
        #expect(ex.header(.contentLength) == String(ex.responseBody.count))
        #expect(ex.header("ratelimit-remaining") == "599")
        let p = ex.json
        let id = try #require(p["id"] as? String)
        #expect(id.utf8.count == 26)
        #expect(p["model"] as? String == "replicate/hello-world")
        #expect(p["version"] as? String == Self.helloVersion)
        #expect(p["status"] as? String == "starting")
        #expect((p["input"] as? [String: Any])?["text"] as? String == "Alice")
        #expect(p["output"] is NSNull)
        #expect(p["error"] is NSNull)
        #expect(p["logs"] as? String == "")
        #expect(p["data_removed"] as? Bool == false)
        #expect(p["source"] as? String == "api")
        #expect(p["created_at"] is String)
        let urls = try #require(p["urls"] as? [String: String])
        #expect(urls["get"] == "http://fake.test/v1/predictions/\(id)")
        #expect(urls["cancel"] == "http://fake.test/v1/predictions/\(id)/cancel")
        #expect(urls["web"] == "https://replicate.com/p/\(id)")
        #expect(urls["stream"] == nil)
        #expect(h.fake.counters.value(.createPrediction) == 1)
    }

    @Test func predictionProgressesWithTheFakeClock() async throws {
        let h = try FakeHarness { $0.startDelay = .seconds(100) }
        defer { h.shutdown() }
        let id = await h.create("acme/slow", input: #"{"seconds":50}"#)
        #expect(await h.get(id)["status"] as? String == "starting")
        h.fake.advanceClock(by: .seconds(101))
        let running = await h.get(id)
        #expect(running["status"] as? String == "processing")
        #expect(running["started_at"] is String)
        #expect(running["completed_at"] == nil)
        #expect(running["logs"] as? String == "sleeping for 50.0s\n")
        h.fake.advanceClock(by: .seconds(50))
        let done = await h.get(id)
        #expect(done["status"] as? String == "succeeded")
        #expect(done["output"] as? String == "slept 50.0s")
        #expect(done["completed_at"] is String)
        let metrics = try #require(done["metrics"] as? [String: Any])
        #expect(metrics["predict_time"] as? Double == 50)
    }

    @Test func helloWorldOutputAndPredictTimeAreFunctionsOfTheInput() async throws {
        let h = try FakeHarness()
        defer { h.shutdown() }
        let id = await h.create("replicate/hello-world", input: #"{"text":"Alice"}"#)
        h.fake.advanceClock(by: .seconds(1))
        let p = await h.get(id)
        #expect(p["status"] as? String == "succeeded")
        #expect(p["output"] as? String == "hello Alice")
        let metrics = try #require(p["metrics"] as? [String: Any])
        #expect(metrics["predict_time"] as? Double == 0.15)
        #expect(metrics["total_time"] as? Double == 0.25)
    }

    @Test func llmOutputGrowsWhileProcessingAndCarriesTokenMetrics() async throws {
        let h = try FakeHarness {
            // The fake clock is the loop's clock plus the advances, so real time leaks in: every
            // intermediate state below has minutes of margin, whatever the machine's load.
            $0.startDelay = .seconds(100)
            $0.streamInterval = .seconds(1000)
        }
        defer { h.shutdown() }
        let create = await h.send(
            .post, "/v1/models/meta/meta-llama-3-8b-instruct/predictions",
            json: #"{"input":{"prompt":"one two three"}}"#)
        #expect(create.status == 201)
        #expect(create.json["version"] as? String == "dp-a557b7387b4940df25b23f779dc534c4")
        let id = try #require(create.json["id"] as? String)
        let stream = (create.json["urls"] as? [String: String])?["stream"]
        #expect(stream == "http://fake.test/v1/streams/\(id)")
        h.fake.advanceClock(by: .seconds(2600))
        let partial = await h.get(id)
        #expect(partial["status"] as? String == "processing")
        #expect(partial["output"] as? [String] == ["Echo:", " one"])
        h.fake.advanceClock(by: .seconds(10_000))
        let done = await h.get(id)
        #expect(done["status"] as? String == "succeeded")
        #expect(done["output"] as? [String] == ["Echo:", " one", " two", " three"])
        let m = try #require(done["metrics"] as? [String: Any])
        #expect(m["input_token_count"] as? Int == 3)
        #expect(m["output_token_count"] as? Int == 4)
        #expect(m["predict_time"] as? Double == 0.13)
    }

    @Test func versionFormsResolveAndUnknownOnesGet422() async throws {
        let h = try FakeHarness()
        defer { h.shutdown() }
        let forms = [
            ("replicate/hello-world:\(Self.helloVersion)", Self.helloVersion),
            ("meta/meta-llama-3-8b-instruct", "dp-a557b7387b4940df25b23f779dc534c4"),
        ]
        for (ref, reported) in forms {
            let ex = await h.send(.post, "/v1/predictions", json: #"{"version":"\#(ref)","input":{"text":"x"}}"#)
            #expect(ex.status == 201)
            #expect(ex.json["version"] as? String == reported)
        }
        let refused = [
            "replicate/hello-world",  // owner/name only works for official models
            "replicate/hello-world:0000", "acme/nope", String(repeating: "a", count: 64),
        ]
        for ref in refused {
            let ex = await h.send(.post, "/v1/predictions", json: #"{"version":"\#(ref)","input":{"text":"x"}}"#)
            #expect(ex.status == 422)
            #expect(ex.responseText == Self.invalidVersion)
        }
        let missing = await h.send(.post, "/v1/predictions", json: #"{"input":{"text":"x"}}"#)
        #expect(missing.responseText == Self.invalidVersion)
    }

    @Test func deploymentAndModelRoutesCreate() async throws {
        let h = try FakeHarness()
        defer { h.shutdown() }
        let d = await h.send(
            .post, "/v1/deployments/acme/hello-deployment/predictions", json: #"{"input":{"text":"Bob"}}"#)
        #expect(d.status == 201)
        #expect(d.json["model"] as? String == "replicate/hello-world")
        #expect(d.json["deployment"] as? String == "acme/hello-deployment")
        let unknownDeployment = await h.send(.post, "/v1/deployments/acme/none/predictions", json: #"{"input":{}}"#)
        #expect(unknownDeployment.status == 404)
        let unknownModel = await h.send(.post, "/v1/models/acme/none/predictions", json: #"{"input":{}}"#)
        #expect(unknownModel.status == 404)
        #expect(unknownModel.json["title"] as? String == "Not found")
        #expect(h.fake.counters.value(.createDeploymentPrediction) == 2)
        #expect(h.fake.counters.value(.createModelPrediction) == 1)
    }

    @Test func badBodiesAndInputsAreRefusedInReplicatesShape() async throws {
        let h = try FakeHarness { $0.maxBodyBytes = 64 }
        defer { h.shutdown() }
        let notJSON = await h.send(.post, "/v1/models/replicate/hello-world/predictions", json: "{nope")
        #expect(notJSON.status == 400)
        #expect(notJSON.json["status"] as? Int == 400)
        let noText = await h.send(.post, "/v1/models/replicate/hello-world/predictions", json: #"{"input":{}}"#)
        #expect(noText.status == 422)
        #expect(noText.json["detail"] as? String == "input: text is required")
        let badCount = await h.send(
            .post, "/v1/models/stability-ai/sdxl/predictions", json: #"{"input":{"num_outputs":9}}"#)
        #expect(badCount.status == 422)
        let huge = await h.send(
            .post, "/v1/models/replicate/hello-world/predictions",
            json: #"{"input":{"text":"\#(String(repeating: "x", count: 100))"}}"#)
        #expect(huge.status == 413)
        let badPrefer = await h.send(
            .post, "/v1/models/replicate/hello-world/predictions", json: #"{"input":{"text":"a"}}"#,
            headers: [("Prefer", "wait=61")])
        #expect(badPrefer.status == 400)
    }

    /// The fake reads bodies with JSONCore's strict parser: what it cannot key (duplicate keys,
    /// lone surrogate escapes, ill-formed UTF-8) or nests past 64 levels is not JSON to it.
    @Test func strictJSONRefusals() async throws {
        let h = try FakeHarness()
        defer { h.shutdown() }
        let path = "/v1/models/replicate/hello-world/predictions"
        let nested = String(repeating: "[", count: 62) + String(repeating: "]", count: 62)
        let ok = await h.send(.post, path, json: #"{"input":{"text":"a","deep":\#(nested)}}"#)
        #expect(ok.status == 201)
        let tooDeep = "[" + nested + "]"
        let bodies: [(String, [UInt8])] = [
            ("duplicate key", Array(#"{"input":{"text":"a"},"input":{"text":"b"}}"#.utf8)),
            ("unpaired UTF-16 surrogate", Array(#"{"input":{"text":"\ud800"}}"#.utf8)),
            ("not valid UTF-8", Array(#"{"input":{"text":""#.utf8) + [0xC0, 0x80] + Array(#""}}"#.utf8)),
            ("nested too deeply", Array(#"{"input":{"text":"a","deep":\#(tooDeep)}}"#.utf8)),
        ]
        for (reason, body) in bodies {
            let ex = await h.send(.post, path, body: body, headers: [("Content-Type", "application/json")])
            #expect(ex.status == 400, "\(reason)")
            #expect(ex.json["title"] as? String == "Invalid JSON")
            #expect((ex.json["detail"] as? String)?.contains(reason) == true, "\(ex.json)")
        }
        #expect(h.fake.predictionCount == 1)
    }

    /// `input` comes back as the client wrote it, compacted: member order, number spellings
    /// and string contents are kept.
    @Test func inputIsEchoedWithItsNumberSpellings() async throws {
        let h = try FakeHarness()
        defer { h.shutdown() }
        let ex = await h.send(
            .post, "/v1/models/replicate/hello-world/predictions",
            json: #"{ "input" : { "text" : "x\ny\u00e9", "b" : [ 1.50 , -2.5E3 ] , "a" : { } } }"#)
        #expect(ex.status == 201)
        #expect(ex.responseText.contains(#""input":{"text":"x\nyé","b":[1.50,-2.5E3],"a":{}}"#), "\(ex.responseText)")
    }

    @Test func webhookFieldsAreEchoed() async throws {
        let h = try FakeHarness()
        defer { h.shutdown() }
        let ex = await h.send(
            .post, "/v1/models/replicate/hello-world/predictions",
            json: #"{"input":{"text":"a"},"webhook":"https://example.com/h","webhook_events_filter":["completed"]}"#)
        #expect(ex.json["webhook"] as? String == "https://example.com/h")
        #expect(ex.json["webhook_events_filter"] as? [String] == ["completed"])
    }

    @Test func sdxlOutputsAreDeterministicHTTPSURLs() async throws {
        let h = try FakeHarness()
        defer { h.shutdown() }
        let a = await h.create("stability-ai/sdxl", input: #"{"prompt":"a cat","num_outputs":2,"seed":7}"#)
        let b = await h.create("stability-ai/sdxl", input: #"{"seed":7,"num_outputs":2,"prompt":"a cat"}"#)
        h.fake.advanceClock(by: .seconds(1))
        let outA = try #require(await h.get(a)["output"] as? [String])
        let outB = try #require(await h.get(b)["output"] as? [String])
        #expect(outA == outB)
        #expect(outA.count == 2)
        #expect(outA.allSatisfy { $0.hasPrefix("https://replicate.delivery/fake/") && $0.hasSuffix(".png") })
    }

    @Test func failingModelEndsFailedWithAnError() async throws {
        let h = try FakeHarness()
        defer { h.shutdown() }
        let id = await h.create("acme/fails", input: #"{"message":"boom"}"#)
        h.fake.advanceClock(by: .seconds(1))
        let p = await h.get(id)
        #expect(p["status"] as? String == "failed")
        #expect(p["error"] as? String == "boom")
        #expect(p["output"] is NSNull)
    }

    @Test func cancelEndsARunningPrediction() async throws {
        let h = try FakeHarness()
        defer { h.shutdown() }
        let id = await h.create("acme/slow", input: #"{"seconds":100}"#)
        let ex = await h.send(.post, "/v1/predictions/\(id)/cancel")
        #expect(ex.status == 200)
        #expect(ex.json["status"] as? String == "canceled")
        h.fake.advanceClock(by: .seconds(200))
        #expect(await h.get(id)["status"] as? String == "canceled")
        // Cancelling an ended prediction returns it unchanged.
        let again = await h.send(.post, "/v1/predictions/\(id)/cancel")
        #expect(again.json["status"] as? String == "canceled")
        #expect(h.fake.counters.value(.cancelPrediction) == 2)
    }

    @Test func predictionsBelongToTheTokenThatCreatedThem() async throws {
        let h = try FakeHarness()
        defer { h.shutdown() }
        let id = await h.create("replicate/hello-world", input: #"{"text":"a"}"#)
        let get = await h.send(.get, "/v1/predictions/\(id)", token: FakeHarness.otherToken)
        #expect(get.status == 404)
        #expect(get.json["title"] as? String == "Not found")
        let cancel = await h.send(.post, "/v1/predictions/\(id)/cancel", token: FakeHarness.otherToken)
        #expect(cancel.status == 404)
        #expect(await h.send(.get, "/v1/predictions/\(id)").status == 200)
    }

    @Test func oldestPredictionsAreDroppedPastTheBound() async throws {
        let h = try FakeHarness { $0.maxPredictions = 2 }
        defer { h.shutdown() }
        let first = await h.create("replicate/hello-world", input: #"{"text":"1"}"#)
        _ = await h.create("replicate/hello-world", input: #"{"text":"2"}"#)
        let third = await h.create("replicate/hello-world", input: #"{"text":"3"}"#)
        #expect(await h.send(.get, "/v1/predictions/\(first)").status == 404)
        #expect(await h.send(.get, "/v1/predictions/\(third)").status == 200)
        #expect(h.fake.predictionCount == 2)
    }
}
