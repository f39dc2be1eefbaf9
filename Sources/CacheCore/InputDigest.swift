import JSONCore

/// SHA-256 of the RFC 8785 canonical form of a prediction's `input`.
///
/// Two inputs that mean the same (key order, whitespace, number spelling) get the same
/// digest. It goes into the `CacheKey` and is stored in the entry so that a hit can be
/// checked against it. The canonical bytes stream straight into the hasher; they are never
/// materialised. Value type; `Sendable`.
public struct InputDigest: Hashable, Sendable, CustomStringConvertible {
    public let digest: SHA256Digest

    public init(digest: SHA256Digest) {
        self.digest = digest
    }

    /// Canonicalises `input` with `canonicalizer` into `hasher` (reset first).
    public init(
        canonicalizing input: JSONValue, with canonicalizer: inout CanonicalJSON, hasher: some HashSink
    ) throws(CanonicalJSONError) {
        hasher.reset()
        var sink = hasher
        try canonicalizer.write(input, to: &sink)
        digest = hasher.finishDigest()
    }

    /// 64 lowercase hex digits.
    public var hex: String { digest.hex }

    public var description: String { hex }
}
