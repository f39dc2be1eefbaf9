import HTTPTypes
import Testing

@testable import Upstream

@Suite struct ResponseHeadParserTests {
    /// Feeds `text` in pieces of `step` bytes and returns the outcomes that were not `.needMore`.
    static func parse(_ text: String, step: Int) -> (outcomes: [ResponseHeadParser.Outcome], parser: ResponseHeadParser)
    {
        var parser = ResponseHeadParser()
        var outcomes: [ResponseHeadParser.Outcome] = []
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            let piece = Array(bytes[i..<min(i + step, bytes.count)])
            let outcome = piece.withUnsafeBytes { parser.feed($0) }
            if outcome != .needMore { outcomes.append(outcome) }
            i += step
        }
        return (outcomes, parser)
    }

    static let interimThenFinal =
        "HTTP/1.1 100 Continue\r\n\r\n"
        + "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
        + "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nX-Multi: a\r\nx-multi: b\r\n"
        + "Folded: first\r\n  second\r\nEmpty:\r\n\r\n"
        + "Trailer-Field: ignored\r\n\r\n"

    @Test(arguments: [1, 2, 7, 64, 10_000])
    func finalHeadAfterInterimBlocksWhateverTheSplit(step: Int) {
        let (outcomes, parser) = Self.parse(Self.interimThenFinal, step: step)
        var expected = HTTPHeaders()
        expected.add("Content-Type", "application/json")
        expected.add("X-Multi", "a")
        expected.add("x-multi", "b")
        expected.add("Folded", "first second")
        expected.add("Empty", "")
        #expect(outcomes == [.head(HTTPResponseHead(status: 201, headers: expected))])
        #expect(parser.version == "1.1")
        #expect(parser.isComplete)
    }

    @Test func http2StatusLineAsCurlWritesIt() {
        let (outcomes, parser) = Self.parse("HTTP/2 200 \r\ncontent-type: text/event-stream\r\n\r\n", step: 100)
        #expect(outcomes == [.head(HTTPResponseHead(status: 200, headers: ["content-type": "text/event-stream"]))])
        #expect(parser.version == "2")
    }

    @Test func bareLineFeedsAndAStatusLineWithoutReason() {
        let (outcomes, parser) = Self.parse("HTTP/1.0 404\nServer: x\n\n", step: 3)
        #expect(outcomes == [.head(HTTPResponseHead(status: 404, headers: ["Server": "x"]))])
        #expect(parser.version == "1.0")
    }

    @Test func linesThatAreNotFieldsAreDropped() {
        let (outcomes, _) = Self.parse("HTTP/1.1 200 OK\r\nno colon here\r\nBad Name: x\r\nGood: y\r\n\r\n", step: 5)
        #expect(outcomes == [.head(HTTPResponseHead(status: 200, headers: ["Good": "y"]))])
    }

    @Test(arguments: [
        "HTTP/1.1 2000 OK\r\n\r\n", "HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 abc OK\r\n\r\n", "ICY 200 OK\r\n\r\n",
        "HTTP/1.1\r\n\r\n", "HTTP/1.1 099 Low\r\n\r\n", "HTTP/1.1 200 OK\r\n folded-first\r\n\r\n",
    ])
    func malformedHeadsAreInvalid(text: String) {
        let (outcomes, _) = Self.parse(text, step: 4)
        guard case .invalid = outcomes.first else {
            Issue.record("expected .invalid, got \(outcomes)")
            return
        }
    }

    @Test func oversizedHeadIsInvalid() {
        let big = "HTTP/1.1 200 OK\r\nX: " + String(repeating: "a", count: ResponseHeadParser.maxHeadBytes) + "\r\n\r\n"
        let (outcomes, _) = Self.parse(big, step: 4096)
        guard case .invalid = outcomes.first else {
            Issue.record("expected .invalid, got \(outcomes)")
            return
        }
    }
}
