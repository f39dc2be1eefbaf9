/// Finds control characters in header field values, eight bytes at a time.
///
/// RFC 9110 §5.5: a field value holding NUL, CR or LF must be rejected or altered, and other
/// controls are invalid. http-parser lets NUL and most controls through, so the adapter checks
/// each value itself; values are on every request, so the check works on whole words and only
/// looks at single bytes in a word that has a candidate. Stateless.
enum FieldValueCheck {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// True when `bytes` holds a byte below 0x20 other than HTAB, or DEL (0x7F).
    static func hasControlCharacter(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        let n = bytes.count
        while i + 8 <= n {
            let w = bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            // Some byte < 0x20, or some byte == 0x7F (zero after xor): check that word closely.
            let below = (w &- ones &* 0x20) & ~w & highs
            let x = w ^ (ones &* 0x7F)
            let del = (x &- ones) & ~x & highs
            if below | del != 0 && slowCheck(bytes, i, i + 8) { return true }
            i += 8
        }
        return slowCheck(bytes, i, n)
    }

    private static func slowCheck(_ bytes: UnsafeRawBufferPointer, _ from: Int, _ to: Int) -> Bool {
        var i = from
        while i < to {
            let b = bytes[i]
            if (b < 0x20 && b != 0x09) || b == 0x7F { return true }
            i += 1
        }
        return false
    }
}
