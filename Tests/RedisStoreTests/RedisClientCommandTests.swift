import RedisKeyspace
import Testing

@testable import RedisStore

/// Commands against the shared server (`REPRISE_TEST_REDIS_URL`).
@Suite struct RedisClientCommandTests {
    @Test func setAndGetAreBinarySafe() throws {
        let harness = try ClientHarness.connectedToSharedRedis()
        defer { harness.shutdown() }
        let schema = SharedRedis.scratchSchema()
        let (k1, k2, k3, missing) = (
            schema.entry(SharedRedis.randomDigest()), schema.entry(SharedRedis.randomDigest()),
            schema.streamRecording(SharedRedis.randomDigest()), schema.entry(SharedRedis.randomDigest())
        )
        let everyByte = (0...255).map { UInt8($0) } + [0, 0, 0x0D, 0x0A, 0]
        var mebibyte = [UInt8](repeating: 0, count: 1 << 20)
        for i in mebibyte.indices { mebibyte[i] = UInt8.random(in: 0...255) }
        mebibyte[0] = 0
        mebibyte[mebibyte.count - 1] = 0

        let replies = try harness.sendAll([
            ["SET", .key(k1), .bytes(everyByte)],
            ["SET", .key(k2), .bytes(mebibyte), "EX", .integer(60)],
            ["SET", .key(k3), .bytes([])],
            ["GET", .key(k1)],
            ["GET", .key(k2)],
            ["GET", .key(k3)],
            ["GET", .key(missing)],
            ["STRLEN", .key(k2)],
            ["DEL", .key(k1), .key(k2), .key(k3)],
        ])
        #expect(try replies[0].get() == .simpleString("OK"))
        #expect(try replies[1].get() == .simpleString("OK"))
        #expect(try replies[2].get() == .simpleString("OK"))
        #expect(try replies[3].get() == .bulk(everyByte))
        #expect(try replies[4].get() == .bulk(mebibyte))
        #expect(try replies[5].get() == .bulk([]))
        #expect(try replies[6].get() == .null)
        #expect(try replies[7].get() == .integer(1 << 20))
        #expect(try replies[8].get() == .integer(3))
    }

    /// 16 MiB exceeds any loopback socket buffer: hiredis writes part, waits for EPOLLOUT, resumes.
    @Test func aCommandLargerThanTheSocketBufferIsWrittenInPieces() throws {
        let harness = try ClientHarness.connectedToSharedRedis()
        defer { harness.shutdown() }
        let key = SharedRedis.scratchSchema().entry(SharedRedis.randomDigest())
        var value = [UInt8](repeating: 0, count: 16 << 20)
        for i in stride(from: 0, to: value.count, by: 4096) { value[i] = UInt8(truncatingIfNeeded: i >> 12) }
        let replies = try harness.sendAll([
            ["SET", .key(key), .bytes(value), "EX", .integer(60)], ["PING"], ["GET", .key(key)], ["DEL", .key(key)],
        ])
        #expect(try replies[0].get() == .simpleString("OK"))
        #expect(try replies[1].get() == .simpleString("PONG"))
        #expect(try replies[2].get() == .bulk(value))
        #expect(try replies[3].get() == .integer(1))
    }

    @Test func commandsSentInOneTickAreAnsweredInOrder() throws {
        let harness = try ClientHarness.connectedToSharedRedis()
        defer { harness.shutdown() }
        let schema = SharedRedis.scratchSchema()
        let n = 1000
        let keys = (0..<n).map { _ in schema.entry(SharedRedis.randomDigest()) }
        let counter = schema.inFlight(SharedRedis.randomDigest())
        var commands: [[RedisArgument]] = []
        for i in 0..<n { commands.append(["SET", .key(keys[i]), .string("value-\(i)")]) }
        for i in 0..<n {
            commands.append(["GET", .key(keys[i])])
            commands.append(["INCR", .key(counter)])
        }
        let replies = try harness.sendAll(commands)
        for i in 0..<n {
            #expect(try replies[i].get() == .simpleString("OK"))
            #expect(try replies[n + 2 * i].get() == .bulk(Array("value-\(i)".utf8)))
            #expect(try replies[n + 2 * i + 1].get() == .integer(Int64(i + 1)))
        }
        var cleanup: [RedisArgument] = ["DEL", .key(counter)]
        cleanup += keys.map { .key($0) }  // > nesting limit: the packed argv path
        #expect(try harness.send(cleanup).get() == .integer(Int64(n + 1)))
    }

