/// Decodes the content of a JSON string to UTF-8: the one implementation behind `JSONParser`'s
/// strings and `JSONStringEscaping.unescape`.
///
/// This is the hot part of parsing a request body, since prompts and data URIs are most of its
/// bytes. Unescaped runs are found eight bytes at a time, validated in place and copied in one
/// piece; content without escapes (the usual case, and always the case for base64 data URIs)
/// costs a single allocation and copy. Strict: raw control bytes, unknown escapes, short `\u`
/// escapes, lone surrogate escapes and ill-formed UTF-8 (overlongs, encoded surrogates, code
/// points above U+10FFFF) are errors, reported with `JSONParseError`'s codes and byte offsets.
/// Never reads outside the buffer. Stateless; callable from any thread.
enum JSONStringDecoder {
    /// Where the content stops.
    enum End: Equatable {
        /// At an unescaped `"` (the parser's case); running out of buffer is `unexpectedEnd`.
        case closingQuote
        /// At the end of the buffer, which holds exactly the content (`unescape`'s case): a raw
        /// `"` is an error, and a high surrogate escape at the very end is a lone surrogate.
        case bufferEnd
    }

    /// Decodes from `i` (just after an opening quote, or the buffer's start) to the content's
    /// end, leaving `i` after the closing quote (`.closingQuote`) or at the buffer's end.
    static func decode(
        _ buf: UnsafeBufferPointer<UInt8>, at i: inout Int, end: End
    ) throws(JSONParseError) -> [UInt8] {
        var runStart = i
        var decoded: [UInt8] = []
        var hasEscapes = false
        let stop: Int
        scan: while true {
            i = literalRunEnd(buf, from: i)
            guard i < buf.count else {
                guard end == .bufferEnd else { throw JSONParseError(.unexpectedEnd, at: i) }
                stop = i
                break scan
            }
            let byte = buf[i]
            if byte == UInt8(ascii: "\"") {
                guard end == .closingQuote else { throw JSONParseError(.unexpectedCharacter, at: i) }
                stop = i
                i += 1
                break scan
            } else if byte == UInt8(ascii: "\\") {
                if !hasEscapes {
                    hasEscapes = true
                    decoded.reserveCapacity(i - runStart + 64)
                }
                decoded.append(contentsOf: UnsafeBufferPointer(rebasing: buf[runStart..<i]))
                try decodeEscape(buf, at: &i, end: end, into: &decoded)
                runStart = i
            } else if byte < 0x20 {
                throw JSONParseError(.controlCharacterInString, at: i)
            } else {
                try skipMultiByteScalar(buf, at: &i)
            }
        }
        let run = UnsafeBufferPointer(rebasing: buf[runStart..<stop])
        if !hasEscapes { return Array(run) }
        decoded.append(contentsOf: run)
        return decoded
    }

    /// First index at or after `start` holding `"`, `\`, a control byte or a non-ASCII byte.
    /// Eight bytes at a time while none of them is special.
    static func literalRunEnd(_ buf: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var j = start
        let raw = UnsafeRawBufferPointer(buf)
        while j + 8 <= buf.count {
            if hasSpecialByte(raw.loadUnaligned(fromByteOffset: j, as: UInt64.self)) { break }
            j += 8
        }
        while j < buf.count {
            let b = buf[j]
            if b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") || b < 0x20 || b >= 0x80 { break }
            j += 1
        }
        return j
    }

    /// Whether any byte of `w` is `"`, `\`, below 0x20 or above 0x7F.
    @inline(__always)
    static func hasSpecialByte(_ w: UInt64) -> Bool {
        w & 0x8080_8080_8080_8080 != 0 || JSONStringEscaping.wordHasQuoteBackslashOrControl(w)
    }

    /// Validates the UTF-8 sequence whose lead byte (≥ 0x80) is at `i` and steps over it.
    /// Rejects overlongs, encoded surrogates (ED A0–BF) and code points above U+10FFFF.
    static func skipMultiByteScalar(_ buf: UnsafeBufferPointer<UInt8>, at i: inout Int) throws(JSONParseError) {
        let lead = buf[i]
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        let continuations: Int
        switch lead {
        case 0xC2...0xDF: continuations = 1
        case 0xE0: continuations = 2; low = 0xA0
        case 0xED: continuations = 2; high = 0x9F
        case 0xE1...0xEF: continuations = 2
        case 0xF0: continuations = 3; low = 0x90
        case 0xF4: continuations = 3; high = 0x8F
        case 0xF1...0xF3: continuations = 3
        default: throw JSONParseError(.invalidUTF8, at: i)
        }
        for k in 1...continuations {
            guard i + k < buf.count else { throw JSONParseError(.unexpectedEnd, at: buf.count) }
            let b = buf[i + k]
            guard k == 1 ? (low...high).contains(b) : (0x80...0xBF).contains(b) else {
                throw JSONParseError(.invalidUTF8, at: i)
            }
        }
        i += continuations + 1
    }

    /// Decodes the escape at `i` (a backslash) into `out` and steps over it.
    static func decodeEscape(
        _ buf: UnsafeBufferPointer<UInt8>, at i: inout Int, end: End, into out: inout [UInt8]
    ) throws(JSONParseError) {
        let start = i
        guard i + 1 < buf.count else { throw JSONParseError(.unexpectedEnd, at: buf.count) }
        let simple: UInt8
        switch buf[i + 1] {
        case UInt8(ascii: "\""): simple = 0x22
        case UInt8(ascii: "\\"): simple = 0x5C
        case UInt8(ascii: "/"): simple = 0x2F
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "u"):
            i += 2
            var scalar = try hex4(buf, at: &i)
            let lone = JSONParseError(.loneSurrogate, at: start)
            if (0xDC00...0xDFFF).contains(scalar) { throw lone }
            if (0xD800...0xDBFF).contains(scalar) {
                guard i < buf.count else { throw end == .bufferEnd ? lone : JSONParseError(.unexpectedEnd, at: i) }
                guard buf[i] == UInt8(ascii: "\\") else { throw lone }
                guard i + 1 < buf.count else { throw JSONParseError(.unexpectedEnd, at: buf.count) }
                guard buf[i + 1] == UInt8(ascii: "u") else { throw lone }
                i += 2
                let low = try hex4(buf, at: &i)
                guard (0xDC00...0xDFFF).contains(low) else { throw lone }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            appendUTF8(scalar, to: &out)
            return
        default:
            throw JSONParseError(.invalidEscape, at: start)
        }
        out.append(simple)
        i += 2
    }

    /// Reads four hex digits at `i` and steps over them.
    static func hex4(_ buf: UnsafeBufferPointer<UInt8>, at i: inout Int) throws(JSONParseError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard i < buf.count else { throw JSONParseError(.unexpectedEnd, at: i) }
            let b = buf[i]
            let digit: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = b - UInt8(ascii: "A") + 10
            default: throw JSONParseError(.invalidUnicodeEscape, at: i)
            }
            value = value << 4 | UInt32(digit)
            i += 1
        }
        return value
    }

    /// Appends the UTF-8 encoding of a scalar value (never a surrogate) to `out`.
    static func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            out.append(UInt8(scalar))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | scalar >> 6))
            out.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | scalar >> 12))
            out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            out.append(UInt8(0x80 | scalar & 0x3F))
        default:
            out.append(UInt8(0xF0 | scalar >> 18))
            out.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            out.append(UInt8(0x80 | scalar & 0x3F))
        }
    }
}
