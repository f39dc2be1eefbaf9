import JSONCore
import Testing

private func parse(_ text: String) throws -> JSONValue {
    try JSONParser().parse(text)
}

@Suite("JSONParser: valid documents")
struct JSONParserTests {
    @Test func scalarsAtTopLevelWithSurroundingWhitespace() throws {
        #expect(try parse(" \t\r\nnull\n") == .null)
        #expect(try parse("true") == .bool(true))
        #expect(try parse("false") == .bool(false))
        #expect(try parse("\"x\"").stringValue == "x")
        #expect(try parse("0").numberValue?.lexeme == "0")
        #expect(try parse("-0").numberValue?.lexeme == "-0")
    }

    @Test func nestedStructure() throws {
        let v = try parse(#"{"input": {"prompt": "a cat", "n": 3, "tags": ["x", null, true, 1.5]}, "stream": false}"#)
        #expect(v["input"]?["prompt"]?.stringValue == "a cat")
        #expect(v["input"]?["n"]?.intValue == 3)
        #expect(v["input"]?["tags"]?.arrayValue?.count == 4)
        #expect(v["input"]?["tags"]?[1]?.isNull == true)
        #expect(v["input"]?["tags"]?[3]?.doubleValue == 1.5)
        #expect(v["stream"]?.boolValue == false)
        #expect(try parse("[]") == .array([]))
        #expect(try parse("{ }") == .object(JSONObject()))
        #expect(try parse("[[],[[]],{}]") == .array([.array([]), .array([.array([])]), .object(JSONObject())]))
    }

    @Test func objectsKeepMemberOrderAndDecodedKeyBytes() throws {
        let object = try #require(try parse(#"{"b":1,"a":2,"\u00e9":3,"c":4}"#).objectValue)
        #expect(object.keys.map(\.string) == ["b", "a", "é", "c"])
        #expect(object.members[2].key.utf8 == [0xC3, 0xA9])
    }

    @Test func canonicallyEquivalentKeysAreDistinct() throws {
        // U+00E9 and U+0065 U+0301 are the same text to Swift's `==`, but different keys.
        let object = try #require(try parse("{\"\u{E9}\":1,\"e\u{301}\":2,\"\\u0065\\u0301x\":3}").objectValue)
        #expect(object.count == 3)
        #expect(object["\u{E9}"]?.intValue == 1)
        #expect(object["e\u{301}"]?.intValue == 2)
    }

    @Test func sameKeyInDifferentObjectsIsFine() throws {
        let v = try parse(#"{"a":{"a":1},"b":{"a":2,"b":[{"a":3}]}}"#)
        #expect(v["b"]?["b"]?[0]?["a"]?.intValue == 3)
    }

    @Test func escapesDecode() throws {
        let v = try parse(#""q\"b\\s\/b\bf\fn\nr\rt\tu\u0041\u00e9\u20ac\u0000end""#)
        #expect(v.jsonStringValue?.utf8 == Array("q\"b\\s/b\u{8}f\u{C}n\nr\rt\tuAé€\u{0}end".utf8))
    }

    @Test func surrogatePairsDecodeToOneScalar() throws {
        #expect(try parse(#""\ud83d\ude02""#).jsonStringValue?.utf8 == [0xF0, 0x9F, 0x98, 0x82])
        #expect(try parse(#""\uD83D\uDE02""#).stringValue == "😂")
        #expect(try parse(#""\udbff\udfff""#).jsonStringValue?.utf8 == [0xF4, 0x8F, 0xBF, 0xBF])
    }

    @Test func literalUTF8PassesThrough() throws {
        let text = "\"é€😂\u{7F}\u{80}\u{7FF}\u{800}\u{FFFF}\u{10000}\u{10FFFF}\""
        #expect(try parse(text).stringValue == "é€😂\u{7F}\u{80}\u{7FF}\u{800}\u{FFFF}\u{10000}\u{10FFFF}")
    }

    /// Specials at every offset around the eight-byte scanning boundary.
    @Test func specialBytesAtEveryOffsetOfALongString() throws {
        for position in 0..<40 {
            var plain = Array(repeating: UInt8(ascii: "a"), count: 40)
            var escaped = plain
            escaped.replaceSubrange(position..<position + 1, with: Array(#"\n"#.utf8))
            plain[position] = 0x0A
            let decoded = try JSONParser().parse([0x22] + escaped + [0x22])
            #expect(decoded.jsonStringValue?.utf8 == plain, "escape at \(position)")

            var accented = Array(repeating: UInt8(ascii: "a"), count: 40)
            accented.replaceSubrange(position..<position + 1, with: [0xC3, 0xA9])
            #expect(try JSONParser().parse([0x22] + accented + [0x22]).jsonStringValue?.utf8 == accented)

            var control = Array(repeating: UInt8(ascii: "a"), count: 40)
            control[position] = 0x1F
            #expect(throws: JSONParseError(.controlCharacterInString, at: position + 1)) {
                try JSONParser().parse([0x22] + control + [0x22])
            }
        }
    }

    @Test func numbersKeepTheirLexeme() throws {
        for lexeme in ["0", "-0", "1.0", "1E+2", "1e-7", "-12.50e003", "123456789012345678901234567890", "1e400"] {
            #expect(try parse(lexeme).numberValue?.lexeme == lexeme)
            #expect(try parse("[\(lexeme)]")[0]?.numberValue?.lexeme == lexeme)
        }
        #expect(try parse("123456789012345678901234567890").doubleValue == 1.2345678901234568e29)
        #expect(try parse("1e400").doubleValue == nil)
        #expect(try parse("-1e400").doubleValue == nil)
        #expect(try parse("1e-400").doubleValue == 0)
    }

    @Test func largeDataURIString() throws {
        let payload = String(repeating: "QUJDRA==", count: 128 * 1024)
        let body = #"{"input":{"image":"data:image/png;base64,"# + payload + #""}}"#
        let image = try parse(body)["input"]?["image"]?.jsonStringValue
        #expect(image?.utf8.count == 22 + payload.utf8.count)
        #expect(image?.utf8.suffix(8) == Array("QUJDRA==".utf8)[...])
    }

    @Test func parsesOnlyTheGivenSliceOfALargerBuffer() throws {
        let buffer = Array("[1][2]".utf8)
        let first = try buffer.withUnsafeBytes { try JSONParser().parse(UnsafeRawBufferPointer(rebasing: $0[0..<3])) }
        let second = try buffer.withUnsafeBytes { try JSONParser().parse(UnsafeRawBufferPointer(rebasing: $0[3...])) }
        #expect(first == [1])
        #expect(second == [2])
    }

    @Test func stringAndByteEntryPointsAgree() throws {
        let text = #"{"a":[1,"x",{"b":null}]}"#
        #expect(try JSONParser().parse(text) == JSONParser().parse(Array(text.utf8)))
    }

    @Test func manyMembersStillLookedUpAndOrdered() throws {
        let members = (0..<100).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        let object = try #require(try parse("{\(members)}").objectValue)
        #expect(object.count == 100)
        #expect(object.keys.map(\.string) == (0..<100).map { "k\($0)" })
        #expect(object["k73"]?.intValue == 73)
    }
}
