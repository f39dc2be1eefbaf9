/// The identity of a cached prediction: two creates that mean the same get the same key, and
/// two that differ in model, version, scope or canonical input do not.
///
/// `CacheKey` = SHA-256 of this byte string (format version 1):
///
///     offset  size  content
///     0       1     0x01, the key-format version
///     1       1     model kind: 1 named model, 2 version id only, 3 deployment
///     2       …     field: owner, UTF-8 (empty for kind 2)
///             …     field: name, UTF-8 (empty for kind 2)
///             …     field: version id, UTF-8 (empty when none)
///             …     field: scope: empty for shared, else the 64 lowercase hex digits of
///                   SHA-256(token)
///             …     field: the 32 raw bytes of SHA-256(RFC 8785 canonical input)
///
///     field = 4-byte big-endian unsigned byte count, then the bytes
///
/// Every variable part is length-prefixed, so no two different tuples share an encoding.
/// The layout must never change silently: `CacheKeyTests` pins known vectors. Changing it
/// means a new format version (and every existing entry becomes a miss).
/// The key's text form is 64 lowercase hex digits (`X-Cache-Key`). Value type; `Sendable`.
public struct CacheKey: Hashable, Sendable, CustomStringConvertible {
    public static let formatVersion: UInt8 = 1

    public let digest: SHA256Digest

    public init(digest: SHA256Digest) {
        self.digest = digest
    }

    /// Parses the 64-hex-digit text form; nil for anything else.
    public init?(hex: String) {
        guard let digest = SHA256Digest(hex: hex) else { return nil }
        self.digest = digest
    }

    /// The key of a create, hashed with `hasher` (which is reset first). An empty `version`
    /// is the same as none.
    public init(model: Model, version: String?, scope: CacheScope, input: InputDigest, hasher: some HashSink) {
        let encoding = Self.encoding(model: model, version: version, scope: scope, input: input)
        hasher.reset()
        encoding.withUnsafeBytes { hasher.update($0) }
        digest = hasher.finishDigest()
    }

    /// The byte string the key hashes (layout in the type's documentation). An entry can
    /// store it so that a hit is confirmed on the full key, not the hash alone.
    public static func encoding(model: Model, version: String?, scope: CacheScope, input: InputDigest) -> [UInt8] {
        var out: [UInt8] = [formatVersion, model.kindByte]
        appendField(model.owner.utf8, to: &out)
        appendField(model.name.utf8, to: &out)
        appendField((version ?? "").utf8, to: &out)
        appendField(scope.keyField.utf8, to: &out)
        appendField(input.digest.bytes, to: &out)
        return out
    }

    private static func appendField<C: Collection>(_ bytes: C, to out: inout [UInt8]) where C.Element == UInt8 {
        let count = UInt32(bytes.count)
        out.append(UInt8(truncatingIfNeeded: count >> 24))
        out.append(UInt8(truncatingIfNeeded: count >> 16))
        out.append(UInt8(truncatingIfNeeded: count >> 8))
        out.append(UInt8(truncatingIfNeeded: count))
        out.append(contentsOf: bytes)
    }

    /// 64 lowercase hex digits.
    public var hex: String { digest.hex }

    public var description: String { hex }
}
