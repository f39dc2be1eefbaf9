import CacheCore
import CryptoPrimitives
import JSONCore
import Testing

@testable import ProxyCore

extension SHA256Hasher: HashSink {}

/// The hot tier's promises (Redis stays the source of truth): bounded lifetime and memory,
/// replaced by what Redis returns, dropped on this replica's writes, off when its TTL is 0.
@Suite struct HotTierTests {
    static let second: UInt64 = 1_000_000_000

    static func key(_ n: UInt8) -> CacheKey {
        CacheKey(digest: SHA256Digest(bytes: [UInt8](repeating: n, count: 32))!)
    }

    static func entryBytes(output: String, padding: Int = 0) -> [UInt8] {
        let prediction: JSONValue = ["output": .string(JSONString(output)), "pad": .string(JSONString(String(repeating: "x", count: padding)))]
        return CacheEntry(
            model: "m/n", version: "v", inputSHA256: "ab", storedAtMillis: 1, costUSD: nil, computeSeconds: nil,
            prediction: prediction
        ).encoded()
    }

    @Test func servesOnlyWithinItsTTLAndTheStoresTTL() throws {
        let tier = HotTier(ttlNanos: Self.second, maxBytes: 1 << 20, hasher: SHA256Hasher())
        let raw = Self.entryBytes(output: "a")
        #expect(tier.adopt(Self.key(1), raw: raw, storeTTLMillis: 60_000, now: 0) != nil)
        #expect(tier.servable(Self.key(1), now: Self.second - 1) != nil)
        #expect(tier.servable(Self.key(1), now: Self.second) == nil, "hot TTL over: ask Redis again")
        // The store's TTL is shorter than the tier's: the store wins.
        _ = tier.adopt(Self.key(2), raw: raw, storeTTLMillis: 200, now: 0)
        #expect(tier.servable(Self.key(2), now: 199_000_000) != nil)
        #expect(tier.servable(Self.key(2), now: 200_000_000) == nil)
        // Unknown store TTL: decode reused, but never answered without Redis.
        _ = tier.adopt(Self.key(3), raw: raw, storeTTLMillis: nil, now: 0)
        #expect(tier.servable(Self.key(3), now: 0) == nil)
        #expect(tier.entryCount == 3)
        // A read without the store's TTL (coalescing) reuses the decode and leaves the window.
        _ = tier.adopt(Self.key(1), raw: raw, storeTTLMillis: nil, now: 10)
        #expect(tier.servable(Self.key(1), now: 20) != nil)
    }

    @Test func whatRedisReturnsReplacesTheCopy() throws {
        let tier = HotTier(ttlNanos: Self.second, maxBytes: 1 << 20, hasher: SHA256Hasher())
        let first = try #require(tier.adopt(Self.key(1), raw: Self.entryBytes(output: "old"), storeTTLMillis: 60_000, now: 0))
        #expect(first.entry.prediction["output"]?.stringValue == "old")
        let second = try #require(tier.adopt(Self.key(1), raw: Self.entryBytes(output: "new"), storeTTLMillis: 60_000, now: 1))
        #expect(second.entry.prediction["output"]?.stringValue == "new")
        #expect(tier.servable(Self.key(1), now: 2)?.entry.prediction["output"]?.stringValue == "new")
        #expect(tier.entryCount == 1)
        // Bytes that are not an entry drop the copy.
        #expect(tier.adopt(Self.key(1), raw: Array("garbage".utf8), storeTTLMillis: 60_000, now: 3) == nil)
        #expect(tier.servable(Self.key(1), now: 4) == nil)
    }

    @Test func invalidateDropsTheCopyAndItsBytes() {
        let tier = HotTier(ttlNanos: Self.second, maxBytes: 1 << 20, hasher: SHA256Hasher())
        _ = tier.adopt(Self.key(1), raw: Self.entryBytes(output: "a"), storeTTLMillis: 60_000, now: 0)
        #expect(tier.usedBytes > 0)
        tier.invalidate(Self.key(1))
        #expect(tier.servable(Self.key(1), now: 1) == nil)
        #expect(tier.usedBytes == 0)
    }

