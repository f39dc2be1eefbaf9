/// The commands sent on one connection that still await a reply, oldest first.
///
/// Redis answers in order, so the reply hiredis hands over always belongs to the head. A command
/// that times out is completed at once but keeps its slot (with its completion cleared) until its
/// late reply arrives and is discarded; that keeps later replies matched to their own callers.
///
/// Deadlines are non-decreasing from head to tail (one timeout per client, a monotonic clock,
/// handshake commands first with no deadline), so one timer and a cursor suffice: entries before
/// `cursor` have been completed by timeout, the entry at `cursor` is the next to expire. A ring
/// buffer keeps append and pop O(1) without per-command allocation beyond the completion.
///
/// Not thread-safe: owned by one `HiredisConnection`, used on its loop thread.
struct PendingCommandQueue {
    typealias Completion = (Result<RedisValue, RedisError>) -> Void

    struct Entry {
        /// Nil once the caller has been answered (by timeout); the reply is then discarded.
        var completion: Completion?
        /// Monotonic nanoseconds; `UInt64.max` for commands covered by the connect timeout.
        var deadline: UInt64
    }

    private var slots: [Entry]
    private var mask: Int
    /// Sequence numbers (not indices): head ≤ cursor-ish ≤ tail; `seq & mask` is the slot.
    private var head = 0
    private var tail = 0
    private var cursor = 0

    init(capacity: Int = 16) {
        var size = 1
        while size < max(capacity, 2) { size <<= 1 }
        slots = Array(repeating: Entry(completion: nil, deadline: 0), count: size)
        mask = size - 1
    }

    /// Commands awaiting a reply, including timed-out ones whose late reply is still due.
    var count: Int { tail - head }

    var isEmpty: Bool { head == tail }

    mutating func append(_ completion: @escaping Completion, deadline: UInt64) {
        if count == slots.count { grow() }
        slots[tail & mask] = Entry(completion: completion, deadline: deadline)
        tail += 1
    }

    /// Removes the oldest entry (the owner of the reply that just arrived).
    mutating func popFirst() -> Entry? {
        guard head < tail else { return nil }
        let i = head & mask
        let entry = slots[i]
        slots[i] = Entry(completion: nil, deadline: 0)
        head += 1
        return entry
    }

    /// The completion of the next entry whose deadline is at or before `now`, which is marked
    /// answered; nil when none has expired. Call repeatedly (completions may append).
    mutating func takeExpired(now: UInt64) -> Completion? {
        cursor = max(cursor, head)
        while cursor < tail {
            let i = cursor & mask
            guard slots[i].deadline <= now else { return nil }
            cursor += 1
            if let completion = slots[i].completion {
                slots[i].completion = nil
                return completion
            }
        }
        return nil
    }

    /// The deadline of the next entry that can still expire, or nil.
    func nextDeadline() -> UInt64? {
        let c = max(cursor, head)
        guard c < tail else { return nil }
        let d = slots[c & mask].deadline
        return d == .max ? nil : d
    }

    /// The deadline of the oldest entry, answered or not: how long the server has been silent.
    var oldestDeadline: UInt64? {
        guard head < tail else { return nil }
        let d = slots[head & mask].deadline
        return d == .max ? nil : d
    }

    private mutating func grow() {
        var bigger = Array(repeating: Entry(completion: nil, deadline: 0), count: slots.count * 2)
        for seq in head..<tail {
            bigger[seq - head] = slots[seq & mask]
        }
        cursor = max(cursor, head) - head
        tail -= head
        head = 0
        slots = bigger
        mask = bigger.count - 1
    }
}
