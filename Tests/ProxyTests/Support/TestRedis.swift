import EventLoop
import Logging
import RedisKeyspace
import RedisStore
import TestSupport

/// A `RedisClient` on its own one-loop group, driven synchronously by a test to look at what
/// Reprise wrote (entries, their TTLs) and to delete a test's keys afterwards.
///
/// Threading: the client is created and used only on its loop; commands hop there and the
/// caller's task suspends until the reply. `init` and `close` block (call them off the pool).
final class TestRedis: @unchecked Sendable {
    private let group: EventLoopGroup
    /// Set once on the loop before `init` returns; only touched on the loop.
    private var client: RedisClient?

    init(configuration: RedisConnectionConfiguration) throws {
        group = try EventLoopGroup(loopCount: 1)
        group.start()
        let connected = TestSignal()
        let made = Locked<String?>(nil)
        let loop = group.loops[0]
        loop.execute { [self] in
            do {
                let logger = Logger(sink: LogSink(fd: 2, background: false), level: .error)
                let c = try RedisClient(loop: loop, configuration: configuration, logger: logger) { state in
                    if state.isConnected { connected.signal() }
                }
                client = c
                c.start()
            } catch {
                made.withLock { $0 = "\(error)" }
                connected.signal()
            }
        }
        guard connected.wait(timeout: .seconds(20)) else {
            group.stopAndJoin()
            throw HarnessError("the test's Redis client did not connect within 20 s (\(configuration))")
        }
        if let problem = made.value {
            group.stopAndJoin()
            throw HarnessError("the test's Redis client could not be made: \(problem)")
        }
    }

    /// Sends one command and suspends until its reply (the client's command timeout bounds it).
    func command(_ args: [RedisArgument]) async throws -> RedisValue {
        try await withCheckedThrowingContinuation { continuation in
            group.loops[0].execute { [self] in
                client!.send(args) { continuation.resume(with: $0.mapError { $0 }) }
            }
        }
    }

    func exists(_ key: RedisKey) async throws -> Bool { try await command(["EXISTS", .key(key)]).integer == 1 }

    func get(_ key: RedisKey) async throws -> [UInt8]? { try await command(["GET", .key(key)]).bytes }

    /// Remaining lifetime in milliseconds (-2: no such key, -1: no expiry).
    func pttl(_ key: RedisKey) async throws -> Int64 { try await command(["PTTL", .key(key)]).integer ?? -3 }

    /// Deletes every key starting with `prefix` (a test's own keyspace).
    func deleteAll(prefix: String) async throws {
        var cursor = "0"
        repeat {
            let reply = try await command(["SCAN", .string(cursor), "MATCH", .string(prefix + "*"), "COUNT", "1000"])
            guard let parts = reply.array, parts.count == 2, let next = parts[0].string, let keys = parts[1].array
            else { throw HarnessError("unexpected SCAN reply \(reply)") }
            let names = keys.compactMap(\.bytes)
            if !names.isEmpty { _ = try await command(["DEL"] + names.map { .bytes($0) }) }
            cursor = next
        } while cursor != "0"
    }

    func close() {
        let done = TestSignal()
        group.loops[0].execute { [self] in
            client?.close()
            client = nil
            done.signal()
        }
        _ = done.wait(timeout: .seconds(10))
        group.stopAndJoin()
    }
}

/// A test's setup failed (a helper could not do its job); the message says what to fix.
struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ message: String) { description = message }
}
