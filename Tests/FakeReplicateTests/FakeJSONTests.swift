import Testing

@testable import FakeReplicate

@Suite struct FakeJSONTests {
    static func parse(_ s: String) -> FakeJSON? {
        try? FakeJSON.parse(Array(s.utf8))
    }

    @Test func parsesNestedValues() throws {
        let v = try FakeJSON.parse(Array(#" {"a":[1,-2.5e3,true,false,null],"b":{"c":"d"}} "#.utf8))
        #expect(v["a"] == .array([.number("1"), .number("-2.5e3"), .bool(true), .bool(false), .null]))
        #expect(v["b"]?["c"] == .string("d"))
        #expect(v["missing"] == nil)
    }

    @Test func decodesEscapesAndSurrogatePairs() {
        #expect(Self.parse(#""a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00""#) == .string("a\"\\/\u{8}\u{c}\n\r\té😀"))
        // Lone surrogates become U+FFFD rather than failing.
        #expect(Self.parse(#""\ud800x""#) == .string("\u{FFFD}x"))
        #expect(Self.parse(#""\udc00""#) == .string("\u{FFFD}"))
    }

    @Test func rejectsMalformedDocuments() {
        let bad = [
            "", " ", "{", "[1,]", "{\"a\":1,}", "01", "1.", ".5", "-", "1e", "+1", "tru", "nul", "\"abc",
            "\"a\u{1}b\"", "\"\\x\"", "\"\\u12\"", "{\"a\" 1}", "{1:2}", "[1 2]", "1 2", "{}x", "NaN",
        ]
        for s in bad {
            #expect(Self.parse(s) == nil, "\(s.debugDescription)")
        }
    }

    @Test func everyStrictPrefixOfADocumentIsRejected() {
        let doc = #"{"input":{"text":"h\u00e9llo","n":[1,2.5,-3e2]},"stream":true,"w":null}"#
        let bytes = Array(doc.utf8)
        for n in 0..<bytes.count {
            #expect((try? FakeJSON.parse(Array(bytes[0..<n]))) == nil, "prefix \(n)")
        }
        #expect((try? FakeJSON.parse(bytes)) != nil)
    }

    @Test func limitsNesting() {
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(Self.parse(ok) != nil)
        #expect(Self.parse(deep) == nil)
    }

    @Test func writesCompactJSONKeepingNumberText() throws {
        let v = try FakeJSON.parse(Array(" { \"b\" : [ 1.50 , \"x\\ny\" ] , \"a\" : { } } ".utf8))
        #expect(String(decoding: v.jsonBytes, as: UTF8.self) == #"{"b":[1.50,"x\ny"],"a":{}}"#)
    }

    @Test func numericAccessors() {
        #expect(FakeJSON.number("3").integerValue == 3)
        #expect(FakeJSON.number("3.0").integerValue == 3)
        #expect(FakeJSON.number("3.5").integerValue == nil)
        #expect(FakeJSON.number("2.5e-1").doubleValue == 0.25)
        #expect(FakeJSON.string("3").integerValue == nil)
    }
}
