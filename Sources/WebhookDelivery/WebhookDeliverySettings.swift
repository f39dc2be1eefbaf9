import Webhooks

/// How webhook deliveries behave. A running Reprise gets every value from its config
/// (`webhooks.*`, mapped in `RepriseConfig+Runtime`); the defaults here serve tests only.
/// Value type; `Sendable`, handed to each loop on reload.
public struct WebhookDeliverySettings: Sendable, Equatable {
    /// `webhooks.allow_private`: let deliveries reach loopback, private, link-local and other
    /// non-public addresses (development and tests).
    public var allowPrivate = false
    /// `webhooks.timeout`: bound on one delivery attempt, connect to last byte.
    public var timeout: Duration = .seconds(10)
    /// `webhooks.retry_backoff` and `webhooks.retry_window`: when a failed `completed` event is
    /// tried again.
    public var retry = WebhookRetrySchedule(initial: .seconds(1), window: .seconds(60))
    /// `webhooks.queue_size`: deliveries one loop holds (waiting, sending, or between retries);
    /// past it new ones are dropped and counted.
    public var maxQueued = 1_000
    /// POSTs one loop has open at once; the rest wait their turn in the queue.
    public var maxInFlight = 32
    /// Absolute URL of Replicate's `GET /v1/webhooks/default/secret`.
    public var secretURL = "https://api.replicate.com/v1/webhooks/default/secret"
    /// Sent as `User-Agent` with every delivery.
    public var userAgent = "reprise"
    /// How long a fetched secret is used before it is fetched again (a rotated secret is
    /// picked up within this time), and how many accounts' secrets one loop keeps.
    public var secretTTL: Duration = .seconds(3600)
    public var secretCacheCapacity = 1_000

    public init() {}
}
