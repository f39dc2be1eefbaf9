import CacheCore
import HTTPTypes
import JSONCore
import ReplicateAPI

/// A create request understood well enough to key: which model it names and its `input`.
///
/// Keying rules (and why):
/// - Any form that carries a version id (`"<id>"`, `"owner/name:<id>"`) keys on the version id
///   alone (`CacheKey.Model.versionOnly`): version ids are globally unique, and the Python
///   client sends the bare id for `run("owner/name:<id>")` while `predictions.create` sends the
///   full reference — both must meet in one entry.
/// - `owner/name` without a version (the `/models/{o}/{n}/predictions` route, or `"version":
///   "owner/name"`) keys on the name: official models answer as the model's current version.
/// - Deployments key on the deployment name.
/// - Owner and name are lowercased (Replicate's names are case-insensitive).
/// - Only `input` is keyed; `stream`, `webhook*` and headers are transport.
///
/// Pure value type; `Sendable`.
public struct CreateRequest: Sendable {
    /// Why a create could not be keyed; it is forwarded as is and answered `BYPASS`.
    public enum Unkeyable: Error, Sendable, Equatable {
        case notJSON(String)
        case notAnObject
        case missingInput
        case badVersion
        case inputNotCanonicalizable

        public var reason: String {
            switch self {
            case .notJSON(let why): return "body is not valid JSON (\(why))"
            case .notAnObject: return "body is not a JSON object"
            case .missingInput: return "body has no input object"
            case .badVersion: return "version is missing or not a model reference"
            case .inputNotCanonicalizable: return "input has a number outside the double range"
            }
        }
    }

    public let keyModel: CacheKey.Model
    /// The version id when the request names one.
    public let version: String?
    /// `owner/name` when the request itself says it (not for bare version ids or deployments).
    public let modelName: String?
    /// The deployment `owner/name` for deployment creates.
    public let deployment: String?
    /// The parsed body (kept to answer hits with the client's own `input`).
    public let body: JSONObject
    public let input: JSONValue

    /// Parses and classifies a create body for `route` (which must be a create route).
    public static func analyze(route: PredictionRoute, body bytes: [UInt8]) -> Result<CreateRequest, Unkeyable> {
        let value: JSONValue
        do {
            value = try JSONParser().parse(bytes)
        } catch {
            return .failure(.notJSON(error.shortDescription))
        }
        guard let object = value.objectValue else { return .failure(.notAnObject) }
        guard let input = object["input"], input.objectValue != nil else { return .failure(.missingInput) }
        switch route {
        case .createModelPrediction(let owner, let name):
            let (o, n) = (lower(owner), lower(name))
            return .success(CreateRequest(keyModel: .named(owner: o, name: n), version: nil, modelName: o + "/" + n, deployment: nil, body: object, input: input))
        case .createDeploymentPrediction(let owner, let name):
            let (o, n) = (lower(owner), lower(name))
            return .success(CreateRequest(keyModel: .deployment(owner: o, name: n), version: nil, modelName: nil, deployment: o + "/" + n, body: object, input: input))
        case .createPrediction:
            guard let field = object["version"]?.stringValue, let identity = ModelIdentity(versionField: field) else {
                return .failure(.badVersion)
            }
            switch identity {
            case .version(let id):
                return .success(CreateRequest(keyModel: .versionOnly, version: id, modelName: nil, deployment: nil, body: object, input: input))
            case .modelVersion(let owner, let name, let id):
                return .success(CreateRequest(keyModel: .versionOnly, version: id, modelName: lower(owner) + "/" + lower(name), deployment: nil, body: object, input: input))
            case .model(let owner, let name):
                let (o, n) = (lower(owner), lower(name))
                return .success(CreateRequest(keyModel: .named(owner: o, name: n), version: nil, modelName: o + "/" + n, deployment: nil, body: object, input: input))
            }
        default:
            return .failure(.notAnObject)
        }
    }

    private static func lower(_ s: String) -> String {
        ASCIICase.lowercased(s)
    }
}
