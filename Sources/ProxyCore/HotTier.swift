import CacheCore

/// An in-process tier in front of the shared store, per event loop: entries read from Redis
/// recently, already decoded and made into `HitTemplate`s, and tokens Redis said Replicate
/// accepts. A hit it can answer costs no Redis round trip, no JSON parse and no JSON tree.
///
/// Redis stays the source of truth:
/// - an entry is answered from here for at most `ttlNanos` after Redis returned it (and never
///   past the TTL Redis reported for it); after that the next create looks it up again;
/// - what a lookup returns replaces what is here (a refresh by another replica is seen at the
///   next lookup), and this replica's own writes of an entry drop the copy at once
///   (`entryWritten`, on every loop), so `Cache-Control: no-cache` refreshes are seen here
///   immediately and on other replicas within `ttlNanos`; a lookup that was already on its way
///   when the write happened may carry the old bytes, so what it returns is not answered from
///   memory (`issuedAt` ≤ the write);
/// - entries and tokens take memory up to `maxBytes`; past it the oldest go first (FIFO);
/// - `ttlNanos == 0` turns the tier off for answering: every create looks up Redis, and the
///   tier only saves the decode of an entry whose bytes are unchanged;
/// - when Redis cannot answer a lookup, a copy may stand in for it for up to `graceNanos` past
///   its window (`failingOver`, once a read failed), never past the TTL Redis last reported for the entry, and only
///   for a token accepted within the same grace: a Redis stall then costs no paid upstream
///   create for a key in steady use (as `stale-if-error` does for HTTP caches). Once a read of
///   the entry has failed (`readFailed`), the copy keeps answering within its grace without
///   waiting for Redis (`failingOver`), while one background refresh at a time, at most one per
///   `retryNanos`, asks Redis again (`claimRefresh`); the first that succeeds ends it.
///
/// Times are `EventLoop.now`-style monotonic nanoseconds, passed in: the type is pure and the
/// tests drive its clock. Threading: loop-bound (one per loop, no locks).
public final class HotTier {
    /// What the tier keeps per cache key.
    public struct Entry {
        public let raw: [UInt8]
        /// SHA-256 of `raw`: the key its copy for hit records goes under (`hb:{…}`).
        public let rawSHA256: SHA256Digest
        public let entry: CacheEntry
        public let template: HitTemplate
        /// Until when (monotonic ns) this may answer without asking Redis; 0: never.
        public fileprivate(set) var servableUntil: UInt64
        /// From when a hit should also ask Redis again, in the background, so that a key in
        /// steady use is refreshed before it lapses instead of sending every request of that
        /// moment to Redis at once (and failing them open if Redis is slow).
        fileprivate var refreshFrom: UInt64 = .max
        fileprivate var refreshing = false
        /// When this loop last wrote the copy hit records refer to (0: never).
        fileprivate var bodyWrittenAt: UInt64 = 0
        /// Until when (monotonic ns) this may answer while Redis cannot: the window plus the
        /// grace, capped at the TTL Redis reported; 0: never.
        fileprivate var graceUntil: UInt64 = 0
        /// The last read of this entry from Redis failed; no refresh before this time
        /// (monotonic ns). 0: the last read succeeded.
        fileprivate var failedRetryAt: UInt64 = 0
        fileprivate let cost: Int
    }

    public var ttlNanos: UInt64
    /// How long past its window a copy (and a token's acceptance) may stand in for Redis while
    /// Redis fails; 0: never.
    public var graceNanos: UInt64 = 0
    public var maxBytes: Int
    private let hasher: any HashSink
    private var entries: [CacheKey: Entry] = [:]
    private var order: [CacheKey] = []
    private var orderHead = 0
    private var tokens: [SHA256Digest: UInt64] = [:]
    private var versionModels: [String: String] = [:]
    /// When this replica last wrote each entry (monotonic ns); forgotten after `ttlNanos`.
    private var writtenAt: [CacheKey: UInt64] = [:]
    public private(set) var usedBytes = 0

    /// Per-entry and per-token bookkeeping, counted on top of the bytes they hold.
    static let overhead = 256

    /// After a failed read, how long before a background refresh may ask Redis again.
    public static let retryNanos: UInt64 = 100_000_000

    /// How often a loop rewrites the copy of an entry that its hits refer to; the copy's TTL
    /// is the records' plus this (and a margin), so it outlives every record written meanwhile.
    public static let bodyRewriteNanos: UInt64 = 60_000_000_000

