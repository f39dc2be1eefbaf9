@preconcurrency import Glibc
import EventLoop
import Foundation
import HTTPTypes
import Testing

@testable import Upstream

/// How transfers fail: each way ends in exactly one `didFinishWith` with the right kind.
@Suite struct UpstreamFailureTests {
    @Test(arguments: Engine.allCases) func refusedConnectionIsAConnectError(engine: Engine) throws {
        // A bound socket that does not listen: the port stays ours and connects are refused.
        let (fd, port) = try TestSockets.bind(listening: false)
        defer { close(fd) }
        let harness = try LoopHarness(engine: engine, origin: "http://127.0.0.1:\(port)")
        defer { harness.close() }
        let d = harness.perform(UpstreamRequest(method: .get, url: "http://127.0.0.1:\(port)/"))
        #expect(d.error?.kind == .connect)
        #expect(d.events == ["finish"])
    }

    @Test(arguments: Engine.allCases) func stalledUpstreamHitsTheIdleTimeout(engine: Engine) throws {
        let release = Signal()
        let server = try ScriptedHTTPServer { _, c in
            c.writeHead(status: 200, [("Content-Length", "100")])
            c.write("partial")
            _ = release.wait(seconds: 20)
            return .close
        }
        defer { release.fire() }
        var configuration = UpstreamClientConfiguration()
        configuration.idleTimeout = .milliseconds(300)
        let harness = try LoopHarness(configuration: configuration, engine: engine, origin: server.baseURL)
        defer { harness.close() }
        let d = harness.perform(UpstreamRequest(method: .get, url: server.baseURL + "/"))
        #expect(d.error?.kind == .timeout)
        #expect(d.events == ["head", "body", "finish"])
        #expect(d.bodyText == "partial")
    }

    @Test(arguments: Engine.allCases) func transferPausedByItsDelegateDoesNotIdleOut(engine: Engine) throws {
        let server = try ScriptedHTTPServer { _, c in
            c.writeHead(status: 200, [("Content-Length", "10")])
            c.write("0123456789")
            return .keepOpen
        }
        var configuration = UpstreamClientConfiguration()
        configuration.idleTimeout = .milliseconds(200)
        let harness = try LoopHarness(configuration: configuration, engine: engine, origin: server.baseURL)
        defer { harness.close() }
        let d = RecordingDelegate()
        // A slow client: hold the body for several idle periods before taking it.
        d.refuseFirstBody(resumingAfter: .milliseconds(900), on: harness.loop)
        harness.perform(UpstreamRequest(method: .get, url: server.baseURL + "/"), delegate: d)
        #expect(d.error == nil)
        #expect(d.bodyText == "0123456789")
    }

    @Test(arguments: Engine.allCases, [false, true])
    func upstreamClosingMidBodyIsAnError(engine: Engine, chunked: Bool) throws {
        let server = try ScriptedHTTPServer { _, c in
            if chunked {
                c.writeHead(status: 200, [("Transfer-Encoding", "chunked")])
                c.writeChunk(Array("0123456789".utf8))
            } else {
                c.writeHead(status: 200, [("Content-Length", "100")])
                c.write("0123456789")
            }
            return .close
        }
        let harness = try LoopHarness(engine: engine, origin: server.baseURL)
        defer { harness.close() }
        let d = harness.perform(UpstreamRequest(method: .get, url: server.baseURL + "/"))
        #expect(d.error?.kind == .protocolError)
        #expect(d.bodyText == "0123456789")
        #expect(d.finishCount == 1)
    }

    @Test(arguments: Engine.allCases) func closeWithoutAnyResponseIsAClosedError(engine: Engine) throws {
        // The connection was made: `connect` would send an operator looking for a network problem.
        let server = try ScriptedHTTPServer { _, _ in .close }
        let harness = try LoopHarness(engine: engine, origin: server.baseURL)
        defer { harness.close() }
        let d = harness.perform(UpstreamRequest(method: .get, url: server.baseURL + "/"))
        #expect(d.error?.kind == .closed)
    }

    @Test(arguments: Engine.allCases) func cancelMidTransferClosesTheConnection(engine: Engine) throws {
        let peerClosed = Signal()
        let server = try ScriptedHTTPServer { _, c in
            c.writeHead(status: 200, [("Content-Length", "1000000")])
            c.write("first bytes")
            if c.waitForPeerClose(timeout: .seconds(15)) { peerClosed.fire() }
            return .close
        }
        let harness = try LoopHarness(engine: engine, origin: server.baseURL)
        defer { harness.close() }
        let d = RecordingDelegate()
        var cancelled = false
        d.onBody = { transfer, _ in
            if !cancelled {
                cancelled = true
                transfer.cancel()
                transfer.cancel()  // idempotent
            }
            return true
        }
        harness.perform(UpstreamRequest(method: .get, url: server.baseURL + "/"), delegate: d)
        #expect(d.error?.kind == .canceled)
        #expect(d.finishCount == 1)
        #expect(peerClosed.wait(seconds: 15), "server did not see the connection close")
        #expect(harness.onLoop { harness.client.activeTransfers } == 0)
    }

