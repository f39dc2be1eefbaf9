import COpenSSL

/// SHA-1, for the one place a protocol demands it: Redis names a Lua script by the SHA-1 of its
/// source (`EVALSHA`). Never use it for anything that needs collision resistance.
///
/// One-shot and stateless: scripts are hashed once at startup, so there is no per-loop context to
/// keep. Thread-safe; the fetched `EVP_MD` is immutable and shared.
public enum SHA1 {
    nonisolated(unsafe) private static let md: OpaquePointer = {
        guard let md = EVP_MD_fetch(nil, "SHA1", nil) else { fatalError("OpenSSL has no SHA1") }
        return md
    }()

    /// The 20-byte digest of `bytes`.
    public static func digest(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 20)
        var len: UInt32 = 0
        let rc = bytes.withUnsafeBytes { input in
            out.withUnsafeMutableBufferPointer {
                EVP_Digest(input.baseAddress, input.count, $0.baseAddress, &len, md, nil)
            }
        }
        precondition(rc == 1 && len == 20, "EVP_Digest(SHA1) failed")
        return out
    }
}
