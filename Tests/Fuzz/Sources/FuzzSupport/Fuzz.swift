/// What every fuzz target shares: the check that turns a broken invariant into a crash
/// libFuzzer records, and a deterministic way to cut an input into pieces.
///
/// The pieces are derived from the input itself (a hash seeds the sizes), so a crash file
/// replays the same split, and the committed seeds stay plain files (a request, a YAML file)
/// with no control prefix. Stateless; thread-safe.
public enum Fuzz {
    /// Crashes (so libFuzzer saves the input) when `condition` is false.
    public static func require(
        _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        if !condition() { fatalError("fuzz invariant violated: \(message())", file: file, line: line) }
    }

    /// FNV-1a of `bytes`: the seed of `pieces`.
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h
    }

    /// Consecutive ranges covering `0..<count`, sized 1…`maxPiece` by a generator seeded with
    /// `seed`; `maxPiece` itself comes from the seed (1, 2, 3, 5, 8, 17, 64 or 256), so some
    /// inputs are fed byte by byte and others in larger pieces.
    public static func pieces(count: Int, seed: UInt64) -> [Range<Int>] {
        let maxPieces: [UInt64] = [1, 2, 3, 5, 8, 17, 64, 256]
        let maxPiece = maxPieces[Int(seed & 7)]
        var state = seed | 1
        var out: [Range<Int>] = []
        var offset = 0
        while offset < count {
            // xorshift64
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            let size = Int(1 + state % maxPiece)
            let end = min(count, offset + size)
            out.append(offset..<end)
            offset = end
        }
        return out
    }

    /// Reads `size` bytes at `data` (libFuzzer's arguments) as a buffer; `data` may be nil
    /// when `size` is 0.
    public static func input(_ data: UnsafePointer<UInt8>?, _ size: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: size > 0 ? data : nil, count: size)
    }
}