    /// `hasher` digests entry bytes (SHA-256).
    public init(ttlNanos: UInt64, maxBytes: Int, graceNanos: UInt64 = 0, hasher: any HashSink) {
        self.ttlNanos = ttlNanos
        self.graceNanos = graceNanos
        self.maxBytes = maxBytes
        self.hasher = hasher
    }

    public var entryCount: Int { entries.count }

    /// The entry under `key` if it may answer now without asking Redis.
    public func servable(_ key: CacheKey, now: UInt64) -> Entry? {
        guard let e = entries[key] else { return nil }
        return now < e.servableUntil ? e : nil
    }

    /// The entry under `key` if the last read of it from Redis failed and it is within its
    /// grace: it answers without waiting for Redis (which a background refresh asks again).
    public func failingOver(_ key: CacheKey, now: UInt64) -> Entry? {
        guard let e = entries[key], e.failedRetryAt != 0 else { return nil }
        return now < e.graceUntil ? e : nil
    }

    /// True once per refresh window of a servable entry, and once per `retryNanos` for an entry
    /// failing over: the caller should look it up again in the background (and hand the result
    /// to `adopt`, or `readFailed`).
    public func claimRefresh(_ key: CacheKey, now: UInt64) -> Bool {
        guard let e = entries[key], !e.refreshing else { return false }
        let due = e.failedRetryAt != 0
            ? now >= e.failedRetryAt && now < e.graceUntil
            : now >= e.refreshFrom && now < e.servableUntil
        guard due else { return false }
        entries[key]?.refreshing = true
        return true
    }

    /// True when a hit answered from `entry` must (re)write the copy hit records refer to: this
    /// loop has not written it in the last `bodyRewriteNanos` (or no longer holds the entry).
    /// Marks it written.
    public func claimBodyWrite(_ key: CacheKey, for entry: Entry, now: UInt64) -> Bool {
        guard let held = entries[key], held.rawSHA256 == entry.rawSHA256 else { return true }
        if held.bodyWrittenAt != 0 && now &- held.bodyWrittenAt < Self.bodyRewriteNanos { return false }
        entries[key]?.bodyWrittenAt = now
        return true
    }

    /// A read of `key` from Redis (a lookup or a background refresh) failed: within its grace
    /// the copy answers without waiting for Redis until a read succeeds (`failingOver`).
    public func readFailed(_ key: CacheKey, now: UInt64) {
        guard entries[key] != nil else { return }
        entries[key]?.refreshing = false
        entries[key]?.failedRetryAt = max(now &+ Self.retryNanos, 1)
    }

    /// True when Redis said, less than `ttlNanos` ago, that Replicate accepts this token.
    public func tokenAccepted(_ tokenHash: SHA256Digest, now: UInt64) -> Bool {
        guard let until = tokens[tokenHash] else { return false }
        if now < until { return true }
        if now >= until &+ graceNanos { forgetToken(tokenHash) }
        return false
    }

    /// True when Redis said Replicate accepts this token recently enough for a copy in its grace
    /// (`failingOver`) to answer it while Redis fails.
    public func tokenAcceptedInGrace(_ tokenHash: SHA256Digest, now: UInt64) -> Bool {
        guard let until = tokens[tokenHash] else { return false }
        return now < until &+ graceNanos
    }

    /// The model a version id belongs to, as Redis said (a version never changes model).
    public func versionModel(_ version: String) -> String? { versionModels[version] }

