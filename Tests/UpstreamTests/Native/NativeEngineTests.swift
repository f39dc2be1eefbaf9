@preconcurrency import Glibc
import EventLoop
import Foundation
import HTTPTypes
import Testing

@testable import Upstream

/// Connection handling of the native engine against a scripted server on a real socket; the
/// cases that are HTTP/1.1 behaviour run against curl too, to keep the engines alike.
@Suite struct NativeEngineTests {
    @Test(arguments: Engine.allCases)
    func resetMidBodyIsAProtocolError(engine: Engine) throws {
        let server = try ScriptedHTTPServer { _, c in
            c.writeHead(status: 200, [("Content-Length", "100000")])
            c.write("0123")
            c.reset()
            return .close
        }
        let harness = try LoopHarness(engine: engine, origin: server.baseURL)
        defer { harness.close() }
        let d = harness.perform(UpstreamRequest(method: .get, url: server.baseURL + "/"))
        #expect(d.error?.kind == .protocolError)
        #expect(d.finishCount == 1)
    }

    @Test(arguments: Engine.allCases)
    func bodyWithoutLengthEndsWhenUpstreamCloses(engine: Engine) throws {
        let server = try ScriptedHTTPServer { _, c in
            c.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end")
            return .close
        }
        let harness = try LoopHarness(engine: engine, origin: server.baseURL)
        defer { harness.close() }
        let first = harness.perform(UpstreamRequest(method: .get, url: server.baseURL + "/a"))
        let second = harness.perform(UpstreamRequest(method: .get, url: server.baseURL + "/b"))
        #expect(first.error == nil && second.error == nil)
        #expect(first.bodyText == "until the end")
        #expect(second.bodyText == "until the end")
        #expect(server.acceptCount == 2, "a close-delimited response's connection is not reused")
    }

    @Test(arguments: Engine.allCases)
    func requestTimeoutBoundsTheWholeTransfer(engine: Engine) throws {
        let release = Signal()
        let server = try ScriptedHTTPServer(script: ScriptedHTTPServer.headThenStall(until: release))
        defer { release.fire() }
        let harness = try LoopHarness(engine: engine, origin: server.baseURL)
        defer { harness.close() }
        var request = UpstreamRequest(method: .get, url: server.baseURL + "/")
        request.timeout = .milliseconds(300)
        let d = harness.perform(request)
        #expect(d.error?.kind == .timeout)
        #expect(d.events == ["head", "finish"])
    }

    @Test(arguments: Engine.allCases)
    func resetWhileTheDelegateHoldsTheBodyEndsOnceResumed(engine: Engine) throws {
        let server = try ScriptedHTTPServer { _, c in
            c.writeHead(status: 200, [("Content-Length", "1000000")])
            c.write([UInt8](repeating: 0x61, count: 50_000))
            c.reset()
            return .close
        }
        let harness = try LoopHarness(engine: engine, origin: server.baseURL)
        defer { harness.close() }
        let d = RecordingDelegate()
        // Resume well after the reset arrived: the paused transfer must not spin on it.
        d.refuseFirstBody(resumingAfter: .milliseconds(300), on: harness.loop)
        harness.perform(UpstreamRequest(method: .get, url: server.baseURL + "/"), delegate: d)
        #expect(d.error?.kind == .protocolError)
        #expect(d.finishCount == 1)
    }

    /// A pooled connection whose write side is already dead: nothing of the request can have
    /// reached upstream, so the native engine sends it once more on a new connection.
    @Test func reusedConnectionFailingBeforeAnyByteIsRetriedOnANewConnection() throws {
        let server = try ScriptedHTTPServer(script: ScriptedHTTPServer.echoBody)
        let harness = try LoopHarness(engine: .native, origin: server.baseURL)
        defer { harness.close() }
        #expect(harness.perform(UpstreamRequest(method: .get, url: server.baseURL + "/warm")).error == nil)
        let body = Array("create once".utf8)
        let d = RecordingDelegate()
        // In one loop task, so that no event about the dead connection is read in between.
        let killed = harness.onLoop { () -> Int in
            let idle = harness.client.nativePool?.idle ?? []
            for connection in idle { shutdown(connection.fd, Int32(SHUT_WR)) }
            _ = harness.client.start(
                UpstreamRequest(method: .post, url: server.baseURL + "/create", body: .bytes(body)), delegate: d)
            return idle.count
        }
        #expect(killed == 1)
        #expect(d.finished.wait(seconds: 15))
        #expect(d.error == nil)
        #expect(d.body == body)
        #expect(server.acceptCount == 2)
        #expect(server.requests.filter { $0.target == "/create" }.count == 1)
    }

