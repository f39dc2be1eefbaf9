import CacheCore
import JSONCore
import ReplicateAPI

/// Remembers what recent create bodies were found to mean: the parsed request, the digest of
/// its canonical input, the input as hits echo it and the shared-scope cache key. A create whose route and body bytes equal
/// a remembered one skips the JSON parse, the RFC 8785 canonicalisation and the SHA-256 of its
/// input — the bulk of keying a large input, done again for every repeat of it.
///
/// Exact by construction: `CreateRequest.analyze` and `InputDigest` are pure functions of the
/// route and the body bytes, and a remembered analysis is only returned for a body equal byte
/// for byte (a fast 64-bit hash finds the candidate, a full comparison confirms it). Nothing
/// here depends on the config, the token or Redis; headers (`Cache-Control`, `Prefer`, the
/// token) are read per request by the caller.
///
/// Bounded: bodies over `maxBodyBytes` are never remembered; the remembered bytes (body, tree,
/// echoed input) are counted against `maxBytes`, the oldest going first; at most
/// `maxPerBucket` bodies share one hash (a flood of colliding bodies evicts within its bucket
/// instead of growing it). The hash is seeded per instance, so colliding bodies cannot be
/// precomputed.
///
/// Threading: loop-bound (one per event loop, no locks). Pure: no I/O, no clock.
public final class CreateRequestMemo {
    /// What a create body means, as `CreateExchange` needs it.
    public struct Analysis {
        public let request: CreateRequest
        public let input: InputDigest
        /// The client's `input`, serialised as a hit's JSON carries it.
        public let inputJSON: [UInt8]
        /// The cache key under `cache.scope: shared` (with `token`, the key also depends on the
        /// token and is made per request).
        public let sharedKey: CacheKey

        public init(request: CreateRequest, input: InputDigest, inputJSON: [UInt8], sharedKey: CacheKey) {
            self.request = request
            self.input = input
            self.inputJSON = inputJSON
            self.sharedKey = sharedKey
        }
    }

    private struct Slot {
        let route: PredictionRoute
        let body: [UInt8]
        let analysis: Analysis
        let cost: Int
    }

    public let maxBytes: Int
    public let maxBodyBytes: Int
    static let maxPerBucket = 4
    /// Per-slot bookkeeping counted on top of the bytes it holds.
    static let overhead = 256

    private let seed: UInt64
    /// Slots by the seeded hash of their body.
    private var buckets: [UInt64: [Slot]] = [:]
    /// Insertion order, for eviction; keys whose slots are gone are skipped when they come up.
    private var order: [(key: UInt64, body: [UInt8])] = []
    private var orderHead = 0
    public private(set) var usedBytes = 0
    public private(set) var count = 0

    public init(maxBytes: Int, maxBodyBytes: Int, seed: UInt64) {
        self.maxBytes = maxBytes
        self.maxBodyBytes = maxBodyBytes
        self.seed = seed
    }

    /// The remembered analysis of exactly this route and body, if any.
    public func lookup(route: PredictionRoute, body: [UInt8]) -> Analysis? {
        guard body.count <= maxBodyBytes, let slots = buckets[hash(body)] else { return nil }
        for slot in slots where slot.route == route && Self.equal(slot.body, body) {
            return slot.analysis
        }
        return nil
    }

    /// Remembers `analysis` for this route and body (a no-op for bodies over `maxBodyBytes`).
    public func remember(route: PredictionRoute, body: [UInt8], analysis: Analysis) {
        guard body.count <= maxBodyBytes, maxBytes > 0 else { return }
        // The parsed tree takes about twice the bytes it came from.
        let cost = body.count * 3 + analysis.inputJSON.count + Self.overhead
        guard cost <= maxBytes / 8 else { return }
        let key = hash(body)
        var slots = buckets[key] ?? []
        if let i = slots.firstIndex(where: { $0.route == route && Self.equal($0.body, body) }) {
            drop(slots.remove(at: i))
        }
        if slots.count >= Self.maxPerBucket { drop(slots.removeFirst()) }
        slots.append(Slot(route: route, body: body, analysis: analysis, cost: cost))
        buckets[key] = slots
        order.append((key, body))
        usedBytes += cost
        count += 1
        evictIfNeeded()
    }

    private func drop(_ slot: Slot) {
        usedBytes -= slot.cost
        count -= 1
    }

    private func evictIfNeeded() {
        while usedBytes > maxBytes, orderHead < order.count {
            let (key, body) = order[orderHead]
            orderHead += 1
            guard var slots = buckets[key],
                let i = slots.firstIndex(where: { Self.equal($0.body, body) })
            else { continue }
            drop(slots.remove(at: i))
            buckets[key] = slots.isEmpty ? nil : slots
        }
        if orderHead > 1024 && orderHead * 2 > order.count {
            order.removeFirst(orderHead)
            orderHead = 0
        }
    }

    /// A seeded multiply-rotate hash over 8-byte words: a few hundred nanoseconds for 8 KB,
    /// where `Hasher` (SipHash) would take microseconds. Collisions cost a comparison, never a
    /// wrong answer.
    func hash(_ body: [UInt8]) -> UInt64 {
        body.withUnsafeBytes { raw -> UInt64 in
            var h = seed ^ (UInt64(raw.count) &* 0x9E37_79B9_7F4A_7C15)
            var offset = 0
            while offset + 8 <= raw.count {
                let word = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                h = ((h ^ word) &* 0xBF58_476D_1CE4_E5B9).rotated(by: 29)
                offset += 8
            }
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while offset < raw.count {
                tail |= UInt64(raw[offset]) << shift
                shift += 8
                offset += 1
            }
            h = ((h ^ tail) &* 0x94D0_49BB_1331_11EB)
            return h ^ (h >> 31)
        }
    }

    /// Byte equality, 8 bytes at a time (Array's `==` compares element by element, several
    /// times slower on an 8 KB body).
    public static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return a.withUnsafeBytes { x in
            b.withUnsafeBytes { y in
                var offset = 0
                while offset + 8 <= x.count {
                    if x.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                        != y.loadUnaligned(fromByteOffset: offset, as: UInt64.self) { return false }
                    offset += 8
                }
                while offset < x.count {
                    if x[offset] != y[offset] { return false }
                    offset += 1
                }
                return true
            }
        }
    }
}

extension UInt64 {
    fileprivate func rotated(by n: UInt64) -> UInt64 { (self << n) | (self >> (64 - n)) }
}

@available(*, unavailable)
extension CreateRequestMemo: Sendable {}
