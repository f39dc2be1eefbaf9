import EventLoop
import Foundation
import HTTPTypes
import Testing

@testable import Upstream

/// Bodies that move in pieces: backpressure both ways and event streams.
@Suite struct UpstreamStreamingTests {
    /// Deterministic pseudo-random bytes (xorshift), so that a misplaced or repeated chunk shows.
    static func noise(count: Int, seed: UInt64) -> [UInt8] {
        var x = seed
        return (0..<count).map { _ in
            x ^= x << 13
            x ^= x >> 7
            x ^= x << 17
            return UInt8(truncatingIfNeeded: x)
        }
    }

    @Test(arguments: Engine.allCases, [false, true])
    func largeResponseWithDelegatePausingArrivesWholeAndInOrder(engine: Engine, chunked: Bool) throws {
        let payload = Self.noise(count: 6 << 20, seed: 42)
        let server = try ScriptedHTTPServer { _, c in
            if chunked {
                c.writeHead(status: 200, [("Transfer-Encoding", "chunked")])
                var offset = 0
                while offset < payload.count {
                    let n = min(100_000, payload.count - offset)
                    c.writeChunk(Array(payload[offset..<(offset + n)]))
                    offset += n
                }
                c.writeChunk([])
            } else {
                c.respond(payload)
            }
            return .keepOpen
        }
        let harness = try LoopHarness(engine: engine, origin: server.baseURL)
        defer { harness.close() }
        let d = RecordingDelegate()
        var pauses = 0
        var calls = 0
        // Refuse every third delivery and resume from a later loop iteration, like a client
        // socket that fills up and drains.
        d.onBody = { transfer, _ in
            calls += 1
            guard calls % 3 == 0 else { return true }
            pauses += 1
            harness.loop.schedule(after: .milliseconds(1)) { transfer.resumeResponse() }
            return false
        }
        harness.perform(UpstreamRequest(method: .get, url: server.baseURL + "/big"), delegate: d)
        #expect(d.error == nil)
        #expect(d.body.count == payload.count)
        #expect(d.body == payload)
        #expect(pauses > 10)
    }

    @Test(arguments: Engine.allCases) func resumeCalledInsideTheRefusingCallbackStillResumes(engine: Engine) throws {
        let payload = Self.noise(count: 1 << 20, seed: 7)
        let server = try ScriptedHTTPServer { _, c in
            c.respond(payload)
            return .keepOpen
        }
        let harness = try LoopHarness(engine: engine, origin: server.baseURL)
        defer { harness.close() }
        let d = RecordingDelegate()
        var refused = 0
        d.onBody = { transfer, _ in
            refused += 1
            guard refused % 2 == 0 else { return true }
            transfer.resumeResponse()  // re-entrant: must not call curl from here
            return false
        }
        harness.perform(UpstreamRequest(method: .get, url: server.baseURL + "/"), delegate: d)
        #expect(d.error == nil)
        #expect(d.body == payload)
    }

