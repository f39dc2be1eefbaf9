import ReplicateAPI
import Testing

@Suite struct SSEEventTests {
    @Test func encodesReplicateStyle() {
        let e = SSEEvent(name: "output", id: "1690212292:0", data: "Once upon a time...")
        let text = String(decoding: e.encoded(), as: UTF8.self)
        #expect(text == "event: output\nid: 1690212292:0\ndata: Once upon a time...\n\n")
        let done = SSEEvent(name: ReplicateStreamEvent.done.rawValue, id: "9", data: "{}")
        #expect(String(decoding: done.encoded(), as: UTF8.self) == "event: done\nid: 9\ndata: {}\n\n")
    }

    @Test func splitsMultiLineData() {
        let e = SSEEvent(name: "output", id: "1", data: "a\nb\r\nc\rd\n")
        #expect(
            String(decoding: e.encoded(), as: UTF8.self)
                == "event: output\nid: 1\ndata: a\ndata: b\ndata: c\ndata: d\ndata: \n\n")
    }

    @Test func fieldValuesCannotInjectFields() {
        let e = SSEEvent(name: "out\nput", id: "1\r\n\u{0}data: x", data: "d", retry: 10)
        #expect(String(decoding: e.encoded(), as: UTF8.self) == "event: output\nid: 1data: x\nretry: 10\ndata: d\n\n")
        #expect(SSEEvent.comment("keep\nalive") == Array(": keepalive\n".utf8))
        #expect(SSEEvent.comment("") == Array(":\n".utf8))
    }

    static let roundTrip: [SSEEvent] = [
        SSEEvent(name: "output", id: "1:0", data: "Once upon a time"),
        SSEEvent(name: "logs", id: "1:1", data: "line 1\nline 2\n\nline 4"),
        SSEEvent(name: "output", id: "1:2", data: ""),
        SSEEvent(name: "output", id: "1:3", data: " leading space, trailing space "),
        SSEEvent(name: "output", id: "1:4", data: ": not a comment\ndata: not a field"),
        SSEEvent(name: "error", id: "1:5", data: #"{"detail":"boom"}"#),
        SSEEvent(name: nil, id: nil, data: "no name, no id", retry: 3000),
        SSEEvent(name: "done", id: "1:9", data: "{}"),
    ]

    @Test func roundTripsThroughTheParser() {
        var wire: [UInt8] = []
        for e in Self.roundTrip { e.encode(into: &wire) }
        wire += SSEEvent.comment("keep-alive")
        for size in [1, 5, wire.count] {
            let (parsed, _) = parseInPieces(wire, pieceSize: size)
            #expect(parsed.map(\.event) == Self.roundTrip, "piece size \(size)")
            #expect(parsed.map(\.raw) == Self.roundTrip.map { $0.encoded() })
        }
    }

    @Test func replicateKinds() {
        #expect(SSEEvent(name: "logs", data: "").replicateKind == .logs)
        #expect(SSEEvent(name: "ping", data: "").replicateKind == nil)
        #expect(SSEEvent(data: "").replicateKind == nil)
        #expect(ReplicateStreamEvent.allCases.map(\.rawValue) == ["output", "logs", "error", "done"])
    }
}
