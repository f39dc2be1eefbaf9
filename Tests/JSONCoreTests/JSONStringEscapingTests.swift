import JSONCore
import Testing

private func unescape(_ body: String) -> JSONStringEscaping.Unescaped {
    JSONStringEscaping.unescape(Array(body.utf8))
}

private func decoded(_ text: String) -> JSONStringEscaping.Unescaped {
    .decoded(Array(text.utf8))
}

@Suite("JSONStringEscaping.unescape")
struct JSONStringEscapingTests {
    @Test func resolvesEveryEscape() {
        #expect(unescape(#"https:\/\/api.replicate.com\/v1"#) == decoded("https://api.replicate.com/v1"))
        #expect(unescape(#"\u0075rls"#) == decoded("urls"))
        #expect(unescape(#"a\"b\\c\b\f\n\r\t"#) == decoded("a\"b\\c\u{8}\u{C}\n\r\t"))
        #expect(unescape(#"\u00e9\u20AC\ud83d\ude02"#) == decoded("é€😂"))
        #expect(unescape("plain é😂 \u{7F}") == decoded("plain é😂 \u{7F}"))
        #expect(unescape("") == decoded(""))
    }

    @Test(arguments: [
        #"\x"#, #"\U0041"#, #"\u12"#, #"\u12G4"#, #"\"#, "a\u{1}b", "a\nb", #"a"b"#, #"\ud83d\uZZZZ"#, #"\ud800\"#,
    ])
    func invalidContent(body: String) {
        #expect(unescape(body) == .invalid)
    }

    @Test func illFormedUTF8IsInvalid() {
        #expect(JSONStringEscaping.unescape([0x61, 0xC0, 0x80]) == .invalid)
        #expect(JSONStringEscaping.unescape([0x5C, 0x6E, 0xED, 0xA0, 0x80]) == .invalid)
        #expect(JSONStringEscaping.unescape([0x61, 0xE2, 0x82]) == .invalid)
    }

    /// Lone surrogates are valid RFC 8259 but have no UTF-8 form, including a high surrogate
    /// that ends the content (inside a document the closing quote would follow it).
    @Test(arguments: [
        #"\ud800"#, #"\udc00"#, #"x\ud800x"#, #"\ud800\u0041"#, #"\ud800\n"#, #"\ude02\ud83d"#,
        #"https://api.replicate.com/\ud800x"#,
    ])
    func loneSurrogatesAreUnrepresentable(body: String) {
        #expect(unescape(body) == .unrepresentable)
    }

    @Test func theFirstProblemDecides() {
        #expect(unescape(#"\ud800\x"#) == .unrepresentable)
        #expect(unescape(#"\x\ud800"#) == .invalid)
    }

    @Test func acceptsAnyCollectionOfBytes() {
        let literal = Array(#""h\u00e9llo""#.utf8)
        let expected = decoded("héllo")
        #expect(JSONStringEscaping.unescape(literal.dropFirst().dropLast()) == expected)
        #expect(JSONStringEscaping.unescape(literal.lazy.map { $0 }.dropFirst().dropLast()) == expected)
        #expect(JSONStringEscaping.unescape(#"h\u00e9llo"#.utf8) == expected)
    }

    /// Whatever the parser accepts as a string, `unescape` decodes to the same bytes.
    @Test func agreesWithTheParser() throws {
        let bodies = [#"a\"b\\c\/d"#, #"\u0000\u001f\u007f"#, "é😂", #"\ud834\udd1e x \uFFFF"#, String(repeating: "ab\\n", count: 40)]
        for body in bodies {
            let parsed = try JSONParser().parse("\"" + body + "\"")
            #expect(unescape(body) == .decoded(parsed.jsonStringValue?.utf8 ?? []))
        }
    }
}
