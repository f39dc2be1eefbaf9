/// Decodes the body of a JSON string literal (the bytes between the quotes) to UTF-8.
///
/// Used on the few strings the URL rewriter must compare (object keys on its paths, candidate
/// URL values), so that `"https:\/\/api.replicate.com\/v1\/…"` or `"\u0075rls"` match like
/// their plain spellings. Stateless.
enum JSONStringUnescaper {
    enum Result: Equatable {
        /// The decoded UTF-8 bytes.
        case decoded([UInt8])
        /// Not valid JSON: an unknown escape, a short `\u`, a raw control byte.
        case invalid
        /// Valid JSON that has no UTF-8 form (a lone UTF-16 surrogate): compare nothing, change
        /// nothing.
        case unrepresentable
    }

    static func unescape<C: Collection>(_ body: C) -> Result where C.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(body.count)
        var i = body.startIndex
        while i != body.endIndex {
            let b = body[i]
            body.formIndex(after: &i)
            if b < 0x20 { return .invalid }
            guard b == UInt8(ascii: "\\") else {
                out.append(b)
                continue
            }
            guard i != body.endIndex else { return .invalid }
            let e = body[i]
            body.formIndex(after: &i)
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard let unit = hex4(body, &i) else { return .invalid }
                var scalarValue = UInt32(unit)
                if (0xD800...0xDBFF).contains(unit) {
                    // A high surrogate must be followed by `\u` and a low one.
                    guard body[i...].starts(with: [UInt8(ascii: "\\"), UInt8(ascii: "u")]) else {
                        return .unrepresentable
                    }
                    var j = body.index(i, offsetBy: 2)
                    guard let low = hex4(body, &j) else { return .invalid }
                    guard (0xDC00...0xDFFF).contains(low) else { return .unrepresentable }
                    scalarValue = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                    i = j
                } else if (0xDC00...0xDFFF).contains(unit) {
                    return .unrepresentable
                }
                guard let scalar = Unicode.Scalar(scalarValue) else { return .unrepresentable }
                UTF8.encode(scalar) { out.append($0) }
            default:
                return .invalid
            }
        }
        return .decoded(out)
    }

    /// Four hex digits at `i` as a UTF-16 code unit, advancing `i` past them.
    private static func hex4<C: Collection>(_ body: C, _ i: inout C.Index) -> UInt16? where C.Element == UInt8 {
        var value: UInt16 = 0
        for _ in 0..<4 {
            guard i != body.endIndex else { return nil }
            let c = body[i]
            let digit: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt16(digit)
            body.formIndex(after: &i)
        }
        return value
    }
}
