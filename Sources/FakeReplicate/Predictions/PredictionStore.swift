import Synchronization

/// The predictions of the whole fake, shared by the responders of every loop.
///
/// A mutex around a dictionary is plenty for a test double (each operation is a lookup or an
/// append). Bounded: past `capacity` the oldest predictions are dropped. Ownership is checked
/// here: a prediction is visible only to the token index that created it, as on Replicate
/// (another valid token gets 404). Threading: every method is thread-safe.
final class PredictionStore: Sendable {
    private struct State {
        var byID: [String: Prediction] = [:]
        /// Ids in creation order; entries before `head` are dropped.
        var order: [(seq: Int, id: String)] = []
        var head = 0
        var nextSeq = 1
    }

    /// One page of a newest-first listing and the cursors around it.
    struct Page {
        var results: [Prediction]
        /// Cursor for older entries (`next`), and for newer ones (`previous`).
        var olderCursor: String?
        var newerCursor: String?
    }

    private let state = Mutex(State())
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Stores a new prediction built by `make` with the next sequence number.
    func insert(_ make: (Int) -> Prediction) -> Prediction {
        state.withLock { s in
            let p = make(s.nextSeq)
            s.nextSeq += 1
            s.byID[p.id] = p
            s.order.append((p.seq, p.id))
            while s.order.count - s.head > capacity {
                s.byID[s.order[s.head].id] = nil
                s.head += 1
            }
            if s.head > 1024 && s.head * 2 > s.order.count {
                s.order.removeFirst(s.head)
                s.head = 0
            }
            return p
        }
    }

    /// The prediction `id` if `owner` created it (nil owner: any, for the stream URL).
    func get(_ id: Substring, owner: Int?) -> Prediction? {
        state.withLock { s in
            guard let p = s.byID[String(id)], owner == nil || p.owner == owner else { return nil }
            return p
        }
    }

    /// Cancels `id` at `now` unless it has already ended; returns it either way.
    func cancel(_ id: Substring, owner: Int, now: UInt64) -> Prediction? {
        state.withLock { s in
            let key = String(id)
            guard var p = s.byID[key], p.owner == owner else { return nil }
            if p.canceledAt == nil && !p.view(at: now).status.isTerminal {
                p.canceledAt = now
                s.byID[key] = p
            }
            return p
        }
    }

    /// Newest-first page of `owner`'s predictions. `cursor` is `o<seq>` (older than seq) or
    /// `n<seq>` (the page just newer than seq); nil starts from the newest.
    func page(owner: Int, cursor: Substring?, limit: Int) -> Page {
        state.withLock { s in
            var picked: [Prediction] = []
            func mine(_ k: Int) -> Prediction? {
                guard let p = s.byID[s.order[k].id], p.owner == owner else { return nil }
                return p
            }
            if let c = cursor, c.first == "n", let after = Int(c.dropFirst()) {
                var k = s.head
                while k < s.order.count && s.order[k].seq <= after { k += 1 }
                while k < s.order.count && picked.count < limit {
                    if let p = mine(k) { picked.append(p) }
                    k += 1
                }
                picked.reverse()
            } else {
                let before = cursor.flatMap { $0.first == "o" ? Int($0.dropFirst()) : nil } ?? Int.max
                var k = s.order.count - 1
                while k >= s.head && picked.count < limit {
                    if s.order[k].seq < before, let p = mine(k) { picked.append(p) }
                    k -= 1
                }
            }
            guard let newest = picked.first, let oldest = picked.last else {
                return Page(results: [], olderCursor: nil, newerCursor: nil)
            }
            var hasOlder = false
            var hasNewer = false
            for k in s.head..<s.order.count where s.byID[s.order[k].id]?.owner == owner {
                if s.order[k].seq < oldest.seq { hasOlder = true }
                if s.order[k].seq > newest.seq { hasNewer = true }
            }
            return Page(
                results: picked, olderCursor: hasOlder ? "o\(oldest.seq)" : nil,
                newerCursor: hasNewer ? "n\(newest.seq)" : nil)
        }
    }

    var count: Int { state.withLock { $0.byID.count } }

    /// Forgets every prediction (`POST /_fake/reset`).
    func removeAll() {
        state.withLock { s in
            s = State()
        }
    }
}
