import Foundation
import ReplicateAPI
import Testing

@Suite struct JSONURLRewriterTests {
    typealias F = RewriterFixtures
    let up = RewriterFixtures.upstream
    let pub = RewriterFixtures.publicBase

    // MARK: - Whole documents

    @Test func getPrediction() {
        let r = rewriteWhole(F.getPrediction)
        #expect(r.text == F.getPredictionRewritten)
        #expect(!r.didFail)
    }

    @Test func createWithStreamMapsTheStreamURL() {
        let recorder = StreamMapRecorder()
        let r = rewriteWhole(F.createWithStream, recorder.mapper)
        #expect(r.text == F.createWithStreamRewritten)
        #expect(recorder.seen == [F.streamURL])
        #expect(!r.didFail)
    }

    @Test func listPageRewritesResultsAndPagination() {
        let recorder = StreamMapRecorder()
        let r = rewriteWhole(F.listPage, recorder.mapper)
        #expect(r.text == F.listPageRewritten)
        #expect(recorder.seen == ["https://stream.replicate.com/v1/files/f1"])
        #expect(!r.didFail)
    }

    @Test func streamLeftAloneWhenTheMapperDeclines() {
        let r = rewriteWhole(F.createWithStream) { _ in nil }
        #expect(r.text.contains(#""stream":"\#(F.streamURL)""#))
        #expect(r.text.contains(#""get":"http://127.0.0.1:8080/v1/predictions/7vr9my1z3nrj40cjb2vv9pshw0""#))
    }

    @Test func cancelAnswerAndPreviousPage() {
        let doc = #"{"previous":"https://api.replicate.com/v1/predictions?cursor=x","next":null,"results":[]}"#
        #expect(
            rewriteWhole(doc).text
                == #"{"previous":"http://127.0.0.1:8080/v1/predictions?cursor=x","next":null,"results":[]}"#)
    }

