import COpenSSL

/// Cryptographically secure random values (OpenSSL's DRBG). Thread-safe.
public enum SecureRandom {
    public static func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        let rc = out.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
        precondition(rc == 1, "RAND_bytes failed")
        return out
    }

    private static let base32: [UInt8] = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)

    /// A 26-character lowercase base32 string carrying 130 random bits: the shape of a
    /// Replicate prediction id, and unguessable enough for a capability URL.
    public static func identifier26() -> String {
        let raw = bytes(17)
        var out = [UInt8]()
        out.reserveCapacity(26)
        var acc: UInt32 = 0
        var bits = 0
        for b in raw {
            acc = (acc << 8) | UInt32(b)
            bits += 8
            while bits >= 5 && out.count < 26 {
                bits -= 5
                out.append(base32[Int((acc >> UInt32(bits)) & 31)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
