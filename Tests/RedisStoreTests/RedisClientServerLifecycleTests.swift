import EventLoop
import RedisKeyspace
import Testing

@testable import RedisStore

/// Tests that own their redis-server (password, debug sleep, killed and restarted).
@Suite struct RedisClientServerLifecycleTests {
    static func configuration(port: Int) -> RedisConnectionConfiguration {
        RedisConnectionConfiguration(
            host: "127.0.0.1", port: port, connectTimeout: .seconds(5), commandTimeout: .seconds(30),
            unresponsiveTimeout: .seconds(60), reconnectBackoffMin: .milliseconds(20),
            reconnectBackoffMax: .milliseconds(200))
    }

    @Test func authAndSelectRunBeforeAnyCommand() throws {
        let server = try RedisServerProcess(["--requirepass", "test-secret"])
        defer { server.stop() }
        var configuration = Self.configuration(port: server.port)
        configuration.password = "test-secret"
        configuration.database = 5
        let harness = try ClientHarness(configuration)
        defer { harness.shutdown() }
        try harness.waitConnected()
        let info = try harness.send(["CLIENT", "INFO"]).get().string ?? ""
        #expect(info.contains(" db=5 "), "CLIENT INFO: \(info)")
        #expect(try harness.send(["SET", "auth-test", "five"]).get() == .simpleString("OK"))

        configuration.database = 0
        configuration.username = "default"  // the ACL form: AUTH default <password>
        let other = try ClientHarness(configuration)
        defer { other.shutdown() }
        try other.waitConnected()
        #expect(try other.send(["GET", "auth-test"]).get() == .null)
        #expect(try other.send(["SELECT", "5"]).get() == .simpleString("OK"))
        #expect(try other.send(["GET", "auth-test"]).get() == .bulk(Array("five".utf8)))
    }

    @Test func aWrongPasswordKeepsTheClientDisconnected() throws {
        let server = try RedisServerProcess(["--requirepass", "test-secret"])
        defer { server.stop() }
        var configuration = Self.configuration(port: server.port)
        configuration.password = "not-the-password"
        let harness = try ClientHarness(configuration)
        defer { harness.shutdown() }
        let rejected = harness.waitForState {
            if case .disconnected(let e) = $0, case .serverError(let m) = e.kind { return m.hasPrefix("WRONGPASS") }
            return false
        }
        #expect(rejected, "states: \(harness.states.values)")
        #expect(try harness.send(["PING"]) == .failure(.notConnected))
        #expect(!harness.states.values.contains(.connected))
    }

    @Test func aTimedOutCommandFailsFastAndTheNextGetsItsOwnReply() throws {
        let server = try RedisServerProcess(["--enable-debug-command", "yes"])
        defer { server.stop() }
        let observer = try ClientHarness(Self.configuration(port: server.port))
        defer { observer.shutdown() }
        try observer.waitConnected()
        #expect(try observer.send(["SET", "k", "its-own-reply"]).get() == .simpleString("OK"))

        var configuration = Self.configuration(port: server.port)
        configuration.commandTimeout = .milliseconds(50)
        configuration.unresponsiveTimeout = .seconds(30)
        let harness = try ClientHarness(configuration)
        defer { harness.shutdown() }
        try harness.waitConnected()

        let sleepResults = Recorder<Result<RedisValue, RedisError>>()
        try harness.onLoop { $0.send(["DEBUG", "SLEEP", "0.2"]) { sleepResults.append($0) } }
        #expect(sleepResults.wait { !$0.isEmpty })
        #expect(sleepResults.values.first?.failureKind == .timeout)

        // Once the server answers someone else, it has finished sleeping.
        #expect(try observer.send(["PING"]).get() == .simpleString("PONG"))
        // The late `+OK` precedes this GET's reply on the same connection and must be dropped.
        // (A GET that itself times out on a loaded machine is retried; none may see `OK`.)
        var getTimeouts = 0
        var value: RedisValue?
        while value == nil && getTimeouts < 20 {
            switch try harness.send(["GET", "k"]) {
            case .success(let v): value = v
            case .failure(let e):
                #expect(e.kind == .timeout)
                getTimeouts += 1
            }
        }
        #expect(value == .bulk(Array("its-own-reply".utf8)))
        #expect(try harness.onLoop { $0.lateReplyCount } == 1 + getTimeouts)
        #expect(sleepResults.values.count == 1)
        #expect(harness.states.values == [.connected])
    }

    @Test func aSilentServerIsReplacedAndTheClientRecovers() throws {
        let server = try RedisServerProcess(["--enable-debug-command", "yes"])
        defer { server.stop() }
        var configuration = Self.configuration(port: server.port)
        configuration.commandTimeout = .milliseconds(50)
        configuration.unresponsiveTimeout = .milliseconds(300)
        let harness = try ClientHarness(configuration)
        defer { harness.shutdown() }
        try harness.waitConnected()
        #expect(try harness.send(["DEBUG", "SLEEP", "1"]).failureKind == .timeout)
        let dropped = harness.waitDisconnected(.connectionLost)
        #expect(dropped, "states: \(harness.states.values)")
        try harness.waitConnected()
        #expect(harness.states.values.count == 3)
    }

    @Test func reconnectsAfterTheServerIsKilledAndRestarted() throws {
        let server = try RedisServerProcess()
        defer { server.stop() }
        let harness = try ClientHarness(Self.configuration(port: server.port))
        defer { harness.shutdown() }
        try harness.waitConnected()

        let inFlight = Recorder<(Int, Result<RedisValue, RedisError>)>()
        try harness.onLoop { client in
            for i in 0..<3 {
                client.send(["BLPOP", .string("never-pushed-\(i)"), "30"]) { inFlight.append((i, $0)) }
            }
        }
        #expect(try harness.onLoop { $0.inFlightCount } == 3)
        server.kill()

        #expect(inFlight.wait { $0.count >= 3 })
        for reply in try ClientHarness.ordered(inFlight.values, count: 3) {
            #expect(reply.failureKind == .connectionLost)
        }
        let disconnected = harness.waitDisconnected(.connectionLost)
        #expect(disconnected, "states: \(harness.states.values)")
        #expect(try harness.send(["PING"]) == .failure(.notConnected))

        try server.start()
        try harness.waitConnected()
        #expect(try harness.send(["SET", "back", "again"]).get() == .simpleString("OK"))
        #expect(try harness.send(["GET", "back"]).get() == .bulk(Array("again".utf8)))
        #expect(inFlight.values.count == 3)
        let connectivity = harness.states.values.map(\.isConnected)
        #expect(connectivity == [true, false, true], "states: \(harness.states.values)")
    }

    @Test func startsDisconnectedAndConnectsWhenTheServerAppears() throws {
        let server = try RedisServerProcess()
        defer { server.stop() }
        server.kill()  // keep the port, with nothing listening on it
        let harness = try ClientHarness(Self.configuration(port: server.port))
        defer { harness.shutdown() }
        let refused = harness.waitDisconnected(.connectFailed)
        #expect(refused, "states: \(harness.states.values)")
        #expect(try harness.send(["PING"]) == .failure(.notConnected))
        try server.start()
        try harness.waitConnected()
        #expect(try harness.send(["PING"]).get() == .simpleString("PONG"))
        #expect(harness.states.values.map(\.isConnected) == [false, true])
    }
}
