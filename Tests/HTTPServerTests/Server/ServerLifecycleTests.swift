import EventLoop
@preconcurrency import Glibc
import HTTPServer
import HTTPTypes
import Logging
import TestSupport
import Testing

@Suite("HTTPServer life cycle")
struct ServerLifecycleTests {
    @Test func connectionsOverTheLimitGet503() throws {
        let server = try TestServer(configuration: serverConfig { $0.maxConnections = 1 }, handler: ok)
        defer { server.shutdown() }
        let first = try server.client()
        try first.send("GET / HTTP/1.1\r\n\r\n")
        #expect(try first.readResponse().status == 200)
        let second = try server.client()
        let r = try second.readResponse()
        expectProblem(r, 503, "Too many connections")
        #expect(r.header("retry-after") == "1")
        try second.expectClose()
        #expect(server.server.connectionCount == 1)
        try first.send("GET / HTTP/1.1\r\n\r\n")
        #expect(try first.readResponse().status == 200)
    }

    @Test func drainClosesIdleConnectionsAndWaitsForActiveOnes() throws {
        let held = TestSignal()
        let box = LoopBound<(any HTTPExchange)?>(nil)
        let server = try TestServer { ex in
            if ex.head.target == "/hold" {
                box.value = ex
                held.signal()
            } else {
                ok(ex)
            }
        }
        defer { server.shutdown() }
        let idle = try server.client()
        try idle.send("GET /quick HTTP/1.1\r\n\r\n")
        #expect(try idle.readResponse().status == 200)
        let active = try server.client()
        try active.send("GET /hold HTTP/1.1\r\n\r\n")
        #expect(held.wait())

        let drained = TestSignal()
        server.server.drain(timeout: .seconds(30)) { drained.signal() }
        try idle.expectClose()
        #expect(throws: RawHTTPClient.Failure.self) { try server.client() }  // no longer accepting
        #expect(!drained.wait(timeout: .zero))  // the held exchange is still open

        server.group.loops[0].execute { box.value?.respond(status: 200, body: Array("late".utf8)) }
        let r = try active.readResponse()
        #expect(r.bodyString == "late")
        #expect(r.header("connection") == "close")
        try active.expectClose()
        #expect(drained.wait())
        #expect(server.server.connectionCount == 0)
    }

    @Test func drainAnswersARequestAlreadyWaitingOnAnIdleConnection() throws {
        let server = try TestServer(handler: ok)
        defer { server.shutdown() }
        let c = try server.client()
        try c.send("GET /first HTTP/1.1\r\n\r\n")
        #expect(try c.readResponse().status == 200)
        // Hold the loop, so that the drain finds the connection idle in the server's eyes while
        // the client's next request (sent after the drain was asked for) sits unread in the
        // socket: the race between a keep-alive client and a shutdown.
        let release = try Self.holdLoop(of: server)
        let drained = TestSignal()
        server.server.drain(timeout: .seconds(30)) { drained.signal() }
        try c.send("GET /second HTTP/1.1\r\n\r\n")
        release.signal()
        let r = try c.readResponse()
        #expect(r.status == 200)
        #expect(r.header("connection") == "close")
        try c.expectClose()
        #expect(drained.wait())
    }

    @Test func drainServesConnectionsWaitingInTheListenQueue() throws {
        let server = try TestServer(handler: ok)
        defer { server.shutdown() }
        // Hold the loop, so that new connections complete in the kernel and wait in the listen
        // queue, unaccepted, when the drain begins: the race between a client's connect and a
        // SIGTERM. The drain's task runs before the loop next looks at the listener.
        let release = try Self.holdLoop(of: server)
        let queued = try (0..<3).map { i -> RawHTTPClient in
            let c = try server.client()
            try c.send("GET /queued\(i) HTTP/1.1\r\n\r\n")
            return c
        }
        let drained = TestSignal()
        server.server.drain(timeout: .seconds(30)) { drained.signal() }
        release.signal()
        for c in queued {
            let r = try c.readResponse()
            #expect(r.status == 200)
            #expect(r.header("connection") == "close")
            try c.expectClose()
        }
        #expect(drained.wait())
        #expect(throws: RawHTTPClient.Failure.self) { try server.client() }  // and then no longer accepting
    }

    @Test func stopAcceptingKeepsOpenConnectionsServing() throws {
        let server = try TestServer(handler: ok)
        defer { server.shutdown() }
        let open = try server.client()
        try open.send("GET / HTTP/1.1\r\n\r\n")
        #expect(try open.readResponse().status == 200)
        server.server.stopAccepting()
        let processed = TestSignal()
        server.group.loops[0].execute { processed.signal() }  // runs after the listener closed
        #expect(processed.wait())
        #expect(throws: RawHTTPClient.Failure.self) { try server.client() }
        try open.send("GET / HTTP/1.1\r\n\r\n")
        #expect(try open.readResponse().status == 200)
    }

    @Test func drainTimeoutClosesWhatRemains() throws {
        let closed = TestSignal()
        let held = TestSignal()
        let server = try TestServer { ex in
            ex.delegate = RecordingDelegate(onClose: { _ in closed.signal() })
            held.signal()
        }
        defer { server.shutdown() }
        let c = try server.client()
        try c.send("GET /never HTTP/1.1\r\n\r\n")
        #expect(held.wait())
        let drained = TestSignal()
        server.server.drain(timeout: .milliseconds(200)) { drained.signal() }
        #expect(drained.wait())
        #expect(closed.wait())
        try c.expectClose()
    }

    @Test func startBeforeTheGroupRunsAndSeveralLoopsShareThePort() throws {
        let group = try EventLoopGroup(loopCount: 2)
        let made = Locked(0)
        let server = HTTPServer(
            group: group, configuration: HTTPServerConfiguration(),
            logger: Logger(sink: LogSink(fd: 2, background: false), level: .warn)
        ) { loop in
            made.withLock { $0 += 1 }
            return ClosureResponder { ex in ex.respond(status: 200, body: Array(String(ex.loop.index).utf8)) }
        }
        let port = try server.start(SocketAddressSpec(host: "127.0.0.1", port: 0))
        group.start()
        defer {
            let done = TestSignal()
            server.drain(timeout: .seconds(1)) { done.signal() }
            _ = done.wait()
            group.stopAndJoin()
        }
        var clients: [RawHTTPClient] = []
        for _ in 0..<16 {
            let c = try RawHTTPClient(port: port)
            try c.send("GET / HTTP/1.1\r\n\r\n")
            #expect(try c.readResponse().status == 200)
            clients.append(c)
        }
        #expect(made.value == 2)
        #expect(server.connectionCount == 16)
    }

    /// Blocks the server's loop until the returned signal fires (so that the test can line up
    /// what the kernel holds before the loop looks again).
    static func holdLoop(of server: TestServer) throws -> TestSignal {
        let holding = TestSignal()
        let release = TestSignal()
        server.group.loops[0].execute {
            holding.signal()
            _ = release.wait()
        }
        try #require(holding.wait())
        return release
    }
}