    @Test func inputFileURLsAndFileObjectsAreUntouched() {
        let input = #"""
            {"input":{"image":"\#(up)/v1/files/abc","urls":{"get":"\#(up)/v1/predictions/x"}},
             "urls":{"get":"\#(up)/v1/predictions/p"}}
            """#
        let expected = input.replacingOccurrences(of: "\(up)/v1/predictions/p", with: "\(pub)/v1/predictions/p")
        #expect(rewriteWhole(input).text == expected)
        // A file object's own URL ends up in model inputs, which Replicate fetches: keep it.
        let file = #"{"id":"f1","checksums":{"sha256":"00"},"urls":{"get":"\#(up)/v1/files/f1"}}"#
        #expect(rewriteWhole(file).text == file)
        let fileList = #"{"next":"\#(up)/v1/files?cursor=c","results":[{"urls":{"get":"\#(up)/v1/files/f2"}}]}"#
        #expect(
            rewriteWhole(fileList).text
                == #"{"next":"\#(pub)/v1/files?cursor=c","results":[{"urls":{"get":"\#(up)/v1/files/f2"}}]}"#)
    }

    @Test func otherHostsAndLookalikesAreUntouched() {
        for url in [
            "https://api.replicate.com.evil.example/v1/predictions/x", "https://api.replicate.co/v1/x",
            "http://api.replicate.com/v1/predictions/x", "https://api.replicate.com:443/v1/predictions/x",
            "https://example.com/v1/predictions/x", "https://api.replicate.comx", "/v1/predictions/x", "",
        ] {
            let doc = #"{"urls":{"get":"\#(url)","cancel":"\#(url)"},"next":"\#(url)"}"#
            #expect(rewriteWhole(doc).text == doc)
        }
    }

    @Test func boundariesAfterTheOrigin() {
        let doc = #"{"urls":{"get":"\#(up)","cancel":"HTTPS://API.Replicate.com?x"},"next":"\#(up)#f"}"#
        #expect(rewriteWhole(doc).text == #"{"urls":{"get":"\#(pub)","cancel":"\#(pub)?x"},"next":"\#(pub)#f"}"#)
    }

    @Test func escapedURLsAreDecodedAndReencoded() {
        let doc = #"""
            {"urls":{"get":"https:\/\/api.replicate.com\/v1\/predictions\/abc",
                     "cancel":"https:\u002f\u002Fapi.replicate.com/v1/predictions/abc/cancel?q=\"x\""}}
            """#
        let expected = #"""
            {"urls":{"get":"\#(pub)/v1/predictions/abc",
                     "cancel":"\#(pub)/v1/predictions/abc/cancel?q=\"x\""}}
            """#
        #expect(rewriteWhole(doc).text == expected)
    }

    @Test func escapedKeysAreMatched() {
        let doc = #"{"u\u0072ls":{"\u0067et":"\#(up)/v1/predictions/a"},"n\u0065xt":"\#(up)/v1/predictions"}"#
        #expect(
            rewriteWhole(doc).text
                == #"{"u\u0072ls":{"\u0067et":"\#(pub)/v1/predictions/a"},"n\u0065xt":"\#(pub)/v1/predictions"}"#)
    }

    @Test func unchangedStringsKeepTheirExactBytes() {
        // Matched by path but not by host: the escapes stay as they came.
        let doc = #"{"urls":{"get":"https:\/\/example.com\/x","stream":"https:\/\/s.example\/\u00e9"}}"#
        #expect(rewriteWhole(doc).text == doc)
    }

    @Test func streamMapperOutputIsEscaped() {
        let seen = StreamMapRecorder()
        let doc = #"{"urls":{"stream":"https:\/\/s.example\/v1\/streams\/t\u00e9"}}"#
        let r = rewriteWhole(doc) { url in
            _ = seen.mapper(url)
            return "x\"y\\z\n"
        }
        #expect(seen.seen == ["https://s.example/v1/streams/té"])
        #expect(r.text == #"{"urls":{"stream":"x\"y\\z\n"}}"#)
    }

    @Test func loneSurrogateCandidateIsLeftAlone() {
        let doc = #"{"urls":{"get":"https://api.replicate.com/\ud800x"}}"#
        let r = rewriteWhole(doc)
        #expect(r.text == doc)
        #expect(!r.didFail)
    }

    @Test func nonStringValuesAtCandidatePathsPassThrough() {
        let doc = #"""
            {"urls":{"get":null,"cancel":5,"stream":{"get":"\#(up)/x"}},"next":["\#(up)/y"],
             "results":{"urls":{"get":"\#(up)/z"}}}
            """#
        let r = rewriteWhole(doc) { _ in "MAPPED" }
        #expect(r.text == doc)
        #expect(!r.didFail)
    }

    @Test func nestedLookalikesAreNotTouched() {
        let doc = """
            {"output":{"urls":{"get":"https://api.replicate.com/a"},"next":"https://api.replicate.com/b",
             "results":[{"urls":{"get":"https://api.replicate.com/c"}}]},
             "results":[[{"urls":{"get":"https://api.replicate.com/d"}}],
                        {"deep":{"urls":{"get":"https://api.replicate.com/e"}}},
                        "https://api.replicate.com/f",{"next":"https://api.replicate.com/g"}],
             "metrics":{"urls":{"get":"https://api.replicate.com/h"}},
             "urls":{"nested":{"get":"https://api.replicate.com/i"},"get_":"https://api.replicate.com/j"}}
            """
        let r = rewriteWhole(doc) { _ in "MAPPED" }
        #expect(r.text == doc)
        #expect(!r.didFail)
    }

    @Test func everythingElseIsByteForByte() {
        let doc =
            "\u{20}\n{ \"a\" :\t[1, -2.5e+10, true, false, null, {}, [], \"\\u00e9\\ud83d\\ude00 é 😀\"],\r\n"
            + "  \"urls\" : { \"web\" : \"https://replicate.com/p/x\" ,"
            + " \"get\":\"https://api.replicate.com/v1/predictions/x\" } } \n"
        let expected = doc.replacingOccurrences(
            of: "https://api.replicate.com/v1/predictions/x", with: "http://127.0.0.1:8080/v1/predictions/x")
        let r = rewriteWhole(doc)
        #expect(r.text == expected)
        #expect(!r.didFail)
    }

    @Test func documentsThatAreNotObjects() {
        for doc in [
            #"[{"name":"CPU","sku":"cpu"},{"urls":{"get":"https://api.replicate.com/x"}}]"#,
            #""https://api.replicate.com/x""#,
            "42", "null", "[]", "{}",
        ] {
            let r = rewriteWhole(doc)
            #expect(r.text == doc)
            #expect(!r.didFail, "\(doc)")
        }
    }

    @Test func publicBaseWithTrailingSlash() {
        let base = BaseURLRewrite(upstreamBase: "http://127.0.0.1:5001/", publicBase: "https://reprise.example/")
        let doc = Array(#"{"urls":{"get":"http://127.0.0.1:5001/v1/predictions/x"}}"#.utf8)
        let r = JSONURLRewriter.rewrite(doc, base: base)
        let text = String(decoding: r.bytes, as: UTF8.self)
        #expect(text == #"{"urls":{"get":"https://reprise.example/v1/predictions/x"}}"#)
    }

    // MARK: - Malformed input

    @Test(arguments: [
        #"{"urls":{"get":"https://api.replicate.com/v1/predictions/x"}}}"#,
        #"{"urls":{"get":"https://api.replicate.com/v1/predictions/x"}} x"#,
        #"{"urls":{"get":"https://api.replicate.com/v1/predictions/x"},]"#,
        #"{"urls":{"get":"https://api.replicate.com/v1/predictions/x"} "next":"https://api.replicate.com/y"}"#,
    ])
    func malformedAfterARewriteKeepsTheRewriteAndPassesTheRest(doc: String) {
        let r = rewriteWhole(doc)
        #expect(r.didFail)
        #expect(r.text == doc.replacingOccurrences(of: "\(up)/v1/predictions/x", with: "\(pub)/v1/predictions/x"))
    }

    @Test(arguments: [
        #"{"a":]"#, #"{"a" "b"}"#, #"{a:1}"#, #"["a":1]"#, #"{"a":1,}"#,
        #"{"urls":{"get":"https://api.replicate.com/\x"}, "next":"https://api.replicate.com/z"}"#,
        "\u{FEFF}{\"next\":\"https://api.replicate.com/a\"}", #"{"a":1]"#, #"[1}"#, "}", "  ",
        #"{"urls":{"get":"https://api.replicate.com/x"#, #"{"next":"https://api.replicate.com/a\"#,
    ])
    func malformedPassesThroughUnchanged(doc: String) {
        let r = rewriteWhole(doc)
        #expect(r.didFail)
        #expect(r.text == doc)
    }

    @Test func truncatedAfterARewriteKeepsTheRewrite() {
        let r = rewriteWhole(#"{"next":"https://api.replicate.com/a""#)
        #expect(r.didFail)
        #expect(r.text == #"{"next":"http://127.0.0.1:8080/a""#)
    }

    @Test func emptyBodyIsNotAFailure() {
        let r = JSONURLRewriter.rewrite([], base: F.base)
        #expect(r.bytes.isEmpty)
        #expect(!r.didFail)
    }

    @Test func tooDeepFailsOpen() {
        let doc = String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
        let r = rewriteWhole(doc)
        #expect(r.didFail)
        #expect(r.text == doc)
    }

    @Test func invalidUTF8InOtherStringsIsPreserved() {
        var doc = Array(#"{"logs":""#.utf8)
        doc += [0xFF, 0xC3]
        doc += Array(#"","urls":{"get":"https://api.replicate.com/v1/x"}}"#.utf8)
        let r = JSONURLRewriter.rewrite(doc, base: F.base)
        var expected = Array(#"{"logs":""#.utf8)
        expected += [0xFF, 0xC3]
        expected += Array(#"","urls":{"get":"http://127.0.0.1:8080/v1/x"}}"#.utf8)
        #expect(r.bytes == expected)
    }
}
