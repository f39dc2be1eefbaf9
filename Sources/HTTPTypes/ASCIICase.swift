/// ASCII-only case folding for protocol text: header names, auth schemes, media types, URL
/// schemes and hosts, model names. These are ASCII by definition, and `String.lowercased()`
/// would pull in Unicode tables on every request.
///
/// Stateless; `@inlinable` so that callers in other modules get it specialised for their
/// collection type (contiguous buffers, `UTF8View`s).
public enum ASCIICase {
    /// `b` with `A`–`Z` mapped to `a`–`z`.
    @inlinable
    public static func lower(_ b: UInt8) -> UInt8 {
        (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b
    }

    /// True when `text`, folded to lowercase, equals `lowercase` (which must already be
    /// lowercase).
    @inlinable
    public static func equals<A: Collection, B: Collection>(_ text: A, lowercase: B) -> Bool
    where A.Element == UInt8, B.Element == UInt8 {
        guard text.count == lowercase.count else { return false }
        for (x, y) in zip(text, lowercase) where lower(x) != y { return false }
        return true
    }

    /// `s` with its ASCII capitals lowered (returned as is when it has none).
    public static func lowercased(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) else { return s }
        return String(decoding: s.utf8.map(lower), as: UTF8.self)
    }
}
