/// Where canonical bytes go: a buffer, or straight into a hash.
///
/// `CanonicalJSON` writes in chunks of a few kilobytes (and long string runs in one piece),
/// so a conformance's per-call cost does not matter much. Threading: whatever the
/// conforming type says; the canonicaliser calls it only from the thread running it.
public protocol ByteSink {
    mutating func write(_ bytes: UnsafeRawBufferPointer)
}

/// A byte array collects the canonical bytes (tests, the entry's stored canonical input).
extension Array: ByteSink where Element == UInt8 {
    public mutating func write(_ bytes: UnsafeRawBufferPointer) {
        append(contentsOf: bytes)
    }
}

/// A SHA-256 implementation supplied by the caller: CacheCore is pure Swift and links no C.
///
/// The requirements are the shape of `CryptoPrimitives.SHA256Hasher`, so where the two
/// modules meet (the proxy's wiring, the tests) the adapter is a one-line
/// `extension SHA256Hasher: HashSink {}`. A hasher is stateful and, like
/// `SHA256Hasher`, not thread-safe: keep one per event loop. Each digest starts with `reset()`.
public protocol HashSink: AnyObject, ByteSink {
    /// Starts a new digest.
    func reset()
    func update(_ bytes: UnsafeRawBufferPointer)
    /// Finishes the digest and returns its 32 bytes.
    func finish() -> [UInt8]
}

extension HashSink {
    public func write(_ bytes: UnsafeRawBufferPointer) {
        update(bytes)
    }

    /// Finishes the digest as a `SHA256Digest`.
    func finishDigest() -> SHA256Digest {
        let bytes = finish()
        guard let digest = SHA256Digest(bytes: bytes) else {
            preconditionFailure("HashSink returned \(bytes.count) bytes, not a SHA-256 digest")
        }
        return digest
    }
}
