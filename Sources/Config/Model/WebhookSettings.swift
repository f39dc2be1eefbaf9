/// `webhooks.*`: how Reprise delivers the webhooks that cache hits owe (Replicate never hears
/// of a hit, so it cannot). Value type.
public struct WebhookSettings: Sendable, Equatable {
    /// `webhooks.allow_private`: deliveries may reach non-public addresses (SSRF guard off).
    public var allowPrivate: Bool
    /// `webhooks.timeout`: bound on one delivery attempt.
    public var timeout: Duration
    /// `webhooks.retry_backoff`: first wait before retrying a failed `completed` event.
    public var retryBackoff: Duration
    /// `webhooks.retry_window`: when the last retry comes, after the first attempt.
    public var retryWindow: Duration
    /// `webhooks.queue_size`: deliveries held per loop before new ones are dropped.
    public var queueSize: Int
}
