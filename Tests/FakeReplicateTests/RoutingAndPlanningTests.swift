import CryptoPrimitives
import HTTPTypes
import JSONCore
import Testing

@testable import FakeReplicate

/// Pure pieces: route resolution, the planner's deterministic outputs, decimal formatting.
@Suite struct RoutingAndPlanningTests {
    @Test func resolvesEveryRoute() {
        let cases: [(HTTPMethod, String, FakeRoute)] = [
            (.post, "/v1/predictions", .createPrediction),
            (.get, "/v1/predictions", .listPredictions),
            (.get, "/v1/predictions/abc", .getPrediction(id: "abc")),
            (.post, "/v1/predictions/abc/cancel", .cancelPrediction(id: "abc")),
            (.post, "/v1/models/o/n/predictions", .createModelPrediction(owner: "o", name: "n")),
            (.post, "/v1/deployments/o/n/predictions", .createDeploymentPrediction(owner: "o", name: "n")),
            (.get, "/v1/models", .listModels), (.query, "/v1/models", .searchModels),
            (.get, "/v1/models/o/n", .getModel(owner: "o", name: "n")),
            (.get, "/v1/models/o/n/versions", .listVersions(owner: "o", name: "n")),
            (.get, "/v1/models/o/n/versions/v", .getVersion(owner: "o", name: "n", id: "v")),
            (.get, "/v1/streams/abc", .stream(id: "abc")), (.get, "/v1/account", .account),
            (.get, "/v1/hardware", .hardware), (.get, "/v1/collections", .listCollections),
            (.get, "/v1/collections/s", .getCollection(slug: "s")),
            (.get, "/v1/webhooks/default/secret", .webhookSecret), (.post, "/v1/files", .uploadFile),
            (.get, "/v1/fake/bench", .bench), (.post, "/_fake/reset", .controlReset),
            (.query, "/v1/fake/echo", .echo), (.delete, "/v1/fake/echo/a/b", .echo), (.get, "/v1/fake/blob", .blob),
            (.post, "/v1/fake/blob", .methodNotAllowed), (.get, "/v1/fake/blob/x", .notFound),
            (.get, "/_fake/counters", .controlCounters), (.post, "/_fake/faults", .controlFaults),
            (.post, "/_fake/advance", .controlAdvance), (.get, "/_fake/delivery/a/b.png", .delivery),
            (.get, "/v1/predictions/abc/cancel", .methodNotAllowed), (.put, "/v1/models", .methodNotAllowed),
            (.get, "/v1/predictions/abc/nope", .notFound), (.get, "/v1/models/o", .notFound),
            (.get, "/v1/account/x", .notFound), (.get, "/v1", .notFound), (.get, "/", .outsideAPI),
            (.get, "/v2/predictions", .outsideAPI), (.get, "/v1/webhooks/default/secret/x", .notFound),
        ]
        for (method, path, route) in cases {
            #expect(FakeRoute.resolve(method: method, path: Substring(path)) == route, "\(method) \(path)")
        }
    }

    @Test func pathSegmentsKeepEmptySegments() {
        var s = PathSegments("/a//b/")
        var out: [Substring] = []
        while let seg = s.next() { out.append(seg) }
        #expect(out == ["a", "", "b", ""])
    }

    @Test func llmTokensConcatenateToEchoOfThePrompt() throws {
        let hasher = SHA256Hasher()
        let model = ModelCatalogue.builtInModels[1]
        for prompt in ["Hello  world\nbye ", "  leading", "one", ""] {
            let input: JSONValue = ["prompt": .string(JSONString(prompt))]
            let plan = try PredictionPlanner.plan(
                model: model, input: input, configuration: FakeReplicateConfiguration(), hasher: hasher)
            guard case .list(let tokens) = plan.output else {
                Issue.record("not a list")
                continue
            }
            let joined = tokens.joined()
            let expected = prompt.isEmpty || prompt.first == " " ? "Echo:" + prompt : "Echo: " + prompt
            #expect(joined == expected)
        }
        let capped = try PredictionPlanner.plan(
            model: model,
            input: ["prompt": "a b c d", "max_tokens": 2],
            configuration: FakeReplicateConfiguration(), hasher: hasher)
        #expect(capped.output == .list(["Echo:", " a"]))
    }

    /// Whole numbers in any spelling are integers; fractions are not; a number too large for a
    /// double is out of range rather than of the wrong type.
    @Test func numericInputsConvertLikeReplicatesValidation() throws {
        let hasher = SHA256Hasher()
        let c = FakeReplicateConfiguration()
        let sdxl = ModelCatalogue.builtInModels.first { $0.behaviour == .images }!
        let slow = ModelCatalogue.builtInModels.first { $0.behaviour == .slow }!
        func plan(_ model: FakeModel, _ input: String) -> Result<PredictionPlan, PredictionPlanner.InputError> {
            Result { () throws(PredictionPlanner.InputError) in
                try PredictionPlanner.plan(model: model, input: try! JSONParser().parse(input), configuration: c, hasher: hasher)
            }
        }
        for spelling in ["2", "2.0", "2e0", "0.2e1"] {
            guard case .success(let p) = plan(sdxl, #"{"num_outputs":\#(spelling)}"#), case .list(let urls) = p.output else {
                Issue.record("num_outputs \(spelling) refused")
                continue
            }
            #expect(urls.count == 2)
        }
        #expect(plan(sdxl, #"{"num_outputs":2.5}"#).failure?.detail == "input.num_outputs: Invalid type. Expected: integer")
        #expect(plan(sdxl, #"{"num_outputs":"2"}"#).failure?.detail == "input.num_outputs: Invalid type. Expected: integer")
        #expect(try plan(slow, #"{"seconds":2.5e-1}"#).get().predictMicros == 250_000)
        #expect(plan(slow, #"{"seconds":1e400}"#).failure?.detail == "input.seconds: Must be between 0.0 and 600.0")
    }

    @Test func decimalSecondsHasNoFloatingPointNoise() {
        #expect(DecimalSeconds.text(micros: 150_000) == "0.15")
        #expect(DecimalSeconds.text(micros: 2_000_000) == "2")
        #expect(DecimalSeconds.text(micros: 1_000_001) == "1.000001")
        #expect(DecimalSeconds.text(micros: 50) == "0.00005")
    }

    @Test func timestampsAreISO8601WithMicroseconds() {
        #expect(WallClock.iso8601(1_694_189_974_765_994_000) == "2023-09-08T16:19:34.765994Z")
    }
}

extension Result {
    fileprivate var failure: Failure? {
        if case .failure(let e) = self { return e }
        return nil
    }
}
