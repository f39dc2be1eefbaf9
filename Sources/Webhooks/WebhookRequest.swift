import JSONCore

/// What a create body asks for in webhooks: where to send them and which events.
///
/// - `webhook` (string) with `webhook_events_filter` (array of event names). Without a filter
///   Replicate sends output and completion events (`WebhookEvents.replicateDefault`). A filter
///   that names no known event — empty, not an array, only unknown words — is read as no
///   filter: a client that asked for a webhook must hear of the result, and Replicate would
///   have refused such a create (422) rather than run it silently.
/// - `webhook_completed` (string), the legacy field the Python 1.0.x client can still send:
///   the `completed` event only, to that URL.
///
/// A missing, null, empty or non-string URL asks for nothing. Pure value type; `Sendable`.
public struct WebhookRequest: Sendable, Equatable {
    /// One URL and the events it should receive.
    public struct Target: Sendable, Equatable {
        public var url: String
        public var events: WebhookEvents

        public init(url: String, events: WebhookEvents) {
            self.url = url
            self.events = events
        }
    }

    public let targets: [Target]

    /// The webhooks `body` (a parsed create body) asks for, or nil when it asks for none.
    public static func parse(createBody body: JSONObject) -> WebhookRequest? {
        var targets: [Target] = []
        if let url = body["webhook"]?.stringValue, !url.isEmpty {
            targets.append(Target(url: url, events: events(filter: body["webhook_events_filter"])))
        }
        if let url = body["webhook_completed"]?.stringValue, !url.isEmpty {
            targets.append(Target(url: url, events: .completed))
        }
        return targets.isEmpty ? nil : WebhookRequest(targets: targets)
    }

    /// The events a `webhook_events_filter` value selects (see the type's rules).
    public static func events(filter: JSONValue?) -> WebhookEvents {
        var selected: WebhookEvents = []
        for element in filter?.arrayValue ?? [] {
            if let name = element.stringValue, let event = WebhookEvent(rawValue: name) {
                selected.insert(WebhookEvents(event))
            }
        }
        return selected.isEmpty ? .replicateDefault : selected
    }
}