    @Test func memoryStaysWithinBudgetOldestFirst() {
        let budget = 64 * 1024
        let tier = HotTier(ttlNanos: Self.second, maxBytes: budget, hasher: SHA256Hasher())
        for n in 0..<200 {
            _ = tier.adopt(Self.key(UInt8(n)), raw: Self.entryBytes(output: "\(n)", padding: 1000), storeTTLMillis: 60_000, now: 0)
            #expect(tier.usedBytes <= budget)
        }
        #expect(tier.servable(Self.key(199), now: 1) != nil, "newest kept")
        #expect(tier.servable(Self.key(0), now: 1) == nil, "oldest evicted")
        #expect(tier.entryCount < 200)
        // An entry bigger than an eighth of the budget is served once but never kept.
        let big = Self.entryBytes(output: "big", padding: budget / 4)
        #expect(tier.adopt(Self.key(250), raw: big, storeTTLMillis: 60_000, now: 0) != nil)
        #expect(tier.servable(Self.key(250), now: 1) == nil)
    }

    @Test func tokensExpireAndCanBeForgotten() {
        let tier = HotTier(ttlNanos: Self.second, maxBytes: 1 << 20, hasher: SHA256Hasher())
        let token = SHA256Digest(bytes: [UInt8](repeating: 9, count: 32))!
        #expect(!tier.tokenAccepted(token, now: 0))
        tier.rememberToken(token, now: 0)
        #expect(tier.tokenAccepted(token, now: Self.second - 1))
        #expect(!tier.tokenAccepted(token, now: Self.second))
        tier.rememberToken(token, now: 0)
        tier.forgetToken(token)
        #expect(!tier.tokenAccepted(token, now: 1))
    }

    @Test func zeroTTLNeverAnswersButReusesDecodes() throws {
        let tier = HotTier(ttlNanos: 0, maxBytes: 1 << 20, hasher: SHA256Hasher())
        let raw = Self.entryBytes(output: "a")
        let token = SHA256Digest(bytes: [UInt8](repeating: 9, count: 32))!
        _ = try #require(tier.adopt(Self.key(1), raw: raw, storeTTLMillis: 60_000, now: 0))
        tier.rememberToken(token, now: 0)
        tier.rememberVersionModel("v", model: "m/n")
        #expect(tier.servable(Self.key(1), now: 0) == nil)
        #expect(!tier.tokenAccepted(token, now: 0))
        #expect(tier.versionModel("v") == nil)
        #expect(tier.entryCount == 1, "the decode is kept for the next lookup with the same bytes")
    }

    /// A lookup sent before this replica wrote the entry may return the old bytes: they must
    /// not be answered from memory; a lookup sent after the write may.
    @Test func lookupsThatRacedAWriteAreNotServed() {
        let tier = HotTier(ttlNanos: Self.second, maxBytes: 1 << 20, hasher: SHA256Hasher())
        _ = tier.adopt(Self.key(1), raw: Self.entryBytes(output: "old"), storeTTLMillis: 60_000, issuedAt: 0, now: 1)
        tier.entryWritten(Self.key(1), now: 10)
        #expect(tier.servable(Self.key(1), now: 11) == nil, "the write dropped the copy")
        let late = tier.adopt(Self.key(1), raw: Self.entryBytes(output: "old"), storeTTLMillis: 60_000, issuedAt: 9, now: 12)
        #expect(late?.entry.prediction["output"]?.stringValue == "old", "still usable for the request that asked")
        #expect(tier.servable(Self.key(1), now: 13) == nil, "but not answered from memory")
        _ = tier.adopt(Self.key(1), raw: Self.entryBytes(output: "new"), storeTTLMillis: 60_000, issuedAt: 20, now: 21)
        #expect(tier.servable(Self.key(1), now: 22)?.entry.prediction["output"]?.stringValue == "new")
    }

