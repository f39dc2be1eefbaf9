import CacheCore
import JSONCore
import ProxyCore
import Testing

@Suite struct SSERecorderTests {
    let stream = Array("event: output\nid: 0\ndata: Hello\n\nevent: output\nid: 1\ndata: two\ndata: lines\n\n: keep-alive\n\nevent: done\nid: 2\ndata: {}\n\n".utf8)

    func record(_ bytes: [UInt8], pieces: Int, maxBytes: Int = 1 << 20) -> SSERecorder {
        var r = SSERecorder(maxBytes: maxBytes, startedAtMillis: 1000)
        var offset = 0
        var t: Int64 = 1000
        while offset < bytes.count {
            let end = min(bytes.count, offset + pieces)
            bytes[offset..<end].withUnsafeBytes { r.feed($0, nowMillis: t) }
            offset = end
            t += 5
        }
        return r
    }

    @Test(arguments: [1, 2, 7, 1000])
    func successfulStreamIsRecordedByteForByte(pieces: Int) throws {
        let recording = try #require(record(stream, pieces: pieces).finishedRecording())
        #expect(recording.events.flatMap(\.bytes) == stream)
        #expect(recording.events.map(\.offsetMillis) == recording.events.map(\.offsetMillis).sorted())
        #expect(StreamRecording.decode(recording.encoded()) == recording)
    }

    @Test(arguments: [
        "event: done\nid: 2\ndata: {\"reason\":\"canceled\"}\n\n", "event: error\nid: 2\ndata: {\"detail\":\"x\"}\n\n",
    ])
    func failedOrCanceledStreamsAreNotRecorded(ending: String) {
        let bytes = Array("event: output\nid: 0\ndata: Hello\n\n".utf8) + Array(ending.utf8)
        #expect(record(bytes, pieces: 3).finishedRecording() == nil)
    }

    @Test func truncatedStreamIsNotRecorded() {
        #expect(record(Array(stream.prefix(40)), pieces: 5).finishedRecording() == nil)
    }

    @Test func oversizeStreamIsNotRecorded() {
        #expect(record(stream, pieces: 10, maxBytes: 30).finishedRecording() == nil)
    }
}

@Suite struct StreamSynthesizerTests {
    @Test func listOutputBecomesOneEventPerItemThenDone() {
        let events = StreamSynthesizer.events(for: ["Hello", " world", "line1\nline2", 3])
        let text = String(decoding: events.flatMap { $0 }, as: UTF8.self)
        #expect(text == "event: output\nid: 0\ndata: Hello\n\nevent: output\nid: 1\ndata:  world\n\nevent: output\nid: 2\ndata: line1\ndata: line2\n\nevent: output\nid: 3\ndata: 3\n\nevent: done\nid: 4\ndata: {}\n\n")
    }

    @Test func scalarAndNullOutputs() {
        #expect(StreamSynthesizer.events(for: "hello Alice").count == 2)
        #expect(StreamSynthesizer.events(for: .null).count == 1)
    }
}

@Suite struct StreamCapabilityTests {
    @Test func roundTripsAndRejectsIncompleteOnes() {
        let relay = StreamCapability(kind: .relay, upstreamURL: "https://s/x", cacheKey: "k", predictionID: "p", store: true, ttlSeconds: 60)
        #expect(StreamCapability.decode(relay.encoded()) == relay)
        let replay = StreamCapability(kind: .replay, upstreamURL: nil, cacheKey: "k", store: false, ttlSeconds: 0)
        #expect(StreamCapability.decode(replay.encoded()) == replay)
        #expect(StreamCapability.decode(Array(#"{"kind":"relay","store":true,"ttl":1}"#.utf8)) == nil)
        #expect(StreamCapability.decode(Array(#"{"kind":"replay","store":true,"ttl":1}"#.utf8)) == nil)
    }
}

@Suite struct PreferWaitTests {
    @Test(arguments: [
        (["wait"], 60), (["wait=10"], 10), (["wait=60"], 60), (["wait=600"], 60), ([" wait=5 "], 5),
        (["respond-async, wait=7"], 7),
    ] as [([String], Int)])
    func waits(values: [String], seconds: Int) {
        #expect(PreferWait.seconds(values) == seconds)
    }

    @Test(arguments: [[], ["wait=0"], ["wait=x"], ["respond-async"], ["waiting"]] as [[String]])
    func doesNotWait(values: [String]) {
        #expect(PreferWait.seconds(values) == nil)
    }
}
