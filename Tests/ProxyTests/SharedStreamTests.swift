import Foundation
import RedisKeyspace
import RedisStore
import TestSupport
import Testing

/// Several clients of one live stream share one upstream relay: a late joiner gets the whole
/// stream (the prefix, then live events), a client leaving or lagging affects no one else, and a
/// stream capability planted in Redis cannot make Reprise connect elsewhere.
@Suite struct SharedStreamTests {
    /// A prompt of `words` words of `size` bytes each: the fake streams one event per word.
    static func prompt(words: Int, size: Int = 3) -> String {
        (0..<words).map { i in String(repeating: Character(UnicodeScalar(UInt8(97 + i % 26))), count: size) }
            .joined(separator: " ")
    }

    /// Creates a streaming prediction; returns Reprise's stream target and the prediction id.
    static func startStream(_ h: ProxyHarness, prompt: String) async throws -> (target: String, id: String) {
        let made = try await h.reprise.create(
            Models.llm, input: #"{"prompt":"\#(prompt)","max_tokens":100000}"#, wait: false, extra: #","stream":true"#)
        #expect(made.status == 201)
        let url = try #require((made.json["urls"] as? [String: String])?["stream"])
        return (String(url.dropFirst(h.reprise.base.count)), made.predictionID)
    }

    /// The whole stream straight from the fake (after the prediction ended: all at once).
    static func direct(_ h: ProxyHarness, id: String) async throws -> [UInt8] {
        let p = try await h.upstream.send("GET", "/v1/predictions/\(id)")
        let url = try #require((p.json["urls"] as? [String: String])?["stream"])
        let r = try await h.upstream.send(
            "GET", String(url.dropFirst(h.upstream.baseURL.count)), headers: [("Accept", "text/event-stream")], token: nil)
        return r.body
    }

    /// Opens the stream on a new connection and reads the head.
    static func open(_ port: Int, _ target: String, receiveBufferSize: Int? = nil) throws -> (RawHTTPClient, RawHTTPResponse) {
        let c = try RawHTTPClient(port: port, timeout: .seconds(30), receiveBufferSize: receiveBufferSize)
        try c.send("GET \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAccept: text/event-stream\r\n\r\n")
        return (c, try c.readHead())
    }

    /// Reads chunks until the body ends.
    static func readRest(_ c: RawHTTPClient) throws -> [UInt8] {
        var body: [UInt8] = []
        while let chunk = try c.readChunk() { body += chunk }
        return body
    }

    @Test func aLateJoinerGetsTheWholeStreamFromTheSameUpstreamRelay() async throws {
        try await withHarness(fake: { $0.streamInterval = .milliseconds(20) }) { h in
            let (target, id) = try await Self.startStream(h, prompt: Self.prompt(words: 40))
            let port = h.reprise.port
            let (first, second) = try await offThePool { () -> ([UInt8], [UInt8]) in
                let (a, headA) = try Self.open(port, target)
                guard headA.status == 200 else { throw HarnessError("first client got \(headA.status)") }
                var bodyA = try a.readChunk() ?? []  // the first events are out: B joins mid-stream
                let (b, headB) = try Self.open(port, target)
                guard headB.status == 200, headB.header("content-type")?.hasPrefix("text/event-stream") == true else {
                    throw HarnessError("second client got \(headB.status)")
                }
                bodyA += try Self.readRest(a)
                return (bodyA, try Self.readRest(b))
            }
            #expect(h.upstream.count(.streamOpen) == 1)
            let fake = try await Self.direct(h, id: id)
            #expect(String(decoding: first, as: UTF8.self) == String(decoding: fake, as: UTF8.self))
            #expect(second == fake)
            #expect(String(decoding: fake, as: UTF8.self).hasSuffix("event: done\nid: 41\ndata: {}\n\n"))
            let metrics = try await h.reprise.metrics()
            #expect(MetricsText.value(#"reprise_stream_relays_total{result="opened"}"#, in: metrics) == 1)
            #expect(MetricsText.value(#"reprise_stream_relays_total{result="joined"}"#, in: metrics) == 1)
            #expect(MetricsText.value(#"reprise_http_requests_total{route="stream",status="200"}"#, in: metrics) == 2)
            #expect(MetricsText.value("reprise_sse_streams_active", in: metrics) == 0)
        }
    }

    @Test func joinersOnEveryLoopShareOneUpstreamRelay() async throws {
        var options = RepriseOptions()
        options.loops = 2
        // 40 events 100 ms apart: the five joiners connect within the 4 s the stream is live even
        // on a machine loaded by the rest of the suite (at 20 ms, a full CI run once saw the
        // stream end first, and each joiner rightly opened its own relay).
        try await withHarness(options, fake: { $0.streamInterval = .milliseconds(100) }) { h in
            let (target, id) = try await Self.startStream(h, prompt: Self.prompt(words: 40))
            let port = h.reprise.port
            // The kernel spreads connections over the two loops' listeners (SO_REUSEPORT): with
            // six clients, some land on the loop that does not run the relay.
            let bodies = try await offThePool { () -> [[UInt8]] in
                let (first, _) = try Self.open(port, target)
                var clients = [first]
                var bodies = [try first.readChunk() ?? []]
                for _ in 0..<5 {
                    let (c, head) = try Self.open(port, target)
                    guard head.status == 200 else { throw HarnessError("a joiner got \(head.status)") }
                    clients.append(c)
                    bodies.append([])
                }
                for (i, c) in clients.enumerated() { bodies[i] += try Self.readRest(c) }
                return bodies
            }
            #expect(h.upstream.count(.streamOpen) == 1)
            let fake = try await Self.direct(h, id: id)
            for body in bodies { #expect(body == fake) }
            let metrics = try await h.reprise.metrics()
            #expect(MetricsText.value(#"reprise_stream_relays_total{result="opened"}"#, in: metrics) == 1)
            #expect(MetricsText.value(#"reprise_stream_relays_total{result="joined"}"#, in: metrics) == 5)
            #expect(MetricsText.value(#"reprise_http_requests_total{route="stream",status="200"}"#, in: metrics) == 6)
            #expect(MetricsText.value("reprise_sse_streams_active", in: metrics) == 0)
        }
    }

    @Test func aClientLeavingDoesNotEndTheStreamForTheOthers() async throws {
        // Paced slowly enough (3 s in all) that the second client joins the live relay even on a
        // loaded machine; one arriving after the end would rightly open a relay of its own.
        try await withHarness(fake: { $0.streamInterval = .milliseconds(100) }) { h in
            let (target, id) = try await Self.startStream(h, prompt: Self.prompt(words: 30))
            let port = h.reprise.port
            let stayed = try await offThePool { () -> [UInt8] in
                let (a, _) = try Self.open(port, target)
                let (b, headB) = try Self.open(port, target)
                guard headB.status == 200 else { throw HarnessError("second client got \(headB.status)") }
                _ = try b.readChunk()
                b.reset()  // the late joiner goes away mid-stream
                return try Self.readRest(a)
            }
            #expect(stayed == (try await Self.direct(h, id: id)))
            #expect(h.upstream.count(.streamOpen) == 2)  // the relay and the direct read above
            let metrics = try await h.reprise.metrics()
            #expect(MetricsText.value(#"reprise_http_requests_total{route="stream",status="200"}"#, in: metrics) == 2)
        }
    }

    @Test func aClientThatStopsReadingIsDroppedWithoutStallingTheOthers() async throws {
        var options = RepriseOptions()
        options.streamClientBuffer = "64KiB"
        try await withHarness(options, fake: { $0.streamInterval = .milliseconds(1) }) { h in
            // About 6 MB: more than loopback socket buffers absorb (the sender side autotunes to 4 MiB), and the 64 KiB lag bound.
            let (target, id) = try await Self.startStream(h, prompt: Self.prompt(words: 3000, size: 2000))
            let port = h.reprise.port
            let (fast, slow) = try await offThePool { () -> ([UInt8], [UInt8]) in
                let (a, _) = try Self.open(port, target)
                let (b, headB) = try Self.open(port, target, receiveBufferSize: 4096)
                guard headB.status == 200 else { throw HarnessError("second client got \(headB.status)") }
                let fast = try Self.readRest(a)  // b reads nothing meanwhile
                return (fast, try Self.readRest(b))
            }
            #expect(fast == (try await Self.direct(h, id: id)))
            let metrics = try await h.reprise.metrics()
            #expect(MetricsText.value(#"reprise_stream_relays_total{result="dropped"}"#, in: metrics) == 1)
            // The dropped client's response ends cleanly after what it was sent, as an upstream
            // EOF would end it: a prefix of the stream, without `done`.
            #expect(!slow.isEmpty && slow.count < fast.count)
            #expect(Array(fast.prefix(slow.count)) == slow)
            #expect(h.upstream.count(.streamOpen) == 2)
        }
    }

    @Test func aCapabilityPlantedInRedisForAnotherHostIsRefusedWithoutAConnection() async throws {
        try await withHarness { h in
            // Whoever can write Reprise's Redis writes a relay capability of their own: here to
            // the fake under another host name (localhost is not the configured 127.0.0.1).
            let token = "plantedtoken0000000000000a"
            let capability = #"{"kind":"relay","upstream":"http://localhost:\#(h.upstream.port)/v1/streams/x","store":false,"ttl":60}"#
            let key = h.keys.streamCapability(try #require(RedisKeySchema.Identifier(token)))
            _ = try await h.redis.command(["SET", .key(key), .string(capability)])
            let r = try await h.reprise.send("GET", "/v1/streams/\(token)", headers: [("Accept", "text/event-stream")], token: nil)
            #expect(r.status == 502)
            #expect(r.header("content-type") == "application/json")
            #expect(Set(r.json.keys) == ["title", "detail", "status"])
            #expect(h.upstream.count(.requests) == 0)
            let metrics = try await h.reprise.metrics()
            #expect(MetricsText.value(#"reprise_stream_relays_total{result="refused"}"#, in: metrics) == 1)
        }
    }
}