    /// In the last quarter of its window a servable entry asks for one background refresh (not
    /// one per request); what the refresh returns extends the window, a failed one lets it lapse.
    @Test func oneBackgroundRefreshNearTheEndOfTheWindow() {
        let tier = HotTier(ttlNanos: 1000, maxBytes: 1 << 20, hasher: SHA256Hasher())
        let raw = Self.entryBytes(output: "a")
        _ = tier.adopt(Self.key(1), raw: raw, storeTTLMillis: 60_000, now: 0)
        #expect(!tier.claimRefresh(Self.key(1), now: 749))
        #expect(tier.claimRefresh(Self.key(1), now: 750))
        #expect(!tier.claimRefresh(Self.key(1), now: 800), "one refresh in flight at a time")
        #expect(tier.servable(Self.key(1), now: 800) != nil, "still answered meanwhile")
        _ = tier.adopt(Self.key(1), raw: raw, storeTTLMillis: 60_000, issuedAt: 750, now: 900)
        #expect(tier.servable(Self.key(1), now: 1500) != nil, "the refresh extended the window")
        #expect(tier.claimRefresh(Self.key(1), now: 1650))
        tier.readFailed(Self.key(1), now: 1700)
        #expect(tier.servable(Self.key(1), now: 1900) == nil, "a failed refresh lets it lapse at its time")
        #expect(tier.failingOver(Self.key(1), now: 1900) == nil, "without a grace")
        #expect(!tier.claimRefresh(Self.key(1), now: 1900), "nothing to refresh once lapsed")
    }

    /// After a failed read, the copy answers within its grace without waiting for Redis, one
    /// background refresh at a time retries (at most one per `retryNanos`), and the first
    /// successful read ends the failover.
    @Test func aFailedReadFailsOverToTheCopyWhileRefreshesRetry() {
        let retry = HotTier.retryNanos
        let tier = HotTier(ttlNanos: Self.second, maxBytes: 1 << 20, graceNanos: 10 * Self.second, hasher: SHA256Hasher())
        let raw = Self.entryBytes(output: "a")
        _ = tier.adopt(Self.key(1), raw: raw, storeTTLMillis: 60_000, now: 0)
        #expect(tier.failingOver(Self.key(1), now: 2 * Self.second) == nil, "no read failed yet: ask Redis")
        tier.readFailed(Self.key(1), now: 2 * Self.second)
        #expect(tier.failingOver(Self.key(1), now: 2 * Self.second) != nil)
        #expect(!tier.claimRefresh(Self.key(1), now: 2 * Self.second + retry - 1), "not before the retry delay")
        #expect(tier.claimRefresh(Self.key(1), now: 2 * Self.second + retry))
        #expect(!tier.claimRefresh(Self.key(1), now: 2 * Self.second + retry + 1), "one at a time")
        tier.readFailed(Self.key(1), now: 3 * Self.second)
        #expect(tier.failingOver(Self.key(1), now: 11 * Self.second - 1) != nil)
        #expect(tier.failingOver(Self.key(1), now: 11 * Self.second) == nil, "never past the grace")
        #expect(!tier.claimRefresh(Self.key(1), now: 11 * Self.second), "nothing to refresh once the grace is over")
        // A read that succeeds ends the failover.
        _ = tier.adopt(Self.key(1), raw: raw, storeTTLMillis: 60_000, now: 4 * Self.second)
        #expect(tier.servable(Self.key(1), now: 4 * Self.second) != nil)
        #expect(tier.failingOver(Self.key(1), now: 5 * Self.second + 1) == nil, "Redis is asked again after the window")
        // A read that reaches Redis without a TTL (a coalescing read) also ends a failover and
        // the refresh it answered.
        tier.readFailed(Self.key(1), now: 5 * Self.second)
        #expect(tier.claimRefresh(Self.key(1), now: 5 * Self.second + retry))
        _ = tier.adopt(Self.key(1), raw: raw, storeTTLMillis: nil, now: 5 * Self.second + retry + 1)
        #expect(tier.failingOver(Self.key(1), now: 6 * Self.second) == nil)
        // A failed read of a key not held changes nothing.
        tier.readFailed(Self.key(2), now: 0)
        #expect(tier.failingOver(Self.key(2), now: 0) == nil && tier.entryCount == 1)
    }

    /// What may answer for `key` once a Redis read of it fails at `now`.
    static func afterAFailedRead(_ tier: HotTier, _ key: CacheKey, now: UInt64) -> HotTier.Entry? {
        tier.readFailed(key, now: now)
        return tier.failingOver(key, now: now)
    }

