import JSONCore

/// RFC 8785 §3.2.3's member order: keys compared as arrays of UTF-16 code units.
///
/// Keys are stored as UTF-8. UTF-8 byte order equals code point order, which equals UTF-16
/// order except in one place: a supplementary code point (UTF-8 lead byte F0–F4) is encoded
/// in UTF-16 as surrogates D800–DFFF, which sort *below* U+E000–U+FFFF (lead bytes EE–EF).
/// So the first differing byte decides, with that one pair of ranges swapped. (Both keys are
/// valid UTF-8 and agree up to that byte, so the byte is a lead byte in both or in neither.)
/// Stateless.
enum CanonicalKeyOrder {
    /// Whether key `a` sorts before key `b`.
    static func precedes(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        let common = min(a.count, b.count)
        var i = 0
        while i < common {
            let x = a[i]
            let y = b[i]
            if x != y {
                if x >= 0xF0 && (y == 0xEE || y == 0xEF) { return true }
                if y >= 0xF0 && (x == 0xEE || x == 0xEF) { return false }
                return x < y
            }
            i += 1
        }
        return a.count < b.count
    }

    /// The positions of `members` in canonical order.
    static func sortedIndices(_ members: [JSONMember]) -> [Int] {
        members.indices.sorted { precedes(members[$0].key.utf8, members[$1].key.utf8) }
    }
}
