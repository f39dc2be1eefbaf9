import Testing

@testable import Webhooks

@Suite struct WebhookSecretCacheTests {
    static let a = WebhookSecret(key: [1])
    static let b = WebhookSecret(key: [2])
    static let c = WebhookSecret(key: [3])

    @Test func entriesExpireAfterTheirTTL() {
        var cache = WebhookSecretCache(capacity: 10, ttlNanos: 100)
        cache.insert(Self.a, for: "t1", now: 1_000)
        #expect(cache.secret(for: "t1", now: 1_099) == Self.a)
        #expect(cache.secret(for: "t1", now: 1_100) == nil)
        #expect(cache.count == 0)
        #expect(cache.secret(for: "t2", now: 1_000) == nil)
    }

    @Test func pastCapacityTheLeastRecentlyUsedGoes() {
        var cache = WebhookSecretCache(capacity: 2, ttlNanos: 1_000)
        cache.insert(Self.a, for: "t1", now: 1)
        cache.insert(Self.b, for: "t2", now: 2)
        _ = cache.secret(for: "t1", now: 3)  // t2 is now the least recently used
        cache.insert(Self.c, for: "t3", now: 4)
        #expect(cache.count == 2)
        #expect(cache.secret(for: "t2", now: 5) == nil)
        #expect(cache.secret(for: "t1", now: 5) == Self.a)
        #expect(cache.secret(for: "t3", now: 5) == Self.c)
    }

    @Test func expiredEntriesAreDroppedBeforeALiveOne() {
        var cache = WebhookSecretCache(capacity: 2, ttlNanos: 10)
        cache.insert(Self.a, for: "t1", now: 100)
        cache.insert(Self.b, for: "t2", now: 105)
        _ = cache.secret(for: "t1", now: 108)
        cache.insert(Self.c, for: "t3", now: 112)  // t1 expired at 110; t2 lives until 115
        #expect(cache.secret(for: "t2", now: 113) == Self.b)
        #expect(cache.secret(for: "t3", now: 113) == Self.c)
    }

    @Test func replacingAnEntryDoesNotEvict() {
        var cache = WebhookSecretCache(capacity: 1, ttlNanos: 10)
        cache.insert(Self.a, for: "t1", now: 1)
        cache.insert(Self.b, for: "t1", now: 2)
        #expect(cache.secret(for: "t1", now: 3) == Self.b)
    }
}
