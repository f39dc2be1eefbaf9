import JSONCore
import Testing

@Suite("JSONValue, JSONObject, JSONNumber")
struct JSONValueTests {
    @Test func accessorsAnswerNilForTheWrongKind() {
        let value: JSONValue = ["a": [1, "x"], "b": 2.5, "c": true, "d": .null]
        #expect(value["a"]?[1]?.stringValue == "x")
        #expect(value["a"]?[2] == nil)
        #expect(value["a"]?[-1] == nil)
        #expect(value["b"]?.doubleValue == 2.5)
        #expect(value["b"]?.intValue == nil)
        #expect(value["b"]?.stringValue == nil)
        #expect(value["c"]?.boolValue == true)
        #expect(value["d"]?.isNull == true)
        #expect(value["missing"] == nil)
        #expect(value["a"]?["key"] == nil)
        #expect(value[0] == nil)
        #expect(value.objectValue?.count == 4)
        #expect(value["a"]?.arrayValue?.count == 2)
    }

    @Test func numberConversions() throws {
        func number(_ lexeme: String) throws -> JSONNumber { try #require(JSONNumber(lexeme: lexeme)) }
        #expect(try number("3").int == 3)
        #expect(try number("3.0").int == 3)
        #expect(try number("3e2").int == 300)
        #expect(try number("-0").int == 0)
        #expect(try number("3.5").int == nil)
        #expect(try number("1e400").int == nil)
        #expect(try number("99999999999999999999").int == nil)
        #expect(try number("0.1").double == 0.1)
        #expect(try number("3").isIntegerLexeme)
        #expect(try !number("3E0").isIntegerLexeme)
    }

    @Test func numberLexemesAreValidated() {
        for valid in ["0", "-0", "1", "-0.5e3", "1E+2", "10e-1", "123456789012345678901234567890"] {
            #expect(JSONNumber(lexeme: valid)?.lexeme == valid)
        }
        for invalid in ["", "-", "01", "1.", ".5", "+1", "1e", "abc", " 1", "1 ", "0x10", "NaN", "Infinity"] {
            #expect(JSONNumber(lexeme: invalid) == nil, "\(invalid)")
        }
    }

    @Test func numbersFromSwiftValuesAreValidLexemes() {
        #expect(JSONNumber(42).lexeme == "42")
        #expect(JSONNumber(1.0).lexeme == "1")
        #expect(JSONNumber(-0.0).lexeme == "-0")
        #expect(JSONNumber(0.1).lexeme == "0.1")
        for d in [1e-7, 1e21, Double.leastNonzeroMagnitude, 1.7976931348623157e308, -2.5] {
            #expect(JSONNumber(lexeme: JSONNumber(d).lexeme) != nil)
            #expect(JSONNumber(d).double == d)
        }
    }

    @Test func objectMutationKeepsOrderAndUniqueness() {
        var object: JSONObject = ["b": 1, "a": 2]
        object["b"] = 10
        object["c"] = 3
        #expect(object.keys.map(\.string) == ["b", "a", "c"])
        #expect(object["b"] == 10)
        object["a"] = nil
        #expect(object.keys.map(\.string) == ["b", "c"])
        object["missing"] = nil
        #expect(object.count == 2)
    }

    @Test func objectLookupUsesExactCodePoints() {
        let object: JSONObject = ["\u{E9}": 1]
        #expect(object["\u{E9}"] == 1)
        #expect(object["e\u{301}"] == nil)
        #expect(JSONString("\u{E9}") != JSONString("e\u{301}"))
        #expect(JSONString("\u{E9}").hasSameCodePoints(as: "\u{E9}"))
        #expect(!JSONString("\u{E9}").hasSameCodePoints(as: "e\u{301}"))
    }

    @Test func equalityIsLexicalAndOrdered() throws {
        #expect(try JSONParser().parse("1") != JSONParser().parse("1.0"))
        #expect(try JSONParser().parse(#"{"a":1,"b":2}"#) != JSONParser().parse(#"{"b":2,"a":1}"#))
        #expect(try JSONParser().parse(#"{"a": [1, "x"]}"#) == ["a": [1, "x"]])
    }
}

@Suite("JSONValue serialisation")
struct JSONValueSerializationTests {
    private func serialized(_ value: JSONValue) -> String {
        String(decoding: value.serialized(), as: UTF8.self)
    }

    @Test func compactOrderPreservingAndLexical() throws {
        let text = #"{ "z" : [ 1.0, -0, 1E2, "x" ], "a" : { "n" : null, "t" : true, "f" : false } }"#
        let compact = #"{"z":[1.0,-0,1E2,"x"],"a":{"n":null,"t":true,"f":false}}"#
        #expect(try serialized(JSONParser().parse(text)) == compact)
    }

    @Test func stringsEscapeOnlyWhatMustBeEscaped() throws {
        let value = try JSONParser().parse(#""\u0001\u001f\b\t\n\f\r\"\\\/\u007f\u00e9\ud83d\ude02""#)
        #expect(serialized(value) == "\"\\u0001\\u001f\\b\\t\\n\\f\\r\\\"\\\\/\u{7F}é😂\"")
    }

    @Test func everyControlByteEscapesLikeJSONWriter() {
        for byte in UInt8(0)..<0x80 {
            let text = String(decoding: [byte], as: UTF8.self)
            var writer = JSONWriter()
            writer.string(text)
            #expect(JSONValue.string(JSONString(text)).serialized() == writer.bytes, "byte \(byte)")
        }
        var writer = JSONWriter()
        writer.string("\u{0}\u{1F}")
        #expect(writer.bytes == Array(#""\u0000\u001f""#.utf8))
    }

    @Test func escapesAtEveryOffsetAroundTheWordBoundary() {
        for position in 0..<24 {
            var content = Array(repeating: UInt8(ascii: "a"), count: 24)
            content[position] = UInt8(ascii: "\"")
            let out = JSONValue.string(JSONString(String(decoding: content, as: UTF8.self))).serialized()
            var expected: [UInt8] = [0x22] + content + [0x22]
            expected.insert(UInt8(ascii: "\\"), at: position + 1)
            #expect(out == expected)
        }
    }

    @Test func roundTrips() throws {
        let text = #"{"input":{"prompt":"é\n\"q\"","n":[1,2.5,-3e-7],"deep":[[{"x":{}}]]},"stream":true}"#
        let value = try JSONParser().parse(text)
        #expect(try JSONParser().parse(value.serialized()) == value)
        #expect(serialized(value) == text)
    }
}
