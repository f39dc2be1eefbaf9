import ReplicateAPI
import Testing

@Suite struct SSEEventParserTests {
    /// Replicate's wire format (replicate-api.md §4, from the streaming docs' example).
    static let replicateStream = """
        event: output
        id: 1690212292:0
        data: Once upon a time...

        event: logs
        id: 1690212292:1
        data: some log line

        : keep-alive

        event: output
        id: 1690212292:2
        data: line one
        data: line two

        event: done
        id: 1690212292:9
        data: {}


        """

    static let expectedEvents = [
        SSEEvent(name: "output", id: "1690212292:0", data: "Once upon a time..."),
        SSEEvent(name: "logs", id: "1690212292:1", data: "some log line"),
        SSEEvent(name: "output", id: "1690212292:2", data: "line one\nline two"),
        SSEEvent(name: "done", id: "1690212292:9", data: "{}"),
    ]

    private func checkInvariant(_ input: [UInt8], _ events: [SSEParsedEvent], _ parser: SSEEventParser) {
        #expect(events.flatMap(\.raw) + parser.unconsumedRaw == input)
    }

    @Test func manyEventsInOneBuffer() {
        let input = Array(Self.replicateStream.utf8)
        let (events, parser) = parseInPieces(input, pieceSize: input.count)
        #expect(events.map(\.event) == Self.expectedEvents)
        #expect(events.map(\.event.replicateKind) == [.output, .logs, .output, .done])
        let firstRaw = String(decoding: events[0].raw, as: UTF8.self)
        #expect(firstRaw == "event: output\nid: 1690212292:0\ndata: Once upon a time...\n\n")
        #expect(String(decoding: events[2].raw, as: UTF8.self).hasPrefix(": keep-alive\n\nevent: output"))
        #expect(parser.lastEventID == "1690212292:9")
        #expect(parser.unconsumedRaw.isEmpty)
        checkInvariant(input, events, parser)
    }

    @Test func byteByByteAndEveryPieceSizeGiveTheSameEvents() {
        let input = Array(Self.replicateStream.utf8)
        let whole = parseInPieces(input, pieceSize: input.count).events
        for size in 1...input.count {
            let (events, parser) = parseInPieces(input, pieceSize: size)
            #expect(events == whole, "piece size \(size)")
            checkInvariant(input, events, parser)
        }
    }

    @Test(arguments: ["\n", "\r\n", "\r"])
    func lineEndings(_ eol: String) {
        let text = ["event: output", "id: 1", "data: a", "data: b", "", ": c", "data:x", "", "data", "", ""]
            .joined(separator: eol)
        let input = Array(text.utf8)
        for size in [1, 2, 3, input.count] {
            let (events, parser) = parseInPieces(input, pieceSize: size)
            #expect(
                events.map(\.event) == [
                    SSEEvent(name: "output", id: "1", data: "a\nb"), SSEEvent(data: "x"), SSEEvent(data: ""),
                ], "eol \(Array(eol.utf8)) size \(size)")
            checkInvariant(input, events, parser)
            // The blank line's whole terminator belongs to its event.
            #expect(
                events.first.map { String(decoding: $0.raw, as: UTF8.self) }
                    == ["event: output", "id: 1", "data: a", "data: b", "", ""].joined(separator: eol))
        }
    }

    @Test func mixedLineEndingsAndCRAtTheEnd() {
        let input = Array("data: a\r\ndata: b\rdata: c\n\r".utf8)
        for size in [1, 2, input.count] {
            let (events, parser) = parseInPieces(input, pieceSize: size)
            #expect(events.map(\.event) == [SSEEvent(data: "a\nb\nc")])
            #expect(events.first?.raw == input)  // dispatched by `finish`, CR included
            #expect(parser.unconsumedRaw.isEmpty)
        }
    }

    @Test func leadingBOMIsSkippedOnceAndKeptInRaw() {
        let input: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("data: a\n\n".utf8)
        for size in [1, 2, input.count] {
            let (events, parser) = parseInPieces(input, pieceSize: size)
            #expect(events.map(\.event.data) == ["a"])
            #expect(events.first?.raw == input)
            checkInvariant(input, events, parser)
        }
    }

    @Test func onlyTheFirstBOMIsSkipped() {
        // Anywhere else a BOM is content: here it prefixes the field name, which is then unknown.
        let input: [UInt8] =
            [0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF] + Array("data: a\n\ndata: b\n\n".utf8)
            + [0xEF, 0xBB, 0xBF] + Array("data: c\n\n".utf8)
        for size in [1, input.count] {
            let (events, parser) = parseInPieces(input, pieceSize: size)
            #expect(events.map(\.event.data) == ["b"])
            checkInvariant(input, events, parser)
        }
    }

    @Test func partialBOMIsContent() {
        let input: [UInt8] = [0xEF, 0xBB] + Array("data: a\n\ndata: b\n\n".utf8)
        let (events, parser) = parseInPieces(input, pieceSize: 1)
        // `\u{EF}\u{BB}data` is an unknown field name, so only the second block has data.
        #expect(events.map(\.event.data) == ["b"])
        checkInvariant(input, events, parser)
    }

    @Test func fieldRules() {
        let text = """
            :comment
            data
            data:  two spaces
            data:no space
            event
            id:
            retry: 1500
            retry: 15x
            unknown: z
            id: with\u{0}nul

            """ + "\n"
        let (events, parser) = parseInPieces(Array(text.utf8), pieceSize: 1)
        #expect(events.map(\.event) == [SSEEvent(name: nil, id: "", data: "\n two spaces\nno space", retry: 1500)])
        #expect(parser.reconnectionTime == 1500)
        #expect(parser.lastEventID == "")
    }

    @Test func blocksWithoutDataAreNotEvents() {
        let input = Array("event: done\nid: 7\n\n: ping\n\ndata: x\n\n".utf8)
        let (events, parser) = parseInPieces(input, pieceSize: 1)
        #expect(events.map(\.event) == [SSEEvent(data: "x")])
        #expect(events[0].raw == input)
        #expect(parser.lastEventID == "7")  // the id still carries over (WHATWG)
    }

    @Test func unterminatedBlockIsDropped() {
        let input = Array("data: a\n\ndata: b\n".utf8)
        let (events, parser) = parseInPieces(input, pieceSize: input.count)
        #expect(events.map(\.event.data) == ["a"])
        #expect(parser.unconsumedRaw == Array("data: b\n".utf8))
    }

    @Test func overflowStopsParsing() {
        var parser = SSEEventParser(maxEventBytes: 16)
        #expect(parser.feed(Array("data: 0123456789abcdef".utf8)).isEmpty)
        #expect(parser.didOverflow)
        #expect(parser.feed(Array("\n\ndata: a\n\n".utf8)).isEmpty)
        #expect(parser.unconsumedRaw.isEmpty)
    }

    @Test func unicodeData() {
        let input = Array("data: héllo 😀\n\n".utf8)
        let (events, _) = parseInPieces(input, pieceSize: 1)
        #expect(events.map(\.event.data) == ["héllo 😀"])
    }
}
