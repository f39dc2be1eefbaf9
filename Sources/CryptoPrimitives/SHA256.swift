import COpenSSL

/// SHA-256 through OpenSSL 3's EVP interface.
///
/// `EVP_MD_fetch` runs once per process (a per-call `EVP_sha256()` pays an implicit provider
/// fetch, ~4× slower), and each hasher keeps its own `EVP_MD_CTX`. Threading: a `SHA256Hasher`
/// is not thread-safe; keep one per event loop. The fetched `EVP_MD` is immutable and shared.
public final class SHA256Hasher {
    nonisolated(unsafe) private static let md: OpaquePointer = {
        guard let md = EVP_MD_fetch(nil, "SHA256", nil) else { fatalError("OpenSSL has no SHA256") }
        return md
    }()

    private let ctx: OpaquePointer

    public init() {
        guard let c = EVP_MD_CTX_new() else { fatalError("EVP_MD_CTX_new failed") }
        ctx = c
    }

    deinit { EVP_MD_CTX_free(ctx) }

    /// Starts a new digest.
    public func reset() {
        EVP_DigestInit_ex2(ctx, Self.md, nil)
    }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        EVP_DigestUpdate(ctx, bytes.baseAddress, bytes.count)
    }

    public func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    public func update(_ s: String) {
        var s = s
        s.withUTF8 { update(UnsafeRawBufferPointer($0)) }
    }

    /// Finishes and returns the 32-byte digest.
    public func finish() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var len: UInt32 = 0
        _ = out.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(ctx, $0.baseAddress, &len) }
        return out
    }

    /// One-shot digest of `bytes`.
    public func digest(_ bytes: [UInt8]) -> [UInt8] {
        reset()
        update(bytes)
        return finish()
    }

    /// One-shot digest of a string's UTF-8 bytes.
    public func digest(_ s: String) -> [UInt8] {
        reset()
        update(s)
        return finish()
    }
}

/// Lowercase hexadecimal.
public enum Hex {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    public static func encode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
