import CacheCore
import JSONCore
import Testing

@Suite("CanonicalJSON")
struct CanonicalJSONTests {
    @Test func numberSpellingsOfOneValueAgree() throws {
        for spelling in ["1", "1.0", "1e0", "10e-1", "0.1e1", "1.000", "100E-2", "1E+0"] {
            #expect(try canonical(spelling) == "1", "\(spelling)")
        }
        for spelling in ["-0", "-0.0", "0e10", "0.0", "-0E-5"] {
            #expect(try canonical(spelling) == "0", "\(spelling)")
        }
    }

    @Test(arguments: [
        ("999999999999999", "999999999999999"), ("-999999999999999", "-999999999999999"),
        ("1000000000000000", "1000000000000000"), ("9007199254740993", "9007199254740992"),
        ("123456789012345678901234567890", "1.2345678901234568e+29"), ("1e21", "1e+21"),
        ("1e20", "100000000000000000000"),
        ("0.000001", "0.000001"), ("0.0000001", "1e-7"), ("1.5e-7", "1.5e-7"), ("-12.50e003", "-12500"),
        ("1e-400", "0"), ("-1e-400", "0"), ("4.50", "4.5"), ("2e-3", "0.002"), ("1E30", "1e+30"),
    ])
    func numbersTakeTheirECMAScriptForm(text: String, expected: String) throws {
        #expect(try canonical(text) == expected)
    }

    @Test(arguments: ["1e400", "-1e400", "1" + String(repeating: "0", count: 400), "[1, {\"a\": 2e308}]"])
    func numbersBeyondDoubleAreErrors(text: String) throws {
        let value = try JSONParser().parse(text)
        #expect(throws: CanonicalJSONError(.numberOutOfRange)) { try CanonicalJSON.bytes(of: value) }
    }

    @Test func whitespaceAndMemberOrderDoNotMatter() throws {
        let a = try canonical(#"{"b": [1, 2, {"z": null, "y": true}], "a": "x"}"#)
        let b = try canonical(" {\n\t\"a\":\"x\",\r\n \"b\":[ 1,2 , { \"y\" : true , \"z\" : null } ] } ")
        #expect(a == #"{"a":"x","b":[1,2,{"y":true,"z":null}]}"#)
        #expect(a == b)
        // Array order does matter.
        #expect(try canonical("[2,1]") == "[2,1]")
    }

    @Test func stringsAreEscapedMinimally() throws {
        let text = #""\u0000\u0001\u001F\b\t\n\f\r\"\\\/\u007f\u00e9\u20ac\ud83d\ude02</script>""#
        #expect(try canonical(text) == "\"\\u0000\\u0001\\u001f\\b\\t\\n\\f\\r\\\"\\\\/\u{7F}é€😂</script>\"")
    }

    @Test func keysSortByUTF16CodeUnits() throws {
        // U+10000 is D800 DC00 in UTF-16, below U+E000 and U+FFFF, although its UTF-8 sorts above them.
        let text = "{\"\u{FFFF}\":1,\"\u{10000}\":2,\"\u{E000}\":3,\"\u{D7FF}\":4,\"b\":5,\"aa\":6,\"a\":7,"
            + "\"\":8,\"\u{10FFFF}\":9}"
        let expected = "{\"\":8,\"a\":7,\"aa\":6,\"b\":5,\"\u{D7FF}\":4,\"\u{10000}\":2,\"\u{10FFFF}\":9,"
            + "\"\u{E000}\":3,\"\u{FFFF}\":1}"
        #expect(try canonical(text) == expected)
    }

    @Test func canonicallyEquivalentKeysStayDistinct() throws {
        let text = "{\"e\u{301}\":1,\"\u{E9}\":2}"
        #expect(try canonical(text) == "{\"e\u{301}\":1,\"\u{E9}\":2}")
        // Compared as bytes: Swift's `String ==` would call these equal.
        #expect(try Array(canonical(#""\u00e9""#).utf8) != Array(canonical(#""e\u0301""#).utf8))
    }

    @Test func deepNestingUpToTheParserLimit() throws {
        let depth = JSONParser.defaultMaxDepth
        let text = String(repeating: #"{"a":["#, count: depth / 2) + "1" + String(repeating: "]}", count: depth / 2)
        #expect(try canonical(text) == text)
    }

    /// The chunked output equals the materialised output whatever the chunk size (short
    /// chunks do stream in several writes), and the buffer is reused from one call to the next.
    @Test(arguments: [1, 2, 3, 7, 64, CanonicalJSON.defaultChunkCapacity])
    func streamingInChunksGivesTheSameBytes(chunkCapacity: Int) throws {
        let text = try String(decoding: Fixtures.jcs("input/weird.json"), as: UTF8.self)
        let value = try JSONParser().parse(text)
        let expected = try CanonicalJSON.bytes(of: value)
        var canonicalizer = CanonicalJSON(chunkCapacity: chunkCapacity)
        for _ in 0..<2 {
            var sink = RecordingSink()
            try canonicalizer.write(value, to: &sink)
            #expect(sink.joined == expected)
            if chunkCapacity >= expected.count {
                #expect(sink.writes.count == 1)
            } else {
                #expect(sink.writes.count > 1)
            }
        }
    }

    @Test func longStringRunsBypassTheChunkBuffer() throws {
        let payload = String(repeating: "QUJD", count: 25_000)
        let value: JSONValue = ["image": .string(JSONString("data:image/png;base64," + payload)), "n": 1]
        var canonicalizer = CanonicalJSON(chunkCapacity: 1024)
        var sink = RecordingSink()
        try canonicalizer.write(value, to: &sink)
        #expect(sink.joined == Array(("{\"image\":\"data:image/png;base64," + payload + "\",\"n\":1}").utf8))
        #expect(sink.writes.contains { $0.count >= payload.utf8.count })
    }

    @Test func reusableAfterAnError() throws {
        var canonicalizer = CanonicalJSON(chunkCapacity: 4)
        var discarded: [UInt8] = []
        #expect(throws: CanonicalJSONError.self) {
            try canonicalizer.write(try JSONParser().parse(#"{"a":"long string","b":1e999}"#), to: &discarded)
        }
        var out: [UInt8] = []
        try canonicalizer.write(try JSONParser().parse(#"{"b":2,"a":1}"#), to: &out)
        #expect(String(decoding: out, as: UTF8.self) == #"{"a":1,"b":2}"#)
    }

    @Test func appendsToAReusedBuffer() throws {
        var canonicalizer = CanonicalJSON()
        var buffer: [UInt8] = []
        try canonicalizer.write(["b": 1, "a": 2], to: &buffer)
        buffer.removeAll(keepingCapacity: true)
        try canonicalizer.write([3, "x"], to: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == #"[3,"x"]"#)
    }
}
