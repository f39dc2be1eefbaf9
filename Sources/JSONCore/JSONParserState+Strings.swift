// String decoding for `JSONParserState`: the hot part of parsing a request body, since
// prompts and data URIs are most of its bytes.

extension JSONParserState {
    /// Decodes the string whose opening quote is at `i`, leaving `i` after the closing quote.
    ///
    /// Unescaped runs are validated in place and copied in one piece; a string without
    /// escapes (the usual case, and always the case for base64 data URIs) costs a single
    /// allocation and copy.
    mutating func parseString() throws(JSONParseError) -> JSONString {
        i += 1
        var runStart = i
        var decoded: [UInt8] = []
        var hasEscapes = false
        while true {
            i = literalRunEnd(from: i)
            guard i < buf.count else { throw error(.unexpectedEnd) }
            let byte = buf[i]
            if byte == UInt8(ascii: "\"") {
                let run = UnsafeBufferPointer(rebasing: buf[runStart..<i])
                i += 1
                if !hasEscapes { return JSONString(validatedUTF8: Array(run)) }
                decoded.append(contentsOf: run)
                return JSONString(validatedUTF8: decoded)
            } else if byte == UInt8(ascii: "\\") {
                if !hasEscapes {
                    hasEscapes = true
                    decoded.reserveCapacity(i - runStart + 64)
                }
                decoded.append(contentsOf: UnsafeBufferPointer(rebasing: buf[runStart..<i]))
                try decodeEscape(into: &decoded)
                runStart = i
            } else if byte < 0x20 {
                throw error(.controlCharacterInString)
            } else {
                try skipMultiByteScalar()
            }
        }
    }

    /// First index at or after `start` holding `"`, `\`, a control byte or a non-ASCII byte.
    /// Eight bytes at a time while none of them is special.
    func literalRunEnd(from start: Int) -> Int {
        var j = start
        let raw = UnsafeRawBufferPointer(buf)
        while j + 8 <= buf.count {
            if Self.hasSpecialByte(raw.loadUnaligned(fromByteOffset: j, as: UInt64.self)) { break }
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
    mutating func skipMultiByteScalar() throws(JSONParseError) {
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
        default: throw error(.invalidUTF8)
        }
        for k in 1...continuations {
            guard i + k < buf.count else { throw error(.unexpectedEnd, at: buf.count) }
            let b = buf[i + k]
            guard k == 1 ? (low...high).contains(b) : (0x80...0xBF).contains(b) else {
                throw error(.invalidUTF8)
            }
        }
        i += continuations + 1
    }

    /// Decodes the escape at `i` (a backslash) into `out` and steps over it.
    mutating func decodeEscape(into out: inout [UInt8]) throws(JSONParseError) {
        let start = i
        guard i + 1 < buf.count else { throw error(.unexpectedEnd, at: buf.count) }
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
            var scalar = try hex4()
            if (0xDC00...0xDFFF).contains(scalar) { throw error(.loneSurrogate, at: start) }
            if (0xD800...0xDBFF).contains(scalar) {
                guard i < buf.count else { throw error(.unexpectedEnd) }
                guard buf[i] == UInt8(ascii: "\\") else { throw error(.loneSurrogate, at: start) }
                guard i + 1 < buf.count else { throw error(.unexpectedEnd, at: buf.count) }
                guard buf[i + 1] == UInt8(ascii: "u") else { throw error(.loneSurrogate, at: start) }
                i += 2
                let low = try hex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw error(.loneSurrogate, at: start) }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            Self.appendUTF8(scalar, to: &out)
            return
        default:
            throw error(.invalidEscape, at: start)
        }
        out.append(simple)
        i += 2
    }

    /// Reads four hex digits at `i` and steps over them.
    mutating func hex4() throws(JSONParseError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard i < buf.count else { throw error(.unexpectedEnd) }
            let b = buf[i]
            let digit: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = b - UInt8(ascii: "A") + 10
            default: throw error(.invalidUnicodeEscape)
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
