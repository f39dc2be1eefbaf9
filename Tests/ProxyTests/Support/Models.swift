import TestSupport

/// The fake's models the tests run (see `ModelCatalogue+Models` in FakeReplicate).
enum Models {
    /// Quick; output `"hello " + text`.
    static let hello = "replicate/hello-world"
    static let helloVersion = "5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa"
    /// Runs `input.seconds` on the fake's clock (tests move that clock instead of waiting).
    static let slow = "acme/slow"
    /// Always ends `failed`.
    static let fails = "acme/fails"
    /// Streams its output (`urls.stream`).
    static let llm = "meta/meta-llama-3-8b-instruct"
}

extension RepriseInstance {
    /// `POST /v1/models/{model}/predictions` with `{"input": input, …extra}`; `Prefer: wait`
    /// unless `wait` is false (then the answer is the prediction as just created).
    func create(
        _ model: String, input: String, wait: Bool = true, extra: String = "", headers: [(String, String)] = [],
        token: String? = FakeUpstream.token, host: String? = nil
    ) async throws -> RawHTTPResponse {
        try await send(
            "POST", "/v1/models/\(model)/predictions", json: #"{"input":\#(input)\#(extra)}"#,
            headers: (wait ? [("Prefer", "wait")] : []) + headers, token: token, host: host)
    }

    /// `GET /v1/predictions/{id}`.
    func poll(_ id: String, token: String? = FakeUpstream.token) async throws -> RawHTTPResponse {
        try await send("GET", "/v1/predictions/\(id)", token: token)
    }

    /// `http://127.0.0.1:PORT`: the base Reprise derives from the Host header the tests send.
    var base: String { "http://127.0.0.1:\(port)" }
}

extension RawHTTPResponse {
    var cacheStatus: String? { header("x-cache-status") }
    var cacheKey: String? { header("x-cache-key") }
    var predictionID: String { json["id"] as? String ?? "" }
    var predictionStatus: String? { json["status"] as? String }
}
