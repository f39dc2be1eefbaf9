/// Parses one scalar's text into a typed value, or says why it cannot.
typealias ValueParser<T> = (String) throws(ConfigValueError) -> T

/// The parsers the decoder applies per key, with each key's range rules. The same parser reads
/// the file and the environment, so both are validated alike. Pure.
enum ValueParsers {
    static func duration(allowZero: Bool) -> ValueParser<Duration> {
        { (text: String) throws(ConfigValueError) -> Duration in
            let d = try DurationSyntax.parse(text)
            if !allowZero, d == .zero { throw ConfigValueError("must be longer than 0s") }
            return d
        }
    }

    static func size(atLeast minimum: ByteSize) -> ValueParser<ByteSize> {
        { (text: String) throws(ConfigValueError) -> ByteSize in
            let size = try ByteSize(parsing: text)
            if size < minimum { throw ConfigValueError("\(ValueText.quoted(text)) is below the minimum of \(minimum)") }
            return size
        }
    }

    static func integer(_ range: ClosedRange<Int>) -> ValueParser<Int> {
        { (text: String) throws(ConfigValueError) -> Int in
            let digits = text.hasPrefix("-") ? text.dropFirst() : text[...]
            guard ValueText.isDigits(digits), digits.count <= 18, let n = Int(text) else {
                throw ConfigValueError("\(ValueText.quoted(text)) is not a whole number")
            }
            guard range.contains(n) else {
                throw ConfigValueError("\(n) is out of range (\(range.lowerBound) to \(range.upperBound))")
            }
            return n
        }
    }

    static func boolean(_ text: String) throws(ConfigValueError) -> Bool {
        switch text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: throw ConfigValueError("\(ValueText.quoted(text)) is not a bool; write true or false")
        }
    }

    /// A non-negative decimal (`0.000725`, `9.5`, `1e-4`); no signs, `inf` or `nan`.
    static func number(_ text: String) throws(ConfigValueError) -> Double {
        if text.hasPrefix("-") { throw ConfigValueError("\(ValueText.quoted(text)) must not be negative") }
        guard isDecimal(text), let value = Double(text), value.isFinite else {
            throw ConfigValueError("\(ValueText.quoted(text)) is not a number")
        }
        return value
    }

    /// Any text without control characters (they would end up inside Redis keys and logs).
    static func string(_ text: String) throws(ConfigValueError) -> String {
        guard text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
            throw ConfigValueError("must not contain control characters (newlines, tabs…)")
        }
        return text
    }

    /// Space-separated host name suffixes (`replicate.net replicate.com`; commas also separate,
    /// a leading dot is dropped): letters, digits, `-` and inner dots. Lowercased; may be empty.
    static func hostSuffixes(_ text: String) throws(ConfigValueError) -> [String] {
        var out: [String] = []
        for word in text.split(whereSeparator: { $0 == " " || $0 == "," }) {
            let suffix = String(word.hasPrefix(".") ? word.dropFirst() : word).lowercased()
            let labels = suffix.split(separator: ".", omittingEmptySubsequences: false)
            guard !suffix.isEmpty,
                labels.allSatisfy({ label in
                    !label.isEmpty && label.utf8.allSatisfy { $0 == 0x2D || (0x30...0x39).contains($0) || (0x61...0x7A).contains($0) }
                })
            else { throw ConfigValueError("'\(word)' is not a host name suffix (like replicate.net)") }
            out.append(suffix)
        }
        return out
    }

    /// A name such as a hardware SKU: letters, digits, `-`, `_`, `.`.
    static func name(_ text: String) throws(ConfigValueError) -> String {
        guard ValueText.isHost(text, allowColons: false) else {
            throw ConfigValueError("\(ValueText.quoted(text)) may only hold letters, digits, '-', '_' and '.'")
        }
        return text
    }

    static func choice<E: RawRepresentable & CaseIterable>(_: E.Type) -> ValueParser<E> where E.RawValue == String {
        { (text: String) throws(ConfigValueError) -> E in
            guard let value = E(rawValue: text) else {
                let words = E.allCases.map(\.rawValue).joined(separator: ", ")
                throw ConfigValueError("\(ValueText.quoted(text)) is not one of \(words)")
            }
            return value
        }
    }

    private static func isDecimal(_ text: String) -> Bool {
        var rest = Substring(text)
        let whole = rest.prefix(while: { $0.isASCII && $0.isNumber })
        guard !whole.isEmpty else { return false }
        rest = rest.dropFirst(whole.count)
        if rest.first == "." {
            let fraction = rest.dropFirst().prefix(while: { $0.isASCII && $0.isNumber })
            guard !fraction.isEmpty else { return false }
            rest = rest.dropFirst(1 + fraction.count)
        }
        if rest.first == "e" || rest.first == "E" {
            rest = rest.dropFirst()
            if rest.first == "+" || rest.first == "-" { rest = rest.dropFirst() }
            return ValueText.isDigits(rest)
        }
        return rest.isEmpty
    }
}