    @Test func withoutIdleConnectionsEveryRequestConnectsAnew() throws {
        let server = try ScriptedHTTPServer(script: ScriptedHTTPServer.echoBody)
        var configuration = UpstreamClientConfiguration()
        configuration.maxIdleConnections = 0
        let harness = try LoopHarness(configuration: configuration, engine: .native, origin: server.baseURL)
        defer { harness.close() }
        for _ in 0..<2 {
            #expect(harness.perform(UpstreamRequest(method: .get, url: server.baseURL + "/")).error == nil)
        }
        #expect(server.acceptCount == 2)
        #expect(harness.onLoop { harness.client.nativePool?.idle.count } == 0)
    }

    @Test func otherOriginsAndFilteredRequestsStayOnCurl() throws {
        let native = try ScriptedHTTPServer(script: ScriptedHTTPServer.echoBody)
        let other = try ScriptedHTTPServer(script: ScriptedHTTPServer.echoBody)
        let harness = try LoopHarness(engine: .native, origin: native.baseURL)
        defer { harness.close() }
        var filtered = UpstreamRequest(method: .get, url: native.baseURL + "/filtered")
        filtered.addressFilter = { _ in true }
        let requests = [
            UpstreamRequest(method: .get, url: native.baseURL + "/native"),
            UpstreamRequest(method: .get, url: other.baseURL + "/other"), filtered,
        ]
        let delegates = requests.map { _ in RecordingDelegate() }
        let engines = harness.onLoop {
            zip(requests, delegates).map { harness.client.start($0, delegate: $1).usesNativeEngine }
        }
        #expect(engines == [true, false, false])
        for d in delegates {
            #expect(d.finished.wait(seconds: 15))
            #expect(d.error == nil)
        }
    }

    @Test func anOriginTheNativeEngineCannotServeLeavesEverythingToCurl() throws {
        let server = try ScriptedHTTPServer(script: ScriptedHTTPServer.echoBody)
        let harness = try LoopHarness(engine: .native, origin: "http://localhost:\(server.port)")
        defer { harness.close() }
        #expect(harness.onLoop { harness.client.nativePool == nil })
    }

    /// Upstream answers a large create before reading its body (a 413), then closes with the
    /// body unread, which resets the connection under the engine's next send: the answer is
    /// what the caller gets, not a send failure.
    @Test func anEarlyAnswerWinsOverTheSendItCutShort() throws {
        let (listener, port) = try TestSockets.bind(listening: true)
        let served = Signal()
        let thread = Thread {
            let fd = accept(listener, nil, nil)
            defer { served.fire() }
            guard fd >= 0 else { return }
            var head: [UInt8] = []
            var byte: UInt8 = 0
            while !head.suffix(4).elementsEqual(Array("\r\n\r\n".utf8)), read(fd, &byte, 1) == 1 { head.append(byte) }
            let answer = Array("HTTP/1.1 413 Payload Too Large\r\nContent-Length: 7\r\nConnection: close\r\n\r\ntoo big".utf8)
            _ = answer.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)  // with the body unread: a reset
        }
        thread.start()
        defer { close(listener) }
        let origin = "http://127.0.0.1:\(port)"
        let harness = try LoopHarness(engine: .native, origin: origin)
        defer { harness.close() }
        let body = [UInt8](repeating: 0x61, count: 8 << 20)
        let d = harness.perform(UpstreamRequest(method: .post, url: origin + "/v1/predictions", body: .bytes(body)))
        #expect(served.wait(seconds: 20))
        #expect(d.error == nil, "\(String(describing: d.error))")
        #expect(d.head?.status == 413)
        #expect(d.body == Array("too big".utf8))
    }
}
