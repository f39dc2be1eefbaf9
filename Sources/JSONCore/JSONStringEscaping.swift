/// The one definition of how Reprise escapes the inside of a JSON string, and the one public
/// way to unescape it.
///
/// Escaping follows RFC 8785 §3.2.2.2's rules, which are also a valid RFC 8259 encoding, so plain
/// output and canonical output escape identically: `"` and `\` get a backslash, U+0000–U+001F
/// become `\b \t \n \f \r` or `\u00xx` (lowercase hex), and every other byte (DEL, `/`,
/// non-ASCII UTF-8) is written as it is. Unescaping (`unescape`) is `JSONParser`'s own string
/// decoding, with the same strictness. Stateless; callable from any thread.
public enum JSONStringEscaping {
    /// What `unescape` made of the content of a JSON string.
    public enum Unescaped: Equatable, Sendable {
        /// The decoded UTF-8 bytes (well-formed, no surrogates).
        case decoded([UInt8])
        /// Not the content of a JSON string: an unknown or short escape, a raw control byte or
        /// `"`, ill-formed UTF-8.
        case invalid
        /// RFC 8259 syntax, but a lone UTF-16 surrogate escape (`\ud800`), which has no UTF-8
        /// form and which I-JSON (and so `JSONParser`) rejects.
        case unrepresentable
    }

    /// Decodes the content of a JSON string literal (the bytes between the quotes) to UTF-8,
    /// resolving every escape, so that `"https:\/\/…"` or `"\u0075rls"` compare like their plain
    /// spellings. Where the content has several problems, the first one decides.
    public static func unescape(_ body: some Collection<UInt8>) -> Unescaped {
        if let result = body.withContiguousStorageIfAvailable(unescape(contiguous:)) { return result }
        return Array(body).withUnsafeBufferPointer(unescape(contiguous:))
    }

    static func unescape(contiguous body: UnsafeBufferPointer<UInt8>) -> Unescaped {
        var i = 0
        do throws(JSONParseError) {
            return .decoded(try JSONStringDecoder.decode(body, at: &i, end: .bufferEnd))
        } catch {
            return error.code == .loneSurrogate ? .unrepresentable : .invalid
        }
    }

    @inline(__always)
    public static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    /// Appends the escape sequence for a byte for which `needsEscape` is true.
    public static func appendEscape(_ byte: UInt8, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(byte)
        case 0x08: out.append(UInt8(ascii: "b"))
        case 0x09: out.append(UInt8(ascii: "t"))
        case 0x0A: out.append(UInt8(ascii: "n"))
        case 0x0C: out.append(UInt8(ascii: "f"))
        case 0x0D: out.append(UInt8(ascii: "r"))
        default:
            precondition(byte < 0x20, "byte 0x\(String(byte, radix: 16)) needs no escape")
            let low = byte & 0xF
            out.append(UInt8(ascii: "u"))
            out.append(UInt8(ascii: "0"))
            out.append(UInt8(ascii: "0"))
            out.append(UInt8(ascii: "0") + byte >> 4)
            out.append(low < 10 ? UInt8(ascii: "0") + low : UInt8(ascii: "a") - 10 + low)
        }
    }

    /// Walks `utf8` (the string's content, without quotes) and reports each maximal run of
    /// bytes that are written literally, and each byte that must be escaped, in order.
    /// Runs are found eight bytes at a time, so long plain strings cost little.
    public static func forEachSegment(
        _ utf8: UnsafeRawBufferPointer,
        literal: (UnsafeRawBufferPointer) -> Void,
        escape: (UInt8) -> Void
    ) {
        var start = 0
        while start < utf8.count {
            let end = literalRunEnd(utf8, from: start)
            if end > start { literal(UnsafeRawBufferPointer(rebasing: utf8[start..<end])) }
            guard end < utf8.count else { return }
            escape(utf8[end])
            start = end + 1
        }
    }

    /// First index at or after `start` of a byte that needs escaping, or `utf8.count`.
    static func literalRunEnd(_ utf8: UnsafeRawBufferPointer, from start: Int) -> Int {
        var j = start
        while j + 8 <= utf8.count {
            if wordHasQuoteBackslashOrControl(utf8.loadUnaligned(fromByteOffset: j, as: UInt64.self)) { break }
            j += 8
        }
        while j < utf8.count, !needsEscape(utf8[j]) { j += 1 }
        return j
    }

    /// Whether any byte of `w` is `"`, `\` or below 0x20, with the classic "has a zero byte" /
    /// "has a byte less than n" bit tricks (exact as to whether any byte matches).
    @inline(__always)
    static func wordHasQuoteBackslashOrControl(_ w: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let quote = w ^ (ones &* 0x22)
        let backslash = w ^ (ones &* 0x5C)
        let hasQuote = (quote &- ones) & ~quote
        let hasBackslash = (backslash &- ones) & ~backslash
        let hasControl = (w &- ones &* 0x20) & ~w
        return (hasQuote | hasBackslash | hasControl) & (ones &* 0x80) != 0
    }
}
