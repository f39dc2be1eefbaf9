import CacheCore
import CryptoPrimitives
import EventLoop
import Synchronization

/// This process's memory of stream capability tokens (the source of truth is `c:{token}` in
/// Redis, written by the caller when `register` says the token is new or changed).
///
/// Clients must open `urls.stream` through Reprise (the Python client would otherwise send its
/// token straight to Replicate's streaming host), yet Reprise must never fetch a URL a client
/// names. So every stream URL Reprise writes is `{public}/v1/streams/{token}`, where the token
/// is 130 random bits standing for a `StreamCapability`: relay an upstream URL that upstream
/// itself produced, or replay a cached entry.
///
/// The same upstream URL (every poll repeats it) or the same cached entry maps to the same
/// token while it lives, so polling does not mint tokens. Entries expire after `lifetime` and
/// the table is bounded, oldest first. Threading: thread-safe (one short lock per call), shared
/// by all loops of the process.
public final class StreamRegistry: Sendable {
    private struct Entry {
        var capability: StreamCapability
        let expiresAt: UInt64
    }

    private struct Table {
        var byToken: [String: Entry] = [:]
        var bySource: [String: String] = [:]
        var order: [String] = []
        var head = 0
    }

    private let table = Mutex(Table())
    private let lifetimeNanos: UInt64
    private let capacity: Int

    public init(lifetime: Duration = .seconds(3600), capacity: Int = 100_000) {
        self.lifetimeNanos = lifetime.nanosecondsClamped
        self.capacity = capacity
    }

    /// The token for `capability`, and whether the caller must (re)write it to the store: true
    /// for a new token, or when an existing token's capability gained information (a relay that
    /// now knows its cache key).
    public func register(
        _ capability: StreamCapability, now: UInt64 = MonotonicClock.nanoseconds()
    ) -> (token: String, changed: Bool) {
        let source = StreamRegistry.source(of: capability)
        return table.withLock { t in
            if let existing = t.bySource[source], var e = t.byToken[existing], e.expiresAt > now {
                if e.capability == capability || (e.capability.cacheKey != nil && capability.cacheKey == nil) {
                    return (existing, false)
                }
                e.capability = capability
                t.byToken[existing] = e
                return (existing, true)
            }
            let token = SecureRandom.identifier26()
            t.byToken[token] = Entry(capability: capability, expiresAt: now &+ lifetimeNanos)
            t.bySource[source] = token
            t.order.append(token)
            evict(&t, now: now)
            return (token, true)
        }
    }

    /// Remembers a capability read back from the store (another replica minted it).
    public func adopt(_ capability: StreamCapability, token: String, now: UInt64 = MonotonicClock.nanoseconds()) {
        table.withLock { t in
            guard t.byToken[token] == nil else { return }
            t.byToken[token] = Entry(capability: capability, expiresAt: now &+ lifetimeNanos)
            t.order.append(token)
            evict(&t, now: now)
        }
    }

    /// What `token` opens, if this process knows it and it has not expired.
    public func capability(for token: String, now: UInt64 = MonotonicClock.nanoseconds()) -> StreamCapability? {
        table.withLock { t in
            guard let e = t.byToken[token], e.expiresAt > now else { return nil }
            return e.capability
        }
    }

    private static func source(of c: StreamCapability) -> String {
        switch c.kind {
        case .relay: return "r:" + (c.upstreamURL ?? "")
        case .replay: return "p:" + (c.cacheKey ?? "")
        }
    }

    private func evict(_ t: inout Table, now: UInt64) {
        while t.head < t.order.count, t.order.count - t.head > capacity || isExpired(t, t.order[t.head], now) {
            let victim = t.order[t.head]
            t.head += 1
            if let e = t.byToken.removeValue(forKey: victim) {
                let source = StreamRegistry.source(of: e.capability)
                if t.bySource[source] == victim { t.bySource.removeValue(forKey: source) }
            }
        }
        if t.head > 1024 && t.head * 2 > t.order.count {
            t.order.removeFirst(t.head)
            t.head = 0
        }
    }

    private func isExpired(_ t: Table, _ token: String, _ now: UInt64) -> Bool {
        guard let e = t.byToken[token] else { return true }
        return e.expiresAt <= now
    }
}
