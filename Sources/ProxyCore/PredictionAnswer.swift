import JSONCore
import ReplicateAPI

/// An upstream answer on a prediction route (create, get, cancel), read whole: the facts the
/// cache needs, and the body shaped for the client.
///
/// Shaping: status `aborted` becomes `canceled` (the Python client 1.0.7 rejects `aborted`, and
/// the other clients never stop polling on it — replicate-api.md §2, §11.12); Replicate's
/// absolute URLs are moved to Reprise by the caller's rewriter afterwards. A body that is not a
/// JSON object is left exactly as it came. Pure value type.
public struct PredictionAnswer: Sendable {
    public var id: String?
    public var status: PredictionStatus?
    public var model: String?
    public var version: String?
    /// Upstream's `urls.stream`, when present.
    public var streamURL: String?
    /// The parsed prediction (nil when the body is not a JSON object).
    public var prediction: JSONValue?
    /// The body to send on (before URL rewriting).
    public var clientBody: [UInt8]

    public init(body: [UInt8]) {
        clientBody = body
        guard let value = try? JSONParser().parse(body), var object = value.objectValue else { return }
        id = object["id"]?.stringValue
        model = object["model"]?.stringValue
        version = object["version"]?.stringValue
        streamURL = object["urls"]?["stream"]?.stringValue
        if let raw = object["status"]?.stringValue, let s = PredictionStatus(rawValue: raw) {
            status = s
            if s.clientFacing != s {
                object["status"] = .string(JSONString(s.clientFacing.rawValue))
                clientBody = JSONValue.object(object).serialized()
            }
        }
        prediction = .object(object)
    }

    /// True when this answer is a succeeded prediction with its output: the only thing stored.
    public var isStorableSuccess: Bool {
        guard status == .succeeded, let p = prediction, let output = p["output"] else { return false }
        return !output.isNull
    }
}
