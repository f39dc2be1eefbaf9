/// The character sets Reprise accepts for the names it takes out of paths and bodies
/// (prediction ids, stream tokens, model owners and names, version ids).
///
/// These names end up in Redis keys, log fields and URLs Reprise writes, so anything outside
/// a small safe set is refused: the caller then treats the request as one it does not
/// understand (pass it through, or do not cache it), and upstream answers. Stateless.
enum SafeName {
    /// Prediction ids and stream tokens: `[A-Za-z0-9_-]{1,64}` (Replicate's ids and Reprise's
    /// own are 26 lowercase base32 characters).
    static func isIdentifier<C: Collection>(_ s: C) -> Bool where C.Element == UInt8 {
        s.count >= 1 && s.count <= 64 && s.allSatisfy(isIdentifierByte)
    }

    /// Model or deployment owners and names: `[A-Za-z0-9_.-]{1,100}`, not `.` or `..` (names
    /// such as `flux-1.1-pro` have dots; a dot segment must never pass as a name).
    static func isModelComponent<C: Collection>(_ s: C) -> Bool where C.Element == UInt8 {
        isDottedName(s, maxLength: 100)
    }

    /// A version id after `owner/name:`: `[A-Za-z0-9_.-]{1,128}`, not all dots (usually 64
    /// hex digits; deployment-style ids such as `dp-…` also appear in responses).
    static func isVersionReference<C: Collection>(_ s: C) -> Bool where C.Element == UInt8 {
        isDottedName(s, maxLength: 128)
    }

    /// Exactly 64 lowercase hex digits: a bare Replicate version id.
    static func isVersionID<C: Collection>(_ s: C) -> Bool where C.Element == UInt8 {
        s.count == 64 && s.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    private static func isDottedName<C: Collection>(_ s: C, maxLength: Int) -> Bool where C.Element == UInt8 {
        guard s.count >= 1 && s.count <= maxLength else { return false }
        guard s.allSatisfy({ isIdentifierByte($0) || $0 == UInt8(ascii: ".") }) else { return false }
        return !s.allSatisfy { $0 == UInt8(ascii: ".") }
    }

    private static func isIdentifierByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
            return true
        default:
            return false
        }
    }
}