    /// Takes what a Redis lookup returned for `key`: the decoded entry (reusing the previous
    /// decode when the bytes are the same), or nil when the bytes are not a valid entry.
    /// `storeTTLMillis` is what Redis has left for it; nil only reuses the decode (a new entry
    /// is then not answered from memory, a known one keeps its window).
    /// `issuedAt` is when the lookup was sent: one sent before this replica's last write of the
    /// entry may return the old bytes, so they are decoded but not answered from memory.
    public func adopt(
        _ key: CacheKey, raw: [UInt8], storeTTLMillis: Int64?, issuedAt: UInt64 = 0, now: UInt64
    ) -> Entry? {
        let servableUntil: UInt64
        let raced = writtenAt[key].map { issuedAt <= $0 } ?? false
        if let ms = storeTTLMillis, ms > 0, ttlNanos > 0, !raced {
            servableUntil = now &+ min(ttlNanos, UInt64(ms) &* 1_000_000)
        } else {
            servableUntil = 0
        }
        let refreshFrom = servableUntil == 0 ? UInt64.max : servableUntil &- (servableUntil &- now) / 4
        let graceUntil = servableUntil == 0
            ? 0 : min(now &+ UInt64(storeTTLMillis ?? 0) &* 1_000_000, servableUntil &+ graceNanos)
        if var known = entries[key], known.raw == raw {
            // A read that says nothing of the store's TTL (a coalescing poll, or a key Redis keeps
            // without expiry) only reuses the decode; it must not end, or restart, a window a
            // lookup opened. It did reach Redis, though: a refresh it answers is over, and a
            // failover ends (the next refresh, or the window's end, asks Redis again).
            guard storeTTLMillis != nil else {
                known.refreshing = false
                known.failedRetryAt = 0
                entries[key] = known
                return known
            }
            known.servableUntil = servableUntil
            known.graceUntil = graceUntil
            known.failedRetryAt = 0
            known.refreshFrom = refreshFrom
            known.refreshing = false
            entries[key] = known
            return known
        }
        guard let entry = CacheEntry.decode(raw) else {
            invalidate(key)
            return nil
        }
        let template = HitTemplate(entry: entry)
        let cost = raw.count + template.fixedByteCount + Self.overhead
        hasher.reset()
        raw.withUnsafeBytes { hasher.update($0) }
        let rawSHA256 = SHA256Digest(bytes: hasher.finish())!
        var fresh = Entry(
            raw: raw, rawSHA256: rawSHA256, entry: entry, template: template, servableUntil: servableUntil, cost: cost)
        fresh.refreshFrom = refreshFrom
        fresh.graceUntil = graceUntil
        // Too big to be worth a slot in the budget: serve it this once.
        guard cost <= maxBytes / 8 else { return fresh }
        invalidate(key)
        entries[key] = fresh
        order.append(key)
        usedBytes += cost
        evictIfNeeded()
        return fresh
    }

    /// This replica wrote the entry under `key` at `now`: drop the copy, and do not answer from
    /// memory what lookups sent before now return.
    public func entryWritten(_ key: CacheKey, now: UInt64) {
        invalidate(key)
        guard ttlNanos > 0 else { return }
        if writtenAt.count >= 4096 {
            // Lookups older than the tier's TTL are long answered: their marks can go.
            writtenAt = writtenAt.filter { now &- $0.value < ttlNanos }
            if writtenAt.count >= 4096 { writtenAt.removeAll() }
        }
        writtenAt[key] = now
    }

    /// Drops the copy of `key` (the stored one is gone or unusable).
    public func invalidate(_ key: CacheKey) {
        guard let old = entries.removeValue(forKey: key) else { return }
        usedBytes -= old.cost
    }

    public func rememberToken(_ tokenHash: SHA256Digest, now: UInt64) {
        guard ttlNanos > 0 else { return }
        if tokens[tokenHash] == nil { usedBytes += Self.overhead }
        tokens[tokenHash] = now &+ ttlNanos
        evictIfNeeded()
    }

    /// A token Replicate refused: no hit may rely on an older "accepted".
    public func forgetToken(_ tokenHash: SHA256Digest) {
        if tokens.removeValue(forKey: tokenHash) != nil { usedBytes -= Self.overhead }
    }

    public func rememberVersionModel(_ version: String, model: String) {
        guard ttlNanos > 0, versionModels[version] == nil else { return }
        if versionModels.count >= 4096 { versionModels.removeAll(keepingCapacity: true) }
        versionModels[version] = model
    }

    /// Drops the oldest entries (and, if that is not enough, every token) until within budget.
    private func evictIfNeeded() {
        while usedBytes > maxBytes, orderHead < order.count {
            let key = order[orderHead]
            orderHead += 1
            invalidate(key)
        }
        if usedBytes > maxBytes {
            usedBytes -= tokens.count * Self.overhead
            tokens.removeAll(keepingCapacity: true)
        }
        // Keys of entries replaced or dropped stay in `order` until they reach its head;
        // compact when the consumed prefix dominates.
        if orderHead > 1024 && orderHead * 2 > order.count {
            order.removeFirst(orderHead)
            orderHead = 0
        }
        if order.count > 4 * max(entries.count, 1024) {
            order = order.filter { entries[$0] != nil }
            orderHead = 0
        }
    }
}

@available(*, unavailable)
extension HotTier: Sendable {}
