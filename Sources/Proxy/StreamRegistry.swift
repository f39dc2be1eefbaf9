import CryptoPrimitives
import EventLoop
import Synchronization

/// Maps Reprise's stream capability tokens to the upstream stream URLs Replicate handed out.
///
/// Clients must open `urls.stream` through Reprise (the Python client would otherwise send its
/// token straight to Replicate's streaming host), yet Reprise must never fetch a URL a client
/// names. So the rewriter swaps each upstream stream URL for `{public}/v1/streams/{token}`,
/// where the token is 130 random bits remembered here; the relay looks the token up and only
/// ever connects to a URL that upstream itself produced.
///
/// The same upstream URL seen again (every poll repeats it) maps to the same token. Entries
/// expire after `lifetime` (Replicate's streams end long before an hour) and the table is
/// bounded; the oldest entries go first. Threading: thread-safe (one short lock per lookup),
/// shared by all loops of the process.
public final class StreamRegistry: Sendable {
    private struct Entry {
        let upstreamURL: String
        let expiresAt: UInt64
    }

    private struct Table {
        var byToken: [String: Entry] = [:]
        var byURL: [String: String] = [:]
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

    /// `{publicBase}/v1/streams/{token}` for an upstream stream URL, registering it if new.
    public func capabilityURL(for upstreamURL: String, publicBase: String) -> String {
        publicBase + "/v1/streams/" + token(for: upstreamURL)
    }

    /// The capability token for `upstreamURL`.
    public func token(for upstreamURL: String, now: UInt64 = MonotonicClock.nanoseconds()) -> String {
        table.withLock { t in
            if let existing = t.byURL[upstreamURL], let e = t.byToken[existing], e.expiresAt > now {
                return existing
            }
            let token = SecureRandom.identifier26()
            t.byToken[token] = Entry(upstreamURL: upstreamURL, expiresAt: now &+ lifetimeNanos)
            t.byURL[upstreamURL] = token
            t.order.append(token)
            evict(&t, now: now)
            return token
        }
    }

    /// The upstream URL behind `token`, or nil when unknown or expired.
    public func upstreamURL(for token: String, now: UInt64 = MonotonicClock.nanoseconds()) -> String? {
        table.withLock { t in
            guard let e = t.byToken[token], e.expiresAt > now else { return nil }
            return e.upstreamURL
        }
    }

    private func evict(_ t: inout Table, now: UInt64) {
        while t.order.count - t.head > capacity || (t.head < t.order.count && isExpired(t, t.order[t.head], now)) {
            let victim = t.order[t.head]
            t.head += 1
            if let e = t.byToken.removeValue(forKey: victim), t.byURL[e.upstreamURL] == victim {
                t.byURL.removeValue(forKey: e.upstreamURL)
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
