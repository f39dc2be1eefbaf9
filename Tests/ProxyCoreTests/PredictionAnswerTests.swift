import ProxyCore
import Testing

/// The cache-poisoning control of docs/threat-model.md: only a succeeded prediction that has
/// an output is ever stored; everything else upstream may answer is not.
@Suite struct PredictionAnswerTests {
    static func answer(_ json: String) -> PredictionAnswer { PredictionAnswer(body: Array(json.utf8)) }

    @Test func succeededWithOutputIsStorable() {
        #expect(Self.answer(#"{"id":"a","status":"succeeded","output":"hello"}"#).isStorableSuccess)
        #expect(Self.answer(#"{"id":"a","status":"succeeded","output":["x"]}"#).isStorableSuccess)
    }

    @Test(arguments: [
        #"{"id":"a","status":"failed","output":"partial","error":"boom"}"#,
        #"{"id":"a","status":"canceled","output":"partial"}"#,
        #"{"id":"a","status":"aborted","output":"partial"}"#,
        #"{"id":"a","status":"processing","output":"partial"}"#,
        #"{"id":"a","status":"starting"}"#,
        #"{"id":"a","status":"succeeded","output":null}"#,
        #"{"id":"a","status":"succeeded"}"#,
        #"{"id":"a","status":"SUCCEEDED","output":"x"}"#,
        #"{"id":"a","status":"succeeded","output":"x","status":"failed"}"#,
        #"[{"status":"succeeded","output":"x"}]"#,
        #"{"detail":"Invalid token.","status":401}"#,
        "not json",
        "",
    ])
    func nothingElseIsStorable(body: String) {
        #expect(!Self.answer(body).isStorableSuccess)
    }
}