    @Test func pipelineCompletesOnceWithEveryResultInOrder() throws {
        let harness = try ClientHarness.connectedToSharedRedis()
        defer { harness.shutdown() }
        let key = SharedRedis.scratchSchema().entry(SharedRedis.randomDigest())
        let values: [RedisArgument] = (0..<100).map { .bytes([UInt8($0), 0]) }
        let replies = try harness.pipeline([
            ["RPUSH", .key(key)] + values,
            ["LRANGE", .key(key), "0", "-1"],
            ["INCR", .key(key)],
            ["DEL", .key(key)],
        ])
        #expect(try replies[0].get() == .integer(100))
        #expect(try replies[1].get() == .array((0..<100).map { .bulk([UInt8($0), 0]) }))
        guard case .failure(let error) = replies[2], case .serverError(let message) = error.kind else {
            Issue.record("INCR on a list should fail with WRONGTYPE, got \(replies[2])")
            return
        }
        #expect(message.hasPrefix("WRONGTYPE"))
        #expect(try replies[3].get() == .integer(1))
        #expect(try harness.pipeline([]).isEmpty)
    }

    @Test func serverErrorsAndRefusedCommandsLeaveTheConnectionUsable() throws {
        let harness = try ClientHarness.connectedToSharedRedis()
        defer { harness.shutdown() }
        let replies = try harness.sendAll([
            ["NOSUCHCOMMAND", "x"],
            ["SUBSCRIBE", "channel"],
            [],
            ["PING"],
        ])
        if case .failure(let e) = replies[0], case .serverError(let m) = e.kind {
            #expect(m.hasPrefix("ERR"))
        } else {
            Issue.record("unknown command should be a server error, got \(replies[0])")
        }
        #expect(replies[1] == .failure(RedisError(.invalidCommand, detail: "command breaks request/reply pairing")))
        #expect(replies[2] == .failure(RedisError(.invalidCommand, detail: "empty command")))
        #expect(try replies[3].get() == .simpleString("PONG"))
    }

    @Test func commandsFailAtOnceBeforeStartAndAfterClose() throws {
        let harness = try ClientHarness(try SharedRedis.configuration(), start: false)
        defer { harness.shutdown() }
        #expect(try harness.send(["PING"]) == .failure(.notConnected))
        #expect(try harness.onLoop { $0.connectionState } == nil)
        try harness.start()
        try harness.waitConnected()
        try harness.onLoop { $0.close() }
        #expect(try harness.send(["PING"]) == .failure(.notConnected))
    }

    @Test func closeFailsInFlightCommandsOnceAndReportsNothing() throws {
        var configuration = try SharedRedis.configuration()
        configuration.maxPendingCommands = 2
        let harness = try ClientHarness(configuration)
        defer { harness.shutdown() }
        try harness.waitConnected()
        let key = SharedRedis.scratchSchema().inFlight(SharedRedis.randomDigest())
        let results = Recorder<(Int, Result<RedisValue, RedisError>)>()
        try harness.onLoop { client in
            client.send(["BLPOP", .key(key), "30"]) { results.append((0, $0)) }
            client.send(["PING"]) { results.append((1, $0)) }
            client.send(["PING"]) { results.append((2, $0)) }  // over maxPendingCommands
        }
        #expect(results.wait { $0.contains { $0.0 == 2 } })
        #expect(results.values.first { $0.0 == 2 }?.1 == .failure(.tooManyPending))
        #expect(try harness.onLoop { $0.inFlightCount } == 2)
        try harness.onLoop { $0.close() }
        #expect(results.wait { $0.count >= 3 })
        let ordered = try ClientHarness.ordered(results.values, count: 3)
        #expect(ordered[0].failureKind == .connectionLost)
        #expect(ordered[1].failureKind == .connectionLost)
        // A round trip through the loop: any duplicate completion would have been queued by now.
        #expect(try harness.send(["PING"]) == .failure(.notConnected))
        #expect(results.values.count == 3)
        #expect(harness.states.values == [.connected])
    }
}

extension Result where Failure == RedisError {
    var failureKind: RedisError.Kind? {
        if case .failure(let e) = self { return e.kind }
        return nil
    }
}
