/// A JSON number as written: the lexeme is kept so that nothing is lost (big integers, extra
/// digits), and it is converted to a `Double` only when someone asks.
///
/// Equality and hashing compare the lexemes, so `1` and `1.0` are different `JSONNumber`s;
/// RFC 8785 canonicalisation (in CacheCore) is what makes them the same.
/// Invariant: `lexeme` matches RFC 8259's `number` grammar. Value type; `Sendable`.
public struct JSONNumber: Hashable, Sendable, CustomStringConvertible {
    /// The number's text, e.g. `-12.5e3`. Lexemes of up to 15 bytes are stored inline by
    /// `String`, so most numbers cost no allocation.
    public let lexeme: String

    /// Wraps a lexeme the parser has already matched against the grammar.
    init(validatedLexeme: String) {
        lexeme = validatedLexeme
    }

    /// Validates `lexeme` against RFC 8259's number grammar; nil if it does not match.
    public init?(lexeme: String) {
        var text = lexeme
        let valid = text.withUTF8 { buf in
            (try? JSONParserState.numberEnd(buf, from: 0)) == buf.count && !buf.isEmpty
        }
        guard valid else { return nil }
        self.lexeme = text
    }

    public init(_ value: Int) {
        lexeme = String(value)
    }

    /// A number with `value`'s shortest round-trip digits. `value` must be finite: JSON has
    /// no NaN or infinity.
    public init(_ value: Double) {
        precondition(value.isFinite, "JSON cannot represent \(value)")
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        lexeme = text
    }

    /// The nearest IEEE-754 double, or nil when the magnitude overflows a double (`1e400`).
    /// Tiny magnitudes round to zero, as in ECMAScript.
    public var double: Double? {
        guard let d = Double(lexeme), d.isFinite else { return nil }
        return d
    }

    /// The value as an `Int` when it is a whole number that fits (`3`, `3.0`, `3e2`).
    public var int: Int? {
        if isIntegerLexeme { return Int(lexeme) }
        guard let d = double, d.rounded(.towardZero) == d else { return nil }
        return Int(exactly: d)
    }

    /// True when the lexeme has neither a fraction nor an exponent.
    public var isIntegerLexeme: Bool {
        !lexeme.utf8.contains { $0 == UInt8(ascii: ".") || $0 | 0x20 == UInt8(ascii: "e") }
    }

    public var description: String { lexeme }
}
