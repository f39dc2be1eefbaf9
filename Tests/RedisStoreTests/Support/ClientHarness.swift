import EventLoop
import Foundation
import Logging
import RedisStore

/// A `RedisClient` on its own event loop thread (a group of one), driven synchronously from a
/// test: every call hops onto the loop and waits, with a generous bound, for the outcome.
///
/// Threading: `client` is only touched on the loop thread (inside `onLoop`); the recorders are
/// thread-safe. Call `shutdown()` at the end of the test.
final class ClientHarness: @unchecked Sendable {
    typealias Reply = Result<RedisValue, RedisError>

    let group: EventLoopGroup
    var loop: EventLoop { group.loops[0] }
    let states = Recorder<RedisConnectionState>()
    private var client: RedisClient?

    static let logger = Logger(sink: LogSink(fd: 2, background: false), level: .error)

    init(_ configuration: RedisConnectionConfiguration, start: Bool = true) throws {
        group = try EventLoopGroup(loopCount: 1)
        group.start()
        let states = self.states
        let made: Result<Void, any Error> = try onLoopRaw {
            do {
                let client = try RedisClient(
                    loop: self.loop, configuration: configuration, logger: Self.logger,
                    onStateChange: { states.append($0) })
                self.client = client
                if start { client.start() }
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try made.get()
    }

    /// Runs `body` with the client on the loop thread and returns its result.
    func onLoop<T>(_ body: @escaping (RedisClient) -> T) throws -> T {
        try onLoopRaw { body(self.client!) }
    }

    private func onLoopRaw<T>(_ body: @escaping () -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        let task = Handover(value: body)
        let box = Recorder<Handover<T>>()
        loop.execute {
            box.append(Handover(value: task.value()))
            done.signal()
        }
        guard done.wait(timeout: .now() + 20) == .success, let out = box.values.first else {
            throw TestSetupError("the event loop did not run the task within 20 s")
        }
        return out.value
    }

    func start() throws {
        try onLoop { $0.start() }
    }

    /// Waits for the last reported state to satisfy `predicate`.
    func waitForState(timeout: Double = 20, _ predicate: @escaping (RedisConnectionState) -> Bool) -> Bool {
        states.wait(timeout: timeout) { $0.last.map(predicate) ?? false }
    }

    /// Waits until the client reports `disconnected` with an error of `kind`.
    func waitDisconnected(_ kind: RedisError.Kind, timeout: Double = 20) -> Bool {
        waitForState(timeout: timeout) {
            if case .disconnected(let e) = $0 { return e.kind == kind }
            return false
        }
    }

    /// A started client on the shared server (`REPRISE_TEST_REDIS_URL`), already connected.
    static func connectedToSharedRedis() throws -> ClientHarness {
        let harness = try ClientHarness(try SharedRedis.configuration())
        do {
            try harness.waitConnected()
        } catch {
            harness.shutdown()
            throw error
        }
        return harness
    }

    func waitConnected(timeout: Double = 20) throws {
        guard waitForState(timeout: timeout, { $0.isConnected }) else {
            throw TestSetupError("client did not connect within \(timeout) s; states: \(states.values)")
        }
    }

    /// Sends one command and waits for its completion.
    func send(_ command: [RedisArgument]) throws -> Reply {
        try sendAll([command])[0]
    }

    /// Sends every command in one loop tick (one completion each) and returns the results in
    /// command order. Fails the test if a completion runs twice or not at all.
    func sendAll(_ commands: [[RedisArgument]], timeout: Double = 20) throws -> [Reply] {
        let recorder = Recorder<(Int, Reply)>()
        try onLoop { client in
            for (i, command) in commands.enumerated() {
                client.send(command) { recorder.append((i, $0)) }
            }
        }
        guard recorder.wait(timeout: timeout, until: { $0.count >= commands.count }) else {
            throw TestSetupError("only \(recorder.values.count) of \(commands.count) completions arrived")
        }
        return try Self.ordered(recorder.values, count: commands.count)
    }

    /// Runs `body` on the loop (it starts one operation and passes its completion on) and waits
    /// for the single result.
    func perform(_ body: @escaping (RedisClient, @escaping (Reply) -> Void) -> Void) throws -> Reply {
        let recorder = Recorder<Reply>()
        try onLoop { body($0) { recorder.append($0) } }
        guard recorder.wait(until: { !$0.isEmpty }) else { throw TestSetupError("operation never completed") }
        return recorder.values[0]
    }

    /// Sends `commands` with `pipeline` and waits for its single completion.
    func pipeline(_ commands: [[RedisArgument]]) throws -> [Reply] {
        let recorder = Recorder<[Reply]>()
        try onLoop { $0.pipeline(commands) { recorder.append($0) } }
        guard recorder.wait(until: { !$0.isEmpty }) else { throw TestSetupError("pipeline never completed") }
        return recorder.values[0]
    }

    static func ordered(_ values: [(Int, Reply)], count: Int) throws -> [Reply] {
        var out = [Reply?](repeating: nil, count: count)
        for (i, reply) in values {
            guard out[i] == nil else { throw TestSetupError("completion \(i) ran twice") }
            out[i] = reply
        }
        return out.map { $0! }
    }

    /// Closes the client on its loop, then stops the loop thread.
    func shutdown() {
        _ = try? onLoopRaw {
            self.client?.close()
            self.client = nil
        }
        group.stopAndJoin()
    }
}
