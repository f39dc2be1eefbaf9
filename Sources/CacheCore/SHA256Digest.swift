/// A 32-byte SHA-256 digest, stored inline (no heap) so keys are cheap to copy, hash and compare.
///
/// Its text form is 64 lowercase hex digits, which is what `X-Cache-Key`, logs and Redis keys
/// carry. Value type; `Sendable`.
public struct SHA256Digest: Hashable, Sendable, CustomStringConvertible {
    public static let byteCount = 32

    // The digest's bytes, big-endian, eight per word.
    private let w0, w1, w2, w3: UInt64

    /// Nil unless `bytes` has exactly 32 elements.
    public init?<C: Collection>(bytes: C) where C.Element == UInt8 {
        guard bytes.count == Self.byteCount else { return nil }
        // Digests are built on every request (token hash, keys): read words straight from
        // contiguous storage when there is one, instead of a generic element-by-element walk.
        if let words = bytes.withContiguousStorageIfAvailable({ Self.words($0) }) {
            (w0, w1, w2, w3) = words
        } else {
            (w0, w1, w2, w3) = Array(bytes).withUnsafeBufferPointer { Self.words($0) }
        }
    }

    private static func words(_ p: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64, UInt64, UInt64) {
        func word(_ at: Int) -> UInt64 {
            var w: UInt64 = 0
            for i in at..<(at + 8) { w = w << 8 | UInt64(p[i]) }
            return w
        }
        return (word(0), word(8), word(16), word(24))
    }

    /// Parses 64 hex digits (either case); nil for anything else.
    public init?(hex: String) {
        let utf8 = Array(hex.utf8)
        guard utf8.count == 2 * Self.byteCount else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.byteCount)
        for pair in stride(from: 0, to: utf8.count, by: 2) {
            guard let high = Self.nibble(utf8[pair]), let low = Self.nibble(utf8[pair + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        self.init(bytes: bytes)
    }

    public var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: Self.byteCount)
        for (i, word) in [w0, w1, w2, w3].enumerated() {
            for j in 0..<8 { out[i * 8 + j] = UInt8(truncatingIfNeeded: word >> ((7 - j) * 8)) }
        }
        return out
    }

    /// 64 lowercase hex digits.
    public var hex: String {
        String(unsafeUninitializedCapacity: 2 * Self.byteCount) { buffer in
            var n = 0
            for word in [w0, w1, w2, w3] {
                for j in 0..<8 {
                    let byte = UInt8(truncatingIfNeeded: word >> ((7 - j) * 8))
                    buffer[n] = Self.hexDigit(byte >> 4)
                    buffer[n + 1] = Self.hexDigit(byte & 0xF)
                    n += 2
                }
            }
            return n
        }
    }

    public var description: String { hex }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") - 10 + value
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