    @Test(arguments: Engine.allCases) func cancelInsideTheHeadCallbackStopsAllFurtherCallbacks(engine: Engine) throws {
        let server = try ScriptedHTTPServer { _, c in
            c.writeHead(status: 200, [("Content-Length", "5")])
            c.write("hello")
            return .keepOpen
        }
        let harness = try LoopHarness(engine: engine, origin: server.baseURL)
        defer { harness.close() }
        let d = RecordingDelegate()
        d.onHead = { transfer, _ in transfer.cancel() }
        harness.perform(UpstreamRequest(method: .get, url: server.baseURL + "/"), delegate: d)
        #expect(d.events == ["head", "finish"])
        #expect(d.error?.kind == .canceled)
        #expect(d.bodyCalls == 0)
    }

    @Test(arguments: Engine.allCases) func shutdownCancelsTransfersAndLaterStarts(engine: Engine) throws {
        let release = Signal()
        let server = try ScriptedHTTPServer(script: ScriptedHTTPServer.headThenStall(until: release))
        defer { release.fire() }
        let harness = try LoopHarness(engine: engine, origin: server.baseURL)
        let d = RecordingDelegate()
        #expect(harness.startAndWaitForHead(UpstreamRequest(method: .get, url: server.baseURL + "/"), delegate: d))
        let late = RecordingDelegate()
        harness.onLoop {
            harness.client.shutdown()
            _ = harness.client.start(UpstreamRequest(method: .get, url: server.baseURL + "/"), delegate: late)
        }
        #expect(d.finished.wait(seconds: 15))
        #expect(late.finished.wait(seconds: 15))
        #expect(d.error?.kind == .canceled)
        #expect(late.error?.kind == .canceled)
        #expect(harness.onLoop { harness.client.activeTransfers } == 0)
        harness.close()
    }

    @Test(arguments: Engine.allCases) func requestIsResentWhenAReusedConnectionDiesBeforeAnswering(engine: Engine) throws {
        // Connection 1 answers the first request, then reads the second and hangs up without a
        // word: curl resends it (rewinding the streamed body) on a new connection. The native
        // engine never resends a request upstream may have read (a create is paid for): `.closed`.
        let server = try ScriptedHTTPServer { r, c in
            if r.connection == 1 && r.indexOnConnection == 2 { return .close }
            c.writeHead(status: 200, [("Content-Length", "\(r.body.count)")])
            c.write(r.body)
            return .keepOpen
        }
        let harness = try LoopHarness(engine: engine, origin: server.baseURL)
        defer { harness.close() }
        let warmup = harness.perform(UpstreamRequest(method: .get, url: server.baseURL + "/warm"))
        #expect(warmup.error == nil)
        let body = Array("streamed body that must be sent twice".utf8)
        let d = harness.perform(
            UpstreamRequest(method: .post, url: server.baseURL + "/create", body: .streamed(length: body.count))
        ) { t in
            t.appendBody(Array(body[..<10]))
            harness.loop.schedule(after: .milliseconds(5)) { t.appendBody(Array(body[10...])) }
        }
        if engine == .native {
            #expect(d.error?.kind == .closed)
            #expect(server.requests.filter { $0.target == "/create" }.map(\.body) == [body])
            return
        }
        #expect(d.error == nil)
        #expect(d.body == body)
        #expect(server.acceptCount == 2)
        #expect(server.requests.filter { $0.target == "/create" }.map(\.body) == [body, body])
    }

    @Test(arguments: Engine.allCases, [false, true])
    func aReadIsResentWhenAReusedConnectionDiesBeforeAnswering(engine: Engine, withBody: Bool) throws {
        // The race of reusing a connection upstream is closing as idle: it reads the request
        // and hangs up without a word. A GET changes nothing upstream, so both engines send it
        // again on a new connection — with its body again, when it has one (pass-through sends
        // what the client sent) — and the caller never sees the race.
        let server = try ScriptedHTTPServer { r, c in
            if r.connection == 1 && r.indexOnConnection == 2 { return .close }
            let answer = Array(r.target.utf8) + r.body
            c.writeHead(status: 200, [("Content-Length", "\(answer.count)")])
            c.write(answer)
            return .keepOpen
        }
        let harness = try LoopHarness(engine: engine, origin: server.baseURL)
        defer { harness.close() }
        #expect(harness.perform(UpstreamRequest(method: .get, url: server.baseURL + "/warm")).error == nil)
        let body = withBody ? Array("ten bytes!".utf8) : []
        let read = harness.perform(
            UpstreamRequest(
                method: .get, url: server.baseURL + "/read", body: withBody ? .streamed(length: body.count) : .none)
        ) { if withBody { $0.appendBody(body) } }
        #expect(read.error == nil, "\(String(describing: read.error))")
        #expect(read.body == Array("/read".utf8) + body)
        #expect(server.acceptCount == 2)
        #expect(server.requests.filter { $0.target == "/read" }.map(\.body) == [body, body])
    }

