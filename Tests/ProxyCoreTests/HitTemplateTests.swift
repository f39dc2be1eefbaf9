import CacheCore
import JSONCore
import Testing

@testable import ProxyCore

/// The template is the fast form of `HitPrediction.build`: for any stored prediction, request
/// input, id, time and base, its bytes must be exactly the tree builder's serialisation.
@Suite struct HitTemplateTests {
    static let storedPredictions: [String] = [
        #"""
        {"id":"gm3qorzdhgbfurvjtvhg6dckhu","model":"replicate/hello-world","version":"5c7d","input":{"text":"Alice"},
         "logs":"log line","output":"hello Alice","error":null,"status":"succeeded","created_at":"2023-09-08T16:19:34.765994Z",
         "urls":{"web":"https://replicate.com/p/gm3q","get":"https://api.replicate.com/v1/predictions/gm3q",
                 "cancel":"https://api.replicate.com/v1/predictions/gm3q/cancel","stream":"https://stream.replicate.com/v1/files/x"},
         "metrics":{"predict_time":0.012683},"data_removed":false,"source":"api","deployment":"acme/prod",
         "webhook":"https://example.com/hook","deadline":"2023-09-08T17:19:34Z"}
        """#,
        // Minimal: no logs, output, metrics or urls; escapes in strings; unknown members kept in order.
        #"{"model":"a/b","output":["line \"1\"\n","\u0001\u2028 ✓"],"zeta":1e5,"alpha":{"nested":[true,null]}}"#,
        // Model and version only from the entry (absent from the stored prediction).
        #"{"output":42}"#,
    ]

    static let inputs: [JSONValue] = [
        ["text": "Alice"],
        ["prompt": "quote \" backslash \\ tab \t", "n": 1.0, "list": [1, 2, 3]],
        JSONValue.object(JSONObject()),
    ]

    @Test(arguments: storedPredictions.indices, inputs.indices)
    func renderEqualsTheTreeBuilder(predictionIndex: Int, inputIndex: Int) throws {
        let stored = try JSONParser().parse(Array(Self.storedPredictions[predictionIndex].utf8))
        let entry = CacheEntry(
            model: "owner/model", version: "v\"1", inputSHA256: "00", storedAtMillis: 5, costUSD: 0.25,
            computeSeconds: 1.5, prediction: stored)
        let input = Self.inputs[inputIndex]
        let template = HitTemplate(entry: entry)
        for (base, stream) in [("http://reprise:8080", nil), ("https://cache.example.com/base", "https://x/v1/streams/tok")] {
            let rendered = template.render(
                id: "abcdefghijklmnopqrstuvwxyz", inputJSON: input.serialized(), nowUnixNanos: 1_732_000_000_123_456_789,
                publicBase: base, streamURL: stream)
            let built = HitPrediction.build(
                entry: entry, id: "abcdefghijklmnopqrstuvwxyz", input: input, nowUnixNanos: 1_732_000_000_123_456_789,
                publicBase: base, streamURL: stream
            ).serialized()
            #expect(rendered == built, "\(String(decoding: rendered, as: UTF8.self))")
            #expect(try JSONParser().parse(rendered).objectValue != nil)
        }
    }

    @Test func offersStreamFollowsTheStoredURLs() throws {
        func template(_ json: String) throws -> HitTemplate {
            HitTemplate(
                entry: CacheEntry(
                    model: "m/n", version: "v", inputSHA256: "00", storedAtMillis: 0, costUSD: nil, computeSeconds: nil,
                    prediction: try JSONParser().parse(Array(json.utf8))))
        }
        #expect(try template(#"{"urls":{"stream":"https://s/x"}}"#).offersStream)
        #expect(try !template(#"{"urls":{"get":"https://g/x"}}"#).offersStream)
        #expect(try !template(#"{}"#).offersStream)
    }
}
