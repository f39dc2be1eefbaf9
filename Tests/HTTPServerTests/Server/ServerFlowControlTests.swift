import HTTPTypes
import TestSupport
import Testing

@testable import HTTPServer

/// What the streaming responder saw, reported to the test thread.
struct StreamStats: Sendable {
    var sent = 0
    var sawNotWritable = false
    var isWritableWhenRefused = true
    var maxPending = 0
    var writableEvents = 0
}

/// Streams `total` bytes in `piece`-sized writes, stopping whenever `sendBody` says so and
/// going on at `exchangeBecameWritable`. Lives on the exchange's loop.
final class Producer {
    let total: Int
    let piece: [UInt8]
    let stats: Locked<StreamStats>
    let refused: TestSignal
    var sent = 0

    init(total: Int, piece: Int, stats: Locked<StreamStats>, refused: TestSignal) {
        self.total = total
        self.piece = Array(repeating: UInt8(ascii: "z"), count: piece)
        self.stats = stats
        self.refused = refused
    }

    func start(_ ex: any HTTPExchange) {
        ex.delegate = RecordingDelegate(onWritable: { [self] ex in
            stats.withLock { $0.writableEvents += 1 }
            produce(ex)
        })
        ex.sendHead(HTTPResponseHead(status: 200, headers: ["Content-Length": String(total)]))
        produce(ex)
    }

    func produce(_ ex: any HTTPExchange) {
        while sent < total {
            let more = ex.sendBody(piece)
            sent += piece.count
            let pending = (ex as? ServerExchange)?.pendingWriteBytes ?? 0
            let writable = ex.isWritable
            stats.withLock {
                $0.sent = sent
                $0.maxPending = max($0.maxPending, pending)
            }
            if !more {
                stats.withLock {
                    if !$0.sawNotWritable { $0.isWritableWhenRefused = writable }
                    $0.sawNotWritable = true
                }
                refused.signal()
                return
            }
        }
        ex.finish()
    }
}

@Suite("HTTPServer back-pressure and disconnects")
struct ServerFlowControlTests {
    @Test func slowReaderPushesBackOnTheProducerAndMemoryStaysBounded() throws {
        let highWater = 64 * 1024
        let piece = 32 * 1024
        let total = 16 << 20
        let stats = Locked(StreamStats())
        let refused = TestSignal()
        let config = serverConfig {
            $0.writeHighWater = highWater
            $0.writeLowWater = 16 * 1024
        }
        let server = try TestServer(configuration: config) { ex in
            Producer(total: total, piece: piece, stats: stats, refused: refused).start(ex)
        }
        defer { server.shutdown() }
        let c = try server.client(receiveBufferSize: 32 * 1024)
        try c.send("GET /big HTTP/1.1\r\n\r\n")
        #expect(refused.wait())  // the client reads nothing: the socket and buffer fill up
        let before = stats.value
        #expect(before.sawNotWritable)
        #expect(!before.isWritableWhenRefused)
        #expect(before.sent < total)
        let r = try c.readResponse()
        #expect(r.body.count == total)
        let after = stats.value
        #expect(after.writableEvents > 0)
        // Queued bytes never exceed the high-water mark plus one piece.
        #expect(after.maxPending <= highWater + piece)
    }

    @Test func clientResetMidResponseClosesTheExchangeOnce() throws {
        let closed = TestSignal()
        let delegate = LoopBound<RecordingDelegate?>(nil)
        let server = try TestServer { ex in
            let d = RecordingDelegate(onClose: { ex in
                // Everything after the close is ignored and produces no callback.
                ex.sendBody(Array("late".utf8))
                ex.finish()
                ex.abort()
                closed.signal()
            })
            delegate.value = d
            ex.delegate = d
            ex.sendHead(HTTPResponseHead(status: 200))
            func tick() {
                guard d.closeCount == 0 else { return }
                ex.sendBody(Array(repeating: UInt8(ascii: "t"), count: 1024))
                ex.loop.schedule(after: .milliseconds(5)) { tick() }
            }
            tick()
        }
        defer { server.shutdown() }
        let c = try server.client()
        try c.send("GET /stream HTTP/1.1\r\n\r\n")
        _ = try c.readHead()
        _ = try c.readChunk()
        c.reset()
        #expect(closed.wait())
        let seen = Locked((closes: -1, after: -1))
        let checked = TestSignal()
        server.group.loops[0].execute {
            seen.withLock { $0 = (delegate.value?.closeCount ?? -1, delegate.value?.callbacksAfterClose ?? -1) }
            checked.signal()
        }
        #expect(checked.wait())
        #expect(seen.value.closes == 1)
        #expect(seen.value.after == 0)
    }

    @Test func clientGoneMidRequestBodyClosesTheExchange() throws {
        let closed = TestSignal()
        let server = try TestServer { ex in
            ex.delegate = RecordingDelegate(onClose: { _ in closed.signal() })
        }
        defer { server.shutdown() }
        let c = try server.client()
        try c.send("POST /up HTTP/1.1\r\nContent-Length: 100\r\n\r\nonly-part")
        c.shutdownWrite()
        #expect(closed.wait())
        try c.expectClose()
    }

    @Test func pausingTheBodyStopsReadingTheSocket() throws {
        // A paused exchange gets no body callbacks however much the client sends; on resume
        // everything arrives.
        let held = TestSignal()
        let box = LoopBound<(any HTTPExchange)?>(nil)
        let received = Locked(0)
        let server = try TestServer { ex in
            ex.delegate = RecordingDelegate(onEnd: { ex, body in
                ex.respond(status: 200, body: Array(String(body.count).utf8))
            })
            ex.pauseRequestBody()
            box.value = ex
            held.signal()
        }
        defer { server.shutdown() }
        let c = try server.client()
        let size = 1 << 20
        try c.send("POST / HTTP/1.1\r\nContent-Length: \(size)\r\n\r\n")
        #expect(held.wait())
        try c.send(Array(repeating: 0x61, count: 256 * 1024))
        let loop = server.group.loops[0]
        let checked = TestSignal()
        loop.execute {
            let d = box.value?.delegate as? RecordingDelegate
            received.withLock { $0 = d?.body.count ?? -1 }
            box.value?.resumeRequestBody()
            checked.signal()
        }
        #expect(checked.wait())
        #expect(received.value == 0)
        try c.send(Array(repeating: 0x61, count: size - 256 * 1024))
        #expect(try c.readResponse().bodyString == String(size))
    }
}
