import CacheCore
import JSONCore

/// Builds the prediction a cache hit answers with.
///
/// It must satisfy the strictest client (Python 1.0.7, replicate-api.md §11.11): a fresh id
/// (clients poll and cancel by id), `status: succeeded`, the stored output, logs and metrics,
/// every `urls` value a string pointing at Reprise, `data_removed: false`, `source`, and the
/// three timestamps (all "now": this prediction was created and completed by Reprise just now).
/// `input` is the client's own, as it sent it. Fields upstream added that we do not know are
/// kept from the stored prediction. Pure.
public enum HitPrediction {
    /// Members of the stored prediction that a hit sets itself or leaves out (the original
    /// run's webhook and deadline are not this client's); every other member is kept as stored.
    static let replacedMembers: Set<String> = [
        "id", "model", "version", "input", "logs", "output", "data_removed", "error", "status", "created_at",
        "started_at", "completed_at", "urls", "metrics", "source", "webhook", "webhook_events_filter", "deadline",
    ]

    public static func build(
        entry: CacheEntry, id: String, input: JSONValue, nowUnixNanos: Int64, publicBase: String, streamURL: String?
    ) -> JSONValue {
        let stored = entry.prediction.objectValue ?? JSONObject()
        let now = JSONValue.string(JSONString(UTCTimestamp.iso8601(unixNanos: nowUnixNanos)))
        var p = JSONObject()
        p["id"] = .string(JSONString(id))
        p["model"] = stored["model"] ?? .string(JSONString(entry.model))
        p["version"] = stored["version"] ?? .string(JSONString(entry.version))
        p["input"] = input
        p["logs"] = stored["logs"] ?? .string("")
        p["output"] = stored["output"] ?? .null
        p["data_removed"] = .bool(false)
        p["error"] = .null
        p["status"] = .string("succeeded")
        p["created_at"] = now
        p["started_at"] = now
        p["completed_at"] = now
        var urls = JSONObject()
        let self_ = publicBase + "/v1/predictions/" + id
        urls["get"] = .string(JSONString(self_))
        urls["cancel"] = .string(JSONString(self_ + "/cancel"))
        // Required by clients, and never the original run's page: that would hand every token
        // that hits the entry the id of someone else's prediction.
        urls["web"] = .string(JSONString(self_))
        if let streamURL { urls["stream"] = .string(JSONString(streamURL)) }
        p["urls"] = .object(urls)
        p["metrics"] = stored["metrics"] ?? .object(JSONObject())
        p["source"] = .string("api")
        for m in stored.members where !replacedMembers.contains(m.key.string) {
            p[m.key.string] = m.value
        }
        return .object(p)
    }
}
