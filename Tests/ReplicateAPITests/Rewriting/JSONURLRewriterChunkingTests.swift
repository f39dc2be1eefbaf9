import ReplicateAPI
import Testing

/// The rewriter must give the same bytes however the body is cut into chunks.
@Suite struct JSONURLRewriterChunkingTests {
    typealias F = RewriterFixtures

    static let documents: [String] = [
        F.getPrediction, F.createWithStream, F.listPage,
        #"""
        {"u\u0072ls":{"get":"https:\/\/api.replicate.com\/v1\/predictions\/abc",
                       "stream":"https:\u002f\u002fs.example\/x"},
         "next":"https://api.replicate.com/v1/p?c=\"q\""}
        """#,
        #"{"urls":{"get":"https://api.replicate.com/v1/predictions/x"}}} tail"#,
        #"{"urls":{"get":"https://api.replicate.com/\x"},"next":"https://api.replicate.com/z"}"#,
        #"{"next":"https://api.replicate.com/a\"#,
        #"[1,{"urls":{"get":"https://api.replicate.com/v1/x"}},-0.5e3,"s\"t"]"#,
    ]

    /// Every piece size from 1 to the whole length.
    @Test(arguments: documents)
    func everyPieceSize(doc: String) {
        let bytes = Array(doc.utf8)
        let whole = JSONURLRewriter.rewrite(bytes, base: F.base, streamURL: Self.mapper)
        for size in 1...bytes.count {
            let pieces = rewriteInPieces(bytes, sizes: [size], Self.mapper)
            #expect(pieces.bytes == whole.bytes, "piece size \(size)")
            #expect(pieces.didFail == whole.didFail, "piece size \(size)")
        }
    }

    /// Every single cut position (two pieces), and uneven pieces.
    @Test(arguments: documents)
    func everySplitPosition(doc: String) {
        let bytes = Array(doc.utf8)
        let whole = JSONURLRewriter.rewrite(bytes, base: F.base, streamURL: Self.mapper)
        for cut in 0...bytes.count {
            let pieces = rewriteInPieces(bytes, sizes: [max(cut, 1), bytes.count], Self.mapper)
            #expect(pieces.bytes == whole.bytes, "cut at \(cut)")
        }
        #expect(rewriteInPieces(bytes, sizes: [1, 7, 2, 13, 3], Self.mapper).bytes == whole.bytes)
    }

    @Test func wholeBufferMatchesTheExpectedRewrites() {
        let r = rewriteInPieces(Array(F.listPage.utf8), sizes: [3], StreamMapRecorder().mapper)
        #expect(String(decoding: r.bytes, as: UTF8.self) == F.listPageRewritten)
    }

    @Test func outputIsNotHeldBackOutsideCandidates() {
        var rewriter = JSONURLRewriter(base: F.base) { _ in nil }
        // Everything before a candidate string is written as soon as it arrives.
        #expect(rewriter.feed(Array(#"{"input":{"a":"#.utf8)) == Array(#"{"input":{"a":"#.utf8))
        #expect(rewriter.feed(Array(#""b"},"urls":{"get":"#.utf8)) == Array(#""b"},"urls":{"get":"#.utf8))
        // The candidate is held until its closing quote.
        #expect(rewriter.feed(Array(#""https://api.replicate.com/v1"#.utf8)).isEmpty)
        #expect(rewriter.feed(Array(#"/x"}"#.utf8)) == Array(#""http://127.0.0.1:8080/v1/x"}"#.utf8))
        #expect(rewriter.feed(Array("}".utf8)) == Array("}".utf8))
        #expect(rewriter.finish().isEmpty)
        #expect(!rewriter.didFail)
    }

    @Test func oversizedCandidateIsPassedThroughUnchanged() {
        let long = "https://api.replicate.com/v1/" + String(repeating: "a", count: 300)
        let doc = Array(#"{"urls":{"get":"\#(long)","cancel":"https://api.replicate.com/v1/c"}}"#.utf8)
        let expected = Array(#"{"urls":{"get":"\#(long)","cancel":"http://127.0.0.1:8080/v1/c"}}"#.utf8)
        for size in [1, 2, 5, 64, 1000] {
            let r = rewriteInPieces(doc, sizes: [size], maxCandidateBytes: 100)
            #expect(r.bytes == expected, "piece size \(size)")
            #expect(!r.didFail)
        }
    }

    @Test func oversizedKeyMatchesNothing() {
        let key = String(repeating: "k", count: 300)
        let up = F.upstream
        let doc = Array(#"{"\#(key)":{"urls":{"get":"\#(up)/a"}},"urls":{"get":"\#(up)/b"}}"#.utf8)
        let expected = Array(#"{"\#(key)":{"urls":{"get":"\#(up)/a"}},"urls":{"get":"\#(F.publicBase)/b"}}"#.utf8)
        for size in [1, 3, 1000] {
            #expect(rewriteInPieces(doc, sizes: [size], maxCandidateBytes: 100).bytes == expected)
        }
    }

    @Test func afterFailureChunksPassStraightThrough() {
        var rewriter = JSONURLRewriter(base: F.base) { _ in nil }
        #expect(rewriter.feed(Array("{]".utf8)) == Array("{]".utf8))
        #expect(rewriter.didFail)
        let rest = Array(#"{"urls":{"get":"https://api.replicate.com/x"}}"#.utf8)
        #expect(rewriter.feed(rest) == rest)
    }

    /// A deterministic mapper (the recorder's numbering would differ between runs of one test).
    static func mapper(_ url: String) -> String? {
        "http://127.0.0.1:8080/v1/streams/" + String(url.utf8.count)
    }
}