    @Test(arguments: Engine.allCases) func bodyLongerOrShorterThanDeclaredFailsTheTransfer(engine: Engine) throws {
        let server = try ScriptedHTTPServer { r, c in
            c.writeHead(status: 200, [("Content-Length", "0")])
            return .keepOpen
        }
        let harness = try LoopHarness(engine: engine, origin: server.baseURL)
        defer { harness.close() }
        let long = harness.perform(
            UpstreamRequest(method: .post, url: server.baseURL + "/", body: .streamed(length: 4))
        ) { $0.appendBody([1, 2, 3, 4, 5]) }
        let short = harness.perform(
            UpstreamRequest(method: .post, url: server.baseURL + "/", body: .streamed(length: 4))
        ) { t in
            t.appendBody([1, 2])
            t.endBody()
        }
        #expect(long.error?.kind == .other)
        #expect(short.error?.kind == .other)
        #expect(long.finishCount == 1 && short.finishCount == 1)
    }

    @Test(arguments: Engine.allCases) func headerThatWouldSplitTheRequestIsRefused(engine: Engine) throws {
        let harness = try LoopHarness(engine: engine, origin: "http://127.0.0.1:9")
        defer { harness.close() }
        let d = harness.perform(
            UpstreamRequest(method: .get, url: "http://127.0.0.1:9/", headers: ["X-Evil": "a\r\nHost: other"]))
        #expect(d.error?.kind == .other)
        #expect(d.events == ["finish"])
    }
}

/// Tearing the client down while work is in flight.
@Suite struct UpstreamTeardownTests {
    @Test(arguments: Engine.allCases) func droppingTheClientWithoutShutdownLetsGoOfEverything(engine: Engine) throws {
        let peerClosed = Signal()
        let server = try ScriptedHTTPServer { r, c in
            if r.target == "/pooled" {
                c.writeHead(status: 200, [("Content-Length", "0")])
                return .keepOpen
            }
            c.writeHead(status: 200, [("Content-Length", "100")])
            if c.waitForPeerClose(timeout: .seconds(15)) { peerClosed.fire() }
            return .close
        }
        let harness = try LoopHarness(engine: engine, origin: server.baseURL)
        // One transfer in flight and one idle pooled connection when the client goes away.
        let d = RecordingDelegate()
        #expect(harness.startAndWaitForHead(UpstreamRequest(method: .get, url: server.baseURL + "/slow"), delegate: d))
        let pooled = harness.perform(UpstreamRequest(method: .get, url: server.baseURL + "/pooled"))
        #expect(pooled.error == nil)
        harness.onLoop { harness.dropClient() }
        #expect(peerClosed.wait(seconds: 15), "in-flight connection not closed")
        #expect(server.waitForEndedConnections(2), "pooled connection not closed")
        #expect(server.acceptCount == 2)
        #expect(d.finishCount == 0)  // documented: a dropped client tells no delegate
        #expect(harness.onLoop { harness.loop.timerCount } == 0)
        harness.group.stopAndJoin()
    }

    /// A pooled connection stays registered with the loop while idle (a dormant watch). When
    /// upstream closes or resets it then, the loop lets go of the socket at once — a reset
    /// raises EPOLLHUP whatever the interest, and a watch kept would wake the loop forever — and
    /// the next request opens a new connection.
    @Test(arguments: Engine.allCases, [false, true])
    func aPooledConnectionClosedWhileIdleIsLetGo(engine: Engine, reset: Bool) throws {
        let hangUp = Signal()
        let server = try ScriptedHTTPServer { r, c in
            c.respond(Array("ok".utf8))
            guard r.target == "/first" else { return .keepOpen }
            _ = hangUp.wait(seconds: 15)
            if reset { c.reset() }
            return .close
        }
        let harness = try LoopHarness(engine: engine, origin: server.baseURL)
        #expect(harness.perform(UpstreamRequest(method: .get, url: server.baseURL + "/first")).error == nil)
        let pooled = harness.onLoop { Self.idleWatches(harness) }
        #expect(pooled == [true], "the idle connection's socket is kept registered, dormant")
        hangUp.fire()
        var released = false
        for _ in 0..<1000 where !released {
            released = harness.onLoop { Self.idleWatches(harness).isEmpty }
            if !released { usleep(10_000) }
        }
        #expect(released, "the closed connection's socket is still watched")
        #expect(harness.perform(UpstreamRequest(method: .get, url: server.baseURL + "/second")).error == nil)
        #expect(server.acceptCount == 2)
        harness.close()
    }

    /// For each idle pooled connection: whether the loop still watches its socket (call on the loop).
    static func idleWatches(_ harness: LoopHarness) -> [Bool] {
        if let pool = harness.client.nativePool {
            return pool.idle.map { harness.loop.isRegistered(fd: $0.fd, handler: $0) }
        }
        return harness.client.watches.values.map(\.dormant)
    }
}
