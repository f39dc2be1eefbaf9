/// One model the fake knows: identity, schema, and what it does with an input.
///
/// Immutable, `Sendable`; built once in `ModelCatalogue`.
struct FakeModel: Sendable {
    let owner: String
    let name: String
    /// The one (latest) version, 64 hex digits.
    let versionID: String
    /// What predictions created by model name report as `version` (official models:
    /// a `dp-…` deployment id, as recorded from Replicate); nil means `versionID`.
    let nameCreatedVersion: String?
    /// Official models may be run by name alone (`POST /v1/models/{o}/{n}/predictions`, or
    /// `version: "owner/name"`).
    let isOfficial: Bool
    let description: String
    let runCount: Int
    let versionCreatedAt: String
    let behaviour: ModelBehaviour
    /// Whether predictions get `urls.stream`.
    let streams: Bool
    /// Replicate quirk (recorded for an official LLM): a `Prefer: wait` answer that finished
    /// in time says `"status":"processing"` while carrying the complete output.
    let syncAnswerSaysProcessing: Bool
    /// `components.schemas.Input` / `.Output` of the version's OpenAPI schema (JSON text).
    let inputSchema: String
    let outputSchema: String

    var fullName: String { owner + "/" + name }

    func matches(owner o: Substring, name n: Substring) -> Bool {
        o == owner && n == name
    }
}

/// The run behaviours the fake implements; each is a deterministic function of the input (see
/// `PredictionPlanner`).
enum ModelBehaviour: Sendable {
    /// `"hello " + input.text`, quick.
    case hello
    /// Iterator of tokens echoing `input.prompt`, one per `streamInterval`.
    case llm
    /// `input.num_outputs` image URLs on the delivery host.
    case images
    /// Runs `input.seconds` then succeeds.
    case slow
    /// Ends `failed` with an error.
    case fails
}
