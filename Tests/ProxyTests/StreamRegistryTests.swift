import CacheCore
import Proxy
import Testing

/// The process's table of stream capability tokens: one token per upstream URL or cached entry
/// while it lives, upgrades when a relay learns its cache key, expiry and a bounded size.
/// (No sockets or Redis: the registry is plain state; time is passed in.)
@Suite struct StreamRegistryTests {
    static func relay(_ url: String, key: String? = nil) -> StreamCapability {
        StreamCapability(kind: .relay, upstreamURL: url, cacheKey: key, store: key != nil, ttlSeconds: key == nil ? 0 : 60)
    }

    static let second: UInt64 = 1_000_000_000

    @Test func theSameSourceKeepsItsTokenAndOnlyNewTokensMustBeStored() {
        let r = StreamRegistry(lifetime: .seconds(60))
        let first = r.register(Self.relay("https://s.replicate.net/a"), now: 1)
        #expect(first.changed)
        #expect(first.token.count == 26)
        let again = r.register(Self.relay("https://s.replicate.net/a"), now: 2)
        #expect(again.token == first.token)
        #expect(!again.changed)
        let other = r.register(Self.relay("https://s.replicate.net/b"), now: 3)
        #expect(other.token != first.token)
        let replay = r.register(StreamCapability(kind: .replay, upstreamURL: nil, cacheKey: "ab", store: false, ttlSeconds: 0), now: 4)
        #expect(replay.token != first.token && replay.token != other.token)
        #expect(r.capability(for: first.token, now: 5) == Self.relay("https://s.replicate.net/a"))
    }

    @Test func aRelayThatLearnsItsCacheKeyIsUpgradedButNeverDowngraded() {
        let r = StreamRegistry(lifetime: .seconds(60))
        let bare = r.register(Self.relay("https://s.replicate.net/a"), now: 1)
        let keyed = r.register(Self.relay("https://s.replicate.net/a", key: "k1"), now: 2)
        #expect(keyed.token == bare.token)
        #expect(keyed.changed)
        #expect(r.capability(for: bare.token, now: 3)?.cacheKey == "k1")
        let later = r.register(Self.relay("https://s.replicate.net/a"), now: 4)  // a poll without context
        #expect(!later.changed)
        #expect(r.capability(for: bare.token, now: 5)?.cacheKey == "k1")
    }

    @Test func tokensExpireAndAnExpiredSourceGetsANewToken() {
        let r = StreamRegistry(lifetime: .seconds(10))
        let t = r.register(Self.relay("https://s.replicate.net/a"), now: 0).token
        #expect(r.capability(for: t, now: 9 * Self.second) != nil)
        #expect(r.capability(for: t, now: 10 * Self.second) == nil)
        let renewed = r.register(Self.relay("https://s.replicate.net/a"), now: 11 * Self.second)
        #expect(renewed.changed)
        #expect(renewed.token != t)
    }

    @Test func adoptedCapabilitiesAreServedAndDoNotReplaceKnownTokens() {
        let r = StreamRegistry(lifetime: .seconds(60))
        r.adopt(Self.relay("https://s.replicate.net/x"), token: "fromanotherreplica00000000", now: 1)
        #expect(r.capability(for: "fromanotherreplica00000000", now: 2)?.upstreamURL == "https://s.replicate.net/x")
        r.adopt(Self.relay("https://s.replicate.net/y"), token: "fromanotherreplica00000000", now: 3)
        #expect(r.capability(for: "fromanotherreplica00000000", now: 4)?.upstreamURL == "https://s.replicate.net/x")
        #expect(r.capability(for: "neverhandedout000000000000", now: 4) == nil)
    }

    @Test func theTableIsBoundedOldestFirst() {
        let r = StreamRegistry(lifetime: .seconds(3600), capacity: 3)
        let tokens = (0..<5).map { r.register(Self.relay("https://s.replicate.net/\($0)"), now: UInt64($0)).token }
        #expect(r.capability(for: tokens[0], now: 10) == nil)
        #expect(r.capability(for: tokens[1], now: 10) == nil)
        for t in tokens[2...] { #expect(r.capability(for: t, now: 10) != nil) }
        // An evicted source is registered afresh.
        #expect(r.register(Self.relay("https://s.replicate.net/0"), now: 11).changed)
    }
}