    @Test(arguments: Engine.allCases) func eventStreamIsDeliveredAsTheServerWritesIt(engine: Engine) throws {
        let secondMayGo = Signal()
        let firstSeen = Signal()
        let server = try ScriptedHTTPServer { _, c in
            c.writeHead(status: 200, [("Content-Type", "text/event-stream"), ("Transfer-Encoding", "chunked")])
            c.writeChunk(Array("event: output\nid: 1\ndata: one\n\n".utf8))
            // The client must see the first event while this response is still open.
            guard secondMayGo.wait(seconds: 15) else { return .close }
            c.writeChunk(Array("event: done\nid: 2\ndata: {}\n\n".utf8))
            c.writeChunk([])
            return .keepOpen
        }
        let harness = try LoopHarness(engine: engine, origin: server.baseURL)
        defer { harness.close() }
        let d = RecordingDelegate()
        var snapshots: [String] = []
        d.onBody = { _, bytes in
            snapshots.append(String(decoding: bytes, as: UTF8.self))
            if snapshots.count == 1 { firstSeen.fire() }
            return true
        }
        let started = Signal()
        harness.onLoop {
            _ = harness.client.start(
                UpstreamRequest(
                    method: .get, url: server.baseURL + "/v1/predictions/x/stream",
                    headers: ["Accept": "text/event-stream"]),
                delegate: d)
            started.fire()
        }
        #expect(started.wait())
        #expect(firstSeen.wait(seconds: 15), "first event not delivered before the server sent the second")
        secondMayGo.fire()
        #expect(d.finished.wait(seconds: 15))
        #expect(d.error == nil)
        #expect(snapshots.first == "event: output\nid: 1\ndata: one\n\n")
        #expect(d.bodyText == "event: output\nid: 1\ndata: one\n\nevent: done\nid: 2\ndata: {}\n\n")
        #expect(server.requests.first?.header("Accept") == "text/event-stream")
    }

    @Test(arguments: Engine.allCases) func requestBodyBackpressureAsksForMoreAtTheLowWaterMark(engine: Engine) throws {
        var configuration = UpstreamClientConfiguration()
        configuration.bodyHighWater = 64 * 1024
        let payload = Self.noise(count: 2 << 20, seed: 3)
        let server = try ScriptedHTTPServer(script: ScriptedHTTPServer.echoBody)
        let harness = try LoopHarness(configuration: configuration, engine: engine, origin: server.baseURL)
        defer { harness.close() }
        let d = RecordingDelegate()
        var offset = 0
        var maxBuffered = 0
        // A producer that stops at the high-water mark and only continues when asked.
        func push(_ t: UpstreamTransfer) {
            while offset < payload.count && t.bufferedBodyBytes < configuration.bodyHighWater {
                let n = min(16 * 1024, payload.count - offset)
                payload[offset..<(offset + n)].withUnsafeBytes { t.appendBody($0) }
                offset += n
                maxBuffered = max(maxBuffered, t.bufferedBodyBytes)
            }
            if offset == payload.count { t.endBody() }
        }
        d.onWantsMore = { push($0) }
        harness.perform(
            UpstreamRequest(method: .post, url: server.baseURL + "/upload", body: .streamed(length: nil)), delegate: d
        ) { push($0) }
        #expect(d.error == nil)
        #expect(d.wantsMoreCount > 5)
        #expect(maxBuffered <= configuration.bodyHighWater + 16 * 1024)
        #expect(server.requests.first?.body == payload)
        #expect(d.body == payload)
    }

    @Test(arguments: Engine.allCases) func delegateMayStartAnotherTransferFromItsCallbacks(engine: Engine) throws {
        let server = try ScriptedHTTPServer { r, c in
            c.writeHead(status: 200, [("Content-Length", "\(r.target.utf8.count)")])
            c.write(r.target)
            return .keepOpen
        }
        let harness = try LoopHarness(engine: engine, origin: server.baseURL)
        defer { harness.close() }
        let first = RecordingDelegate()
        let fromBody = RecordingDelegate()
        let fromFinish = RecordingDelegate()
        first.onBody = { _, _ in
            _ = harness.client.start(UpstreamRequest(method: .get, url: server.baseURL + "/b"), delegate: fromBody)
            return true
        }
        first.onFinish = { _, _ in
            _ = harness.client.start(UpstreamRequest(method: .get, url: server.baseURL + "/c"), delegate: fromFinish)
        }
        harness.perform(UpstreamRequest(method: .get, url: server.baseURL + "/a"), delegate: first)
        #expect(fromBody.finished.wait(seconds: 15))
        #expect(fromFinish.finished.wait(seconds: 15))
        #expect(first.bodyText == "/a")
        #expect(fromBody.bodyText == "/b")
        #expect(fromFinish.bodyText == "/c")
    }
}
