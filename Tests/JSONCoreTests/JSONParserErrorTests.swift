import JSONCore
import Testing

/// Parses and returns the error, or nil if the text parsed.
private func failure(_ bytes: [UInt8], parser: JSONParser = JSONParser()) -> JSONParseError? {
    do {
        _ = try parser.parse(bytes)
        return nil
    } catch {
        return error
    }
}

private func failure(_ text: String, parser: JSONParser = JSONParser()) -> JSONParseError? {
    failure(Array(text.utf8), parser: parser)
}

@Suite("JSONParser: errors")
struct JSONParserErrorTests {
    @Test(arguments: [
        ("", 0), ("   ", 3), ("[", 1), ("{", 1), (#"{"a""#, 4), (#"{"a":"#, 5), ("[1,", 3), (#""abc"#, 4),
        ("tr", 2), ("-", 1), ("1.", 2), ("1e", 2), ("1e+", 3), (#""\u12"#, 5), (#""\"#, 2), (#""\ud83d"#, 7),
        (#""\ud83d\"#, 8), ("[1 ", 3),
    ])
    func unexpectedEnd(text: String, offset: Int) {
        #expect(failure(text) == JSONParseError(.unexpectedEnd, at: offset))
    }

    @Test(arguments: [
        ("]", 0), ("}", 0), ("[1,]", 3), (#"{"a":1,}"#, 7), ("{,}", 1), ("[1 2]", 3), (#"{"a" 1}"#, 5), ("{1:2}", 1),
        (#"{"a":1]"#, 6), ("[}", 1), ("'a'", 0), ("NaN", 0), ("Infinity", 0), ("+1", 0), (".5", 0), ("[1;2]", 2),
        ("\u{FEFF}{}", 0), ("True", 0),
    ])
    func unexpectedCharacter(text: String, offset: Int) {
        #expect(failure(text) == JSONParseError(.unexpectedCharacter, at: offset))
    }

    @Test(arguments: [("[tru]", 1), ("[nul]", 1), ("fals3", 0), ("nulL", 0)])
    func invalidLiteral(text: String, offset: Int) {
        #expect(failure(text) == JSONParseError(.invalidLiteral, at: offset))
    }

    @Test(arguments: [
        ("01", 1), ("-01", 2), ("00", 1), ("[1.]", 3), ("[1.e5]", 3), ("[-]", 2), ("-a", 1), ("[1e+]", 4), ("1ex", 2),
    ])
    func invalidNumber(text: String, offset: Int) {
        #expect(failure(text) == JSONParseError(.invalidNumber, at: offset))
    }

    @Test func controlCharactersInStrings() {
        for byte in UInt8(0)..<0x20 {
            #expect(failure([0x22, 0x61, byte, 0x22]) == JSONParseError(.controlCharacterInString, at: 2))
        }
    }

    @Test(arguments: [#""\x""#, #""\U0041""#, #""\'""#, #""\0""#, #""a\ ""#])
    func invalidEscape(text: String) {
        #expect(failure(text)?.code == .invalidEscape)
    }

    @Test(arguments: [#""\u12G4""#, #""\u-123""#, #""\u 123""#, #""\ud83d\uZZZZ""#])
    func invalidUnicodeEscape(text: String) {
        #expect(failure(text)?.code == .invalidUnicodeEscape)
    }

    @Test(arguments: [
        #""\ud800""#, #""\udc00""#, #""\udfff""#, #""\ud800\u0041""#, #""\ud800x""#, #""\ud800\n""#, #""\ud800\ud800""#,
        #""\udbff\ue000""#, #""\ude02\ud83d""#, #"{"\ud800":1}"#,
    ])
    func loneSurrogate(text: String) {
        #expect(failure(text)?.code == .loneSurrogate)
    }

    @Test func loneSurrogateReportsTheEscapeOffset() {
        #expect(failure(#"["ab\udc00"]"#) == JSONParseError(.loneSurrogate, at: 4))
    }

    @Test(arguments: [
        [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF],
        [0xF0, 0x80, 0x80, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xFF], [0x80], [0xBF],
        [0xE2, 0x28, 0xA1], [0xC3, 0x41],
        [0xF0, 0x9F, 0x98, 0x41],
    ] as [[UInt8]])
    func invalidUTF8InString(sequence: [UInt8]) {
        #expect(failure([0x22, 0x61] + sequence + [0x22]) == JSONParseError(.invalidUTF8, at: 2))
    }

    @Test func duplicateKeys() {
        #expect(failure(#"{"a":1,"a":2}"#) == JSONParseError(.duplicateKey, at: 7))
        // An escaped and a literal spelling of one key are the same code points.
        #expect(failure(#"{"a":1,"\u0061":2}"#)?.code == .duplicateKey)
        #expect(failure("{\"\u{E9}\":1,\"\\u00e9\":2}")?.code == .duplicateKey)
        #expect(failure(#"{"😂":1,"\ud83d\ude02":2}"#)?.code == .duplicateKey)
        #expect(failure(#"{"x":{"a":1,"b":2,"a":3}}"#)?.code == .duplicateKey)
        // The outer object's keys survive a nested object in between.
        #expect(failure(#"{"a":{"b":1},"b":{"a":1},"a":2}"#)?.code == .duplicateKey)
    }

    @Test func duplicateKeysInLargeObjects() {
        let many = (0..<40).map { "\"k\($0)\":{\"k\($0)\":0}" }
        #expect(failure("{" + many.joined(separator: ",") + "}") == nil)
        let repeated = "{" + many.joined(separator: ",") + #","k3":1}"#
        let offset = repeated.utf8.count - 7
        #expect(failure(repeated) == JSONParseError(.duplicateKey, at: offset))
        let nested = "{\"outer\":{" + many.joined(separator: ",") + "},\"k5\":1,\"outer\":2}"
        #expect(failure(nested)?.code == .duplicateKey)
    }

    @Test func nestingLimit() {
        let limit = JSONParser.defaultMaxDepth
        let deepArray = String(repeating: "[", count: limit) + String(repeating: "]", count: limit)
        #expect(failure(deepArray) == nil)
        let tooDeep = String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1)
        #expect(failure(tooDeep) == JSONParseError(.nestingTooDeep, at: limit))
        let deepObject = String(repeating: #"{"a":"#, count: limit) + "1" + String(repeating: "}", count: limit)
        #expect(failure(deepObject) == nil)
        let tooDeepObject =
            String(repeating: #"{"a":"#, count: limit + 1) + "1" + String(repeating: "}", count: limit + 1)
        #expect(failure(tooDeepObject)?.code == .nestingTooDeep)
        // Far beyond the limit costs no stack: the error comes at the first level too many.
        #expect(failure(String(repeating: "[", count: 100_000)) == JSONParseError(.nestingTooDeep, at: limit))
    }

    @Test func customNestingLimit() {
        let shallow = JSONParser(maxDepth: 2)
        #expect(failure("1", parser: shallow) == nil)
        #expect(failure("[{}]", parser: shallow) == nil)
        #expect(failure(#"[{"a":[]}]"#, parser: shallow) == JSONParseError(.nestingTooDeep, at: 6))
    }

    @Test(arguments: [("{} {}", 3), ("1 2", 2), ("[]x", 2), (#""a""b""#, 3), ("nullnull", 4), ("0 ,", 2)])
    func trailingCharacters(text: String, offset: Int) {
        #expect(failure(text) == JSONParseError(.trailingCharacters, at: offset))
    }

    static let sample = #"{"input":{"prompt":"a \"cat\"\n\u00e9\ud83d\ude02 é😂","n":-12.5e+3,"# +
        #""seed":0,"flags":[true,false,null,[],{}],"x":1E2,"ratio":0.25},"stream":false}"#

    @Test func sampleParses() throws {
        let value = try JSONParser().parse(Self.sample)
        #expect(value["input"]?["prompt"]?.stringValue == "a \"cat\"\né😂 é😂")
    }

    /// Every proper prefix of a document is an error (never a crash, never a value).
    @Test func everyTruncationIsUnexpectedEnd() {
        let bytes = Array(Self.sample.utf8)
        for length in 0..<bytes.count {
            let error = failure(Array(bytes[..<length]))
            #expect(error?.code == .unexpectedEnd, "prefix of \(length) bytes gave \(String(describing: error))")
        }
    }

    /// Single-byte corruptions anywhere either parse or fail cleanly.
    @Test func everySingleByteCorruptionIsHandled() {
        let bytes = Array(Self.sample.utf8)
        let replacements: [UInt8] = [0x00, 0x0A, 0x20, 0x22, 0x2C, 0x2D, 0x2E, 0x30, 0x31, 0x3A, 0x45, 0x5B, 0x5C,
                                     0x5D, 0x65, 0x75, 0x7B, 0x7D, 0x80, 0xC3, 0xED, 0xF0, 0xFF]
        var failures = 0
        for position in bytes.indices {
            for byte in replacements {
                var corrupted = bytes
                corrupted[position] = byte
                if let error = failure(corrupted) {
                    failures += 1
                    #expect(error.offset >= 0 && error.offset <= corrupted.count)
                }
            }
        }
        #expect(failures > bytes.count)
    }

    @Test func errorsDescribeThemselvesWithoutContent() {
        let error = JSONParseError(.duplicateKey, at: 42)
        #expect(error.description == "duplicate key in JSON object at byte 42")
        #expect(error.shortDescription == "duplicate_key")
        for code in JSONParseError.Code.allCases {
            #expect(!JSONParseError(code, at: 0).message.isEmpty)
        }
    }
}
