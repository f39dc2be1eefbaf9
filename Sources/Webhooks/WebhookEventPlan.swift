import JSONCore

/// Which requests a finished prediction sends for the events a webhook asked for.
///
/// A cache hit is born finished, so its whole life plays out at once, in order: `start` if
/// asked; `output` once with the whole output, if asked and there is output; `logs` once with
/// all the logs, if asked and there are any; `completed` if asked. Every request carries the
/// same body — the prediction as `GET /v1/predictions/{id}` returns it at that moment, which
/// for a hit is already the finished one. Pure.
public enum WebhookEventPlan {
    public static func events(for requested: WebhookEvents, prediction: JSONValue) -> [WebhookEvent] {
        requested.ordered.filter { event in
            switch event {
            case .start, .completed:
                return true
            case .output:
                guard let output = prediction["output"], !output.isNull else { return false }
                return output.arrayValue.map { !$0.isEmpty } ?? true
            case .logs:
                return !(prediction["logs"]?.stringValue ?? "").isEmpty
            }
        }
    }
}