    @Test func graceStandsInForRedisPastTheWindowButNeverPastTheStoresTTL() {
        let tier = HotTier(ttlNanos: Self.second, maxBytes: 1 << 20, graceNanos: 10 * Self.second, hasher: SHA256Hasher())
        let raw = Self.entryBytes(output: "a")
        _ = tier.adopt(Self.key(1), raw: raw, storeTTLMillis: 60_000, now: 0)
        #expect(tier.servable(Self.key(1), now: Self.second) == nil)
        #expect(Self.afterAFailedRead(tier, Self.key(1), now: Self.second) != nil, "past the window, within the grace")
        #expect(Self.afterAFailedRead(tier, Self.key(1), now: 11 * Self.second - 1) != nil)
        #expect(Self.afterAFailedRead(tier, Self.key(1), now: 11 * Self.second) == nil, "grace over")
        // Redis had 3 s left for it: the grace ends there.
        _ = tier.adopt(Self.key(2), raw: raw, storeTTLMillis: 3_000, now: 0)
        #expect(Self.afterAFailedRead(tier, Self.key(2), now: 3 * Self.second - 1) != nil)
        #expect(Self.afterAFailedRead(tier, Self.key(2), now: 3 * Self.second) == nil, "never past the store's TTL")
        // A later lookup moves the grace with the window.
        _ = tier.adopt(Self.key(1), raw: raw, storeTTLMillis: 60_000, now: 10 * Self.second)
        #expect(Self.afterAFailedRead(tier, Self.key(1), now: 20 * Self.second) != nil)
        // What was never answerable from memory has no grace either.
        _ = tier.adopt(Self.key(3), raw: raw, storeTTLMillis: nil, now: 0)
        #expect(Self.afterAFailedRead(tier, Self.key(3), now: 1) == nil, "store TTL unknown")
        tier.entryWritten(Self.key(4), now: 5)
        _ = tier.adopt(Self.key(4), raw: raw, storeTTLMillis: 60_000, issuedAt: 4, now: 6)
        #expect(Self.afterAFailedRead(tier, Self.key(4), now: 7) == nil, "a lookup that raced a write")
        tier.invalidate(Self.key(1))
        #expect(Self.afterAFailedRead(tier, Self.key(1), now: 12 * Self.second) == nil, "dropped copies have no grace")
    }

    @Test func tokensKeepTheirAcceptanceForTheGraceOnly() {
        let tier = HotTier(ttlNanos: Self.second, maxBytes: 1 << 20, graceNanos: 10 * Self.second, hasher: SHA256Hasher())
        let token = SHA256Digest(bytes: [UInt8](repeating: 7, count: 32))!
        tier.rememberToken(token, now: 0)
        #expect(tier.tokenAccepted(token, now: Self.second - 1))
        #expect(!tier.tokenAccepted(token, now: Self.second), "Redis is asked again after the window")
        #expect(tier.tokenAcceptedInGrace(token, now: 11 * Self.second - 1))
        #expect(!tier.tokenAcceptedInGrace(token, now: 11 * Self.second))
        #expect(!tier.tokenAccepted(token, now: 11 * Self.second))
        let used = tier.usedBytes
        tier.forgetToken(token)
        #expect(tier.usedBytes == used, "an expired acceptance was already dropped")
        tier.rememberToken(token, now: 0)
        tier.forgetToken(token)
        #expect(!tier.tokenAcceptedInGrace(token, now: 1), "a refused token has no grace")
    }

    @Test func zeroGraceFailsOpenAtOnce() {
        let tier = HotTier(ttlNanos: Self.second, maxBytes: 1 << 20, hasher: SHA256Hasher())
        _ = tier.adopt(Self.key(1), raw: Self.entryBytes(output: "a"), storeTTLMillis: 60_000, now: 0)
        #expect(Self.afterAFailedRead(tier, Self.key(1), now: Self.second - 1) != nil, "within the window a copy always stands in")
        #expect(Self.afterAFailedRead(tier, Self.key(1), now: Self.second) == nil)
    }
}
