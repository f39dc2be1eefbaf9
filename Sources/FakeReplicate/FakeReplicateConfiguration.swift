/// Settings of the fake Replicate upstream. Every default is stated here and nowhere else.
///
/// The timings are the fake's own clock for model runs: a prediction is `starting` for
/// `startDelay`, then `processing` for a time that depends on the model (see `ModelCatalogue`),
/// then terminal. Value type, `Sendable`.
public struct FakeReplicateConfiguration: Sendable, Equatable {
    /// The token accepted when none is configured. Shaped like a real one (`r8_` + 37 chars).
    public static let defaultToken = "r8_FakeReplicateTestToken000000000000000"

    /// API tokens accepted in `Authorization: Bearer …` / `Token …`. Predictions belong to the
    /// token that created them; the index in this list identifies the owner.
    public var tokens: [String] = [FakeReplicateConfiguration.defaultToken]
    /// Base of the absolute URLs the fake hands out (`urls.get`, list `next`), without `/v1`.
    /// The executable sets it from the bound address unless `--public-url` is given.
    public var publicBaseURL: String = "http://127.0.0.1:8080"
    /// Base of `urls.stream`; nil means `publicBaseURL` (Replicate uses a separate host).
    public var streamBaseURL: String? = nil
    /// Prefix of output file URLs (image models). Must be `https:` for clients to treat the
    /// outputs as files; the fake also serves any path under `/_fake/delivery/` as a tiny PNG.
    public var deliveryBaseURL: String = "https://replicate.delivery/fake"
    /// Time between two tokens of an iterator (LLM) model; also paces its SSE stream. 0 allowed.
    public var streamInterval: Duration = .milliseconds(5)
    /// Time a new prediction stays `starting`.
    public var startDelay: Duration = .milliseconds(10)
    /// Processing time of the "quick" models (hello-world, sdxl, fails).
    public var quickRunDuration: Duration = .milliseconds(10)
    /// Page size of `GET /v1/predictions` and `GET /v1/models` (Replicate: 100).
    public var pageSize: Int = 100
    /// Predictions kept; past it the oldest are dropped (their ids then answer 404).
    public var maxPredictions: Int = 10_000
    /// Largest request body accepted (413 past it).
    public var maxBodyBytes: Int = 8 * 1024 * 1024
    /// Longest `Prefer: wait` hold when the header gives no number (Replicate: 60 s).
    public var defaultWait: Duration = .seconds(60)

    public init() {}
}
