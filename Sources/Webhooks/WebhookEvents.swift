/// One kind of webhook request, as named in `webhook_events_filter`. Declared in the order a
/// prediction goes through them, which is the order Reprise sends them in.
public enum WebhookEvent: String, Sendable, CaseIterable, Comparable {
    /// The prediction started.
    case start
    /// New output (Replicate: each time; a hit: once, with the whole output).
    case output
    /// New log lines (Replicate: each time; a hit: once, with all the logs).
    case logs
    /// The prediction reached a terminal state. The only event that is retried.
    case completed

    public static func < (a: WebhookEvent, b: WebhookEvent) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// A set of webhook events. Value type; `Sendable`.
public struct WebhookEvents: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8

    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public init(_ event: WebhookEvent) {
        rawValue = 1 << UInt8(WebhookEvent.allCases.firstIndex(of: event)!)
    }

    public static let start = WebhookEvents(.start)
    public static let output = WebhookEvents(.output)
    public static let logs = WebhookEvents(.logs)
    public static let completed = WebhookEvents(.completed)

    /// What Replicate sends when a create gives no filter: "whenever there are new outputs or
    /// the prediction has finished" (replicate-api.md §6; the OpenAPI description of
    /// `webhook_events_filter`).
    public static let replicateDefault: WebhookEvents = [.output, .completed]

    public func contains(_ event: WebhookEvent) -> Bool { contains(WebhookEvents(event)) }

    /// The members, in the order they are sent.
    public var ordered: [WebhookEvent] { WebhookEvent.allCases.filter { contains($0) } }
}
