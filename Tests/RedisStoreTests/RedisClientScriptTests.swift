import RedisKeyspace
import Testing

@testable import RedisStore

@Suite struct RedisClientScriptTests {
    @Test func evalshaFallsBackToEvalOnNoscriptThenHitsTheCache() throws {
        let harness = try ClientHarness.connectedToSharedRedis()
        defer { harness.shutdown() }
        // A source no other run has loaded, so the server's script cache cannot know it.
        let marker = String(UInt64.random(in: 0...UInt64.max))
        let script = RedisScript("return {KEYS[1], ARGV[1], '\(marker)'}")
        let key = SharedRedis.scratchSchema().entry(SharedRedis.randomDigest())
        let expected = RedisValue.array([.bulk(key.bytes), .bulk([0, 1, 2]), .bulk(Array(marker.utf8))])

        #expect(try harness.send(["SCRIPT", "EXISTS", .string(script.sha1)]).get() == .array([.integer(0)]))
        let first = try harness.perform { client, done in
            client.evalsha(script, keys: [key], arguments: [.bytes([0, 1, 2])], completion: done)
        }
        #expect(try first.get() == expected)
        #expect(try harness.send(["SCRIPT", "EXISTS", .string(script.sha1)]).get() == .array([.integer(1)]))
        #expect(try harness.send(["SCRIPT", "LOAD", .bytes(script.source)]).get() == .bulk(Array(script.sha1.utf8)))
        let second = try harness.perform { client, done in
            client.evalsha(script, keys: [key], arguments: [.bytes([0, 1, 2])], completion: done)
        }
        #expect(try second.get() == expected)
    }

    @Test func scriptErrorsAreNotRetried() throws {
        let harness = try ClientHarness.connectedToSharedRedis()
        defer { harness.shutdown() }
        let script = RedisScript("return redis.error_reply('BOOM \(UInt64.random(in: 0...UInt64.max))')")
        let result = try harness.perform { client, done in client.evalsha(script, keys: [], completion: done) }
        guard case .failure(let error) = result, case .serverError(let message) = error.kind else {
            Issue.record("expected a server error, got \(result)")
            return
        }
        #expect(message.hasPrefix("BOOM"))
        #expect(!error.isNoScript)
    }
}
