/// Webhook secrets already fetched, so that a burst of hits for one account costs one
/// `GET /v1/webhooks/default/secret`.
///
/// Keyed by the SHA-256 of the API token (the token itself is never kept), bounded (past
/// `capacity` the least recently used entry goes) and expiring (`ttl` after the fetch, so a
/// rotated secret is picked up). Memory only, by design: a secret is the account's signing key
/// and must never reach Redis, disk or logs. Times are monotonic nanoseconds passed in by the
/// caller. Value type; not shared between threads (one per loop).
public struct WebhookSecretCache: Sendable {
    private struct Entry: Sendable {
        let secret: WebhookSecret
        let expiresAt: UInt64
        var lastUsed: UInt64
    }

    public let capacity: Int
    public let ttlNanos: UInt64
    private var entries: [String: Entry] = [:]

    public init(capacity: Int, ttlNanos: UInt64) {
        self.capacity = max(1, capacity)
        self.ttlNanos = ttlNanos
    }

    public var count: Int { entries.count }

    /// The secret for `tokenSHA256` if it was fetched less than `ttl` ago.
    public mutating func secret(for tokenSHA256: String, now: UInt64) -> WebhookSecret? {
        guard var entry = entries[tokenSHA256] else { return nil }
        guard now < entry.expiresAt else {
            entries.removeValue(forKey: tokenSHA256)
            return nil
        }
        entry.lastUsed = now
        entries[tokenSHA256] = entry
        return entry.secret
    }

    public mutating func insert(_ secret: WebhookSecret, for tokenSHA256: String, now: UInt64) {
        if entries[tokenSHA256] == nil && entries.count >= capacity {
            entries = entries.filter { now < $0.value.expiresAt }
            if entries.count >= capacity, let victim = entries.min(by: { $0.value.lastUsed < $1.value.lastUsed }) {
                entries.removeValue(forKey: victim.key)
            }
        }
        let expiresAt = now > UInt64.max - ttlNanos ? UInt64.max : now + ttlNanos
        entries[tokenSHA256] = Entry(secret: secret, expiresAt: expiresAt, lastUsed: now)
    }
}
