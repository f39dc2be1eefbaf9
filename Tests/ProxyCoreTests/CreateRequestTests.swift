import CacheCore
import JSONCore
import ProxyCore
import ReplicateAPI
import Testing

@Suite struct CreateRequestTests {
    let vid = String(repeating: "5c", count: 32)

    func analyze(_ route: PredictionRoute, _ body: String) -> Result<CreateRequest, CreateRequest.Unkeyable> {
        CreateRequest.analyze(route: route, body: Array(body.utf8))
    }

    @Test func bareVersionKeysOnVersionOnly() throws {
        let r = try analyze(.createPrediction, #"{"version":"\#(vid)","input":{"text":"a"}}"#).get()
        #expect(r.keyModel == .versionOnly && r.version == vid && r.modelName == nil)
    }

    @Test func fullReferenceKeysLikeTheBareIdButKnowsTheModel() throws {
        let r = try analyze(.createPrediction, #"{"input":{"text":"a"},"version":"Replicate/Hello-World:\#(vid)"}"#).get()
        #expect(r.keyModel == .versionOnly && r.version == vid && r.modelName == "replicate/hello-world")
    }

    @Test func officialModelFormsAgree() throws {
        let a = try analyze(.createPrediction, #"{"version":"meta/llama","input":{}}"#).get()
        let b = try analyze(.createModelPrediction(owner: "meta", name: "llama"), #"{"input":{}}"#).get()
        #expect(a.keyModel == b.keyModel && a.version == nil && b.modelName == "meta/llama")
    }

    @Test func deployment() throws {
        let r = try analyze(.createDeploymentPrediction(owner: "acme", name: "prod"), #"{"input":{"x":1}}"#).get()
        #expect(r.keyModel == .deployment(owner: "acme", name: "prod") && r.deployment == "acme/prod")
    }

    @Test(arguments: [
        ("{", "notJSON"), (#"[1]"#, "notAnObject"), (#"{"version":"x"}"#, "missingInput"),
        (#"{"input":"text"}"#, "missingInput"), (#"{"input":{}}"#, "badVersion"),
        (#"{"version":"not a ref","input":{}}"#, "badVersion"),
        (#"{"version":"a/b","input":{"x":1,"x":2}}"#, "notJSON"),
    ])
    func unkeyable(body: String, kind: String) {
        guard case .failure(let why) = analyze(.createPrediction, body) else {
            Issue.record("keyed \(body)")
            return
        }
        #expect("\(why)".hasPrefix(kind), "\(why)")
        #expect(!why.reason.isEmpty)
    }
}

@Suite struct UTCTimestampTests {
    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000000Z"),
        (Int64(1_694_189_974_765_994_000), "2023-09-08T16:19:34.765994Z"),
        (Int64(951_782_400_000_000_000), "2000-02-29T00:00:00.000000Z"),
        (Int64(-1_000), "1969-12-31T23:59:59.999999Z"),
    ])
    func formats(nanos: Int64, expected: String) {
        #expect(UTCTimestamp.iso8601(unixNanos: nanos) == expected)
    }
}

@Suite struct HitPredictionTests {
    let stored: JSONValue = try! JSONParser().parse(Array(#"""
        {"id":"gm3qorzdhgbfurvjtvhg6dckhu","model":"replicate/hello-world","version":"5c7d","input":{"text":"Alice"},
         "logs":"log line","output":"hello Alice","error":null,"status":"succeeded","created_at":"2023-09-08T16:19:34.765994Z",
         "urls":{"web":"https://replicate.com/p/gm3q","get":"https://api.replicate.com/v1/predictions/gm3q",
                 "cancel":"https://api.replicate.com/v1/predictions/gm3q/cancel"},
         "metrics":{"predict_time":0.012683},"data_removed":false,"source":"api","deployment":"acme/prod"}
        """#.utf8))

    @Test func hitIsACompleteFreshSucceededPrediction() throws {
        let entry = CacheEntry(model: "replicate/hello-world", version: "5c7d", inputSHA256: "00", storedAtMillis: 0, costUSD: nil, computeSeconds: 0.012683, prediction: stored)
        let hit = HitPrediction.build(
            entry: entry, id: "newid", input: ["text": "Alice", "extra": 1], nowUnixNanos: 0,
            publicBase: "http://reprise:8080", streamURL: nil)
        let o = try #require(hit.objectValue)
        #expect(o["id"]?.stringValue == "newid")
        #expect(o["status"]?.stringValue == "succeeded")
        #expect(o["output"]?.stringValue == "hello Alice")
        #expect(o["logs"]?.stringValue == "log line")
        #expect(o["input"] == ["text": "Alice", "extra": 1])
        #expect(o["urls"]?["get"]?.stringValue == "http://reprise:8080/v1/predictions/newid")
        #expect(o["urls"]?["cancel"]?.stringValue == "http://reprise:8080/v1/predictions/newid/cancel")
        #expect(o["urls"]?["web"]?.stringValue == "http://reprise:8080/v1/predictions/newid", "not the original run's page")
        #expect(o["urls"]?["stream"] == nil)
        #expect(o["metrics"]?["predict_time"]?.doubleValue == 0.012683)
        #expect(o["deployment"]?.stringValue == "acme/prod")
        #expect(o["created_at"]?.stringValue == "1970-01-01T00:00:00.000000Z")
        for key in ["id", "model", "version", "status", "error", "data_removed", "source", "started_at", "completed_at"] {
            #expect(o[key] != nil, "\(key)")
        }
        for m in try #require(o["urls"]?.objectValue).members { #expect(m.value.stringValue != nil) }
    }

    @Test func entryRoundTripsAndRejectsOtherFormats() {
        let entry = CacheEntry(model: "m/n", version: "v", inputSHA256: "ab", storedAtMillis: 1234, costUSD: 0.5, computeSeconds: 2, prediction: stored)
        #expect(CacheEntry.decode(entry.encoded()) == entry)
        #expect(CacheEntry.decode(Array(#"{"format":2}"#.utf8)) == nil)
        #expect(CacheEntry.decode(Array("garbage".utf8)) == nil)
        #expect(entry.ageSeconds(nowMillis: 5_300) == 4)
        #expect(entry.ageSeconds(nowMillis: 0) == 0)
    }

    @Test func recordRoundTrips() {
        let r = PredictionRecord(origin: .hit, cacheKey: "k", tokenSHA256: "t", inputSHA256: "i", store: true, ttlSeconds: 60, upstreamStreamURL: "https://s/x", prediction: stored)
        #expect(PredictionRecord.decode(r.encoded()) == r)
        #expect(PredictionRecord.decode(Array("{}".utf8)) == nil)
        for input in [nil, Array(#"{"a":[1,"x\"y"]}"#.utf8)] {
            let reference = PredictionRecord.HitReference(
                bodySHA256: String(repeating: "ab", count: 32), createdUnixNanos: 1_732_000_000_123_456_789,
                publicBase: "http://reprise:8080", inputJSON: input, streamURL: input == nil ? nil : "http://reprise:8080/v1/streams/t")
            let hit = PredictionRecord(
                origin: .hit, cacheKey: "k", tokenSHA256: "t", inputSHA256: "i", store: false, ttlSeconds: 60, hit: reference)
            #expect(PredictionRecord.decode(hit.encoded()) == hit)
        }
        // A hit reference without its body hash is not a record Reprise can answer from.
        #expect(PredictionRecord.decode(Array(#"{"origin":"hit","key":"k","token_sha256":"t","input_sha256":"i","store":false,"ttl":1,"hit":{"created_ns":1,"base":"b"}}"#.utf8)) == nil)
    }
}

@Suite struct USDAmountTests {
    @Test(arguments: [
        (0.0, "0"), (-1.0, "0"), (1.3000000000000001e-05, "0.000013"), (0.25, "0.25"), (12.0, "12"),
        (0.00001505, "0.00001505"), (Double.nan, "0"),
    ])
    func formats(value: Double, expected: String) {
        #expect(USDAmount.string(value) == expected)
    }
}
