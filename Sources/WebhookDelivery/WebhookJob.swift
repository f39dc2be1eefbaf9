import EventLoop
import Webhooks

/// The webhook events one cache hit owes one URL, and how far their delivery has got.
///
/// Events go out one after another, in plan order (`start`, `output`, `logs`, `completed`), each
/// under its own `webhook-id`, which stays the same on every retry of that event. Threading:
/// loop-bound, owned by its `WebhookDispatcher`.
final class WebhookJob {
    let url: WebhookURL
    let events: [WebhookEvent]
    /// The prediction JSON, as `GET /v1/predictions/{id}` answers it.
    let body: [UInt8]
    /// The client's `Authorization`, kept in memory for the job's life (a retry may have to
    /// fetch the secret again) and never written anywhere.
    let authorization: String
    let tokenSHA256: String
    /// Index in `events` of the event being delivered.
    private(set) var index = 0
    /// The `webhook-id` of the current event.
    private(set) var messageID: String
    /// Attempts made at the current event.
    var attempts = 0
    /// The pending retry, while the job waits for one.
    var retryTimer: TimerHandle?

    init(
        url: WebhookURL, events: [WebhookEvent], body: [UInt8], authorization: String, tokenSHA256: String,
        makeID: () -> String
    ) {
        precondition(!events.isEmpty)
        self.url = url
        self.events = events
        self.body = body
        self.authorization = authorization
        self.tokenSHA256 = tokenSHA256
        messageID = makeID()
    }

    var event: WebhookEvent { events[index] }

    /// Events not yet settled, the current one included.
    var remaining: Int { events.count - index }

    /// Moves to the next event; false when there is none.
    func advance(makeID: () -> String) -> Bool {
        index += 1
        attempts = 0
        guard index < events.count else { return false }
        messageID = makeID()
        return true
    }
}
