import Testing

@testable import RedisStore

@Suite struct PendingCommandQueueTests {
    /// Appends an entry whose completion records `tag` into `log`.
    final class Log {
        var entries: [(Int, Result<RedisValue, RedisError>)] = []
    }

    static func append(_ q: inout PendingCommandQueue, _ tag: Int, _ deadline: UInt64, _ log: Log) {
        q.append({ log.entries.append((tag, $0)) }, deadline: deadline)
    }

    @Test func popsInOrderAcrossGrowthAndWrapAround() {
        var q = PendingCommandQueue(capacity: 4)
        let log = Log()
        var next = 0
        var expected = 0
        // Interleave appends and pops so the ring wraps, then force growth while wrapped.
        for round in 0..<50 {
            for _ in 0..<(round % 7 + 1) {
                Self.append(&q, next, 1_000, log)
                next += 1
            }
            for _ in 0..<(round % 5) {
                guard let e = q.popFirst() else { break }
                e.completion?(.success(.integer(0)))
                #expect(log.entries.last?.0 == expected)
                expected += 1
            }
        }
        #expect(q.count == next - expected)
        while let e = q.popFirst() {
            e.completion?(.success(.integer(0)))
            #expect(log.entries.last?.0 == expected)
            expected += 1
        }
        #expect(expected == next && q.isEmpty)
    }

    @Test func expiryAnswersOnceAndKeepsTheSlotForTheLateReply() {
        var q = PendingCommandQueue()
        let log = Log()
        Self.append(&q, 0, 100, log)
        Self.append(&q, 1, 200, log)
        Self.append(&q, 2, 300, log)
        #expect(q.nextDeadline() == 100)
        #expect(q.takeExpired(now: 99) == nil)
        let c0 = q.takeExpired(now: 250)
        let c1 = q.takeExpired(now: 250)
        #expect(c0 != nil && c1 != nil)
        #expect(q.takeExpired(now: 250) == nil)
        #expect(q.nextDeadline() == 300)
        #expect(q.oldestDeadline == 100)
        #expect(q.count == 3)
        // The late replies pop the answered entries (no completion), then entry 2 gets its own.
        #expect(q.popFirst()?.completion == nil)
        #expect(q.popFirst()?.completion == nil)
        let e2 = q.popFirst()
        #expect(e2?.completion != nil && e2?.deadline == 300)
        #expect(q.nextDeadline() == nil && q.oldestDeadline == nil)
    }

    @Test func cursorFollowsHeadWhenRepliesOvertakeIt() {
        var q = PendingCommandQueue()
        let log = Log()
        Self.append(&q, 0, 100, log)
        Self.append(&q, 1, 200, log)
        _ = q.popFirst()
        _ = q.popFirst()
        Self.append(&q, 2, 300, log)
        #expect(q.nextDeadline() == 300)
        #expect(q.takeExpired(now: 1_000) != nil)
        #expect(q.takeExpired(now: 1_000) == nil)
    }

    @Test func handshakeEntriesNeverExpire() {
        var q = PendingCommandQueue()
        let log = Log()
        Self.append(&q, 0, .max, log)
        #expect(q.nextDeadline() == nil)
        #expect(q.oldestDeadline == nil)
        #expect(q.takeExpired(now: .max - 1) == nil)
    }
}
