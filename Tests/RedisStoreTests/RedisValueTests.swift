import CHiredis
import Testing

@testable import RedisStore

/// Conversion of hand-built hiredis reply trees (no server needed).
@Suite struct RedisValueTests {
    /// Owns the C memory of a reply tree built for a test.
    final class ReplyTree {
        private var allocations: [UnsafeMutableRawPointer] = []

        deinit { allocations.forEach { $0.deallocate() } }

        func reply(
            _ type: Int32, bytes: [UInt8] = [], integer: Int64 = 0, elements: [UnsafeMutablePointer<redisReply>?] = []
        ) -> UnsafeMutablePointer<redisReply> {
            let r = UnsafeMutablePointer<redisReply>.allocate(capacity: 1)
            allocations.append(UnsafeMutableRawPointer(r))
            r.initialize(to: redisReply())
            r.pointee.type = type
            r.pointee.integer = integer
            if !bytes.isEmpty {
                let s = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
                allocations.append(UnsafeMutableRawPointer(s))
                for (i, b) in bytes.enumerated() { s[i] = CChar(bitPattern: b) }
                s[bytes.count] = 0
                r.pointee.str = s
                r.pointee.len = bytes.count
            }
            if !elements.isEmpty {
                let e = UnsafeMutablePointer<UnsafeMutablePointer<redisReply>?>.allocate(capacity: elements.count)
                allocations.append(UnsafeMutableRawPointer(e))
                for (i, x) in elements.enumerated() { e[i] = x }
                r.pointee.element = e
                r.pointee.elements = elements.count
            }
            return r
        }
    }

    @Test func scalarReplies() {
        let t = ReplyTree()
        let binary: [UInt8] = [0x00, 0x41, 0xFF, 0x00, 0x0A]
        #expect(RedisValue(copying: t.reply(REDIS_REPLY_STRING, bytes: binary)) == .bulk(binary))
        #expect(RedisValue(copying: t.reply(REDIS_REPLY_STRING)) == .bulk([]))
        #expect(RedisValue(copying: t.reply(REDIS_REPLY_STATUS, bytes: Array("OK".utf8))) == .simpleString("OK"))
        #expect(RedisValue(copying: t.reply(REDIS_REPLY_ERROR, bytes: Array("ERR no".utf8))) == .error("ERR no"))
        #expect(RedisValue(copying: t.reply(REDIS_REPLY_INTEGER, integer: -42)) == .integer(-42))
        #expect(RedisValue(copying: t.reply(REDIS_REPLY_INTEGER, integer: Int64.max)) == .integer(Int64.max))
        #expect(RedisValue(copying: t.reply(REDIS_REPLY_NIL)) == .null)
    }

    @Test func nestedArrays() {
        let t = ReplyTree()
        let inner = t.reply(
            REDIS_REPLY_ARRAY, elements: [t.reply(REDIS_REPLY_INTEGER, integer: 1), t.reply(REDIS_REPLY_NIL)])
        let outer = t.reply(
            REDIS_REPLY_ARRAY,
            elements: [
                t.reply(REDIS_REPLY_STRING, bytes: [1, 2]), inner, nil,
                t.reply(REDIS_REPLY_ERROR, bytes: Array("E".utf8)),
            ])
        #expect(
            RedisValue(copying: outer)
                == .array([.bulk([1, 2]), .array([.integer(1), .null]), .null, .error("E")]))
        #expect(RedisValue(copying: t.reply(REDIS_REPLY_ARRAY)) == .array([]))
    }

    @Test func accessors() {
        #expect(RedisValue.bulk(Array("hé".utf8)).string == "hé")
        #expect(RedisValue.simpleString("PONG").bytes == Array("PONG".utf8))
        #expect(RedisValue.integer(3).integer == 3)
        #expect(RedisValue.integer(3).string == nil)
        #expect(RedisValue.array([.null]).array == [.null])
        #expect(RedisValue.null.isNull)
        #expect(!RedisValue.bulk([]).isNull)
    }
}
