extension RedisKeySchema {
    /// A SHA-256 digest in lowercase hexadecimal (64 characters): a cache key or a token hash.
    ///
    /// Validated on construction, so a key built from it can hold nothing but `[0-9a-f]`.
    /// Value type, `Sendable`.
    public struct Digest: Hashable, Sendable, CustomStringConvertible {
        /// The 64 lowercase hex characters.
        public let hex: String

        /// Nil unless `hex` is exactly 64 characters of `[0-9a-f]` (upper case is refused rather
        /// than folded, so that one digest has one spelling).
        public init?(hex: String) {
            let u = hex.utf8
            guard u.count == 64, u.allSatisfy(Self.isLowerHex) else { return nil }
            self.hex = hex
        }

        public var description: String { hex }

        private static func isLowerHex(_ b: UInt8) -> Bool {
            (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "f"))
        }
    }

    /// An opaque identifier: a prediction id, a version id or a capability token.
    ///
    /// 1 to `maximumLength` ASCII letters and digits: what Replicate's ids and Reprise's own
    /// tokens are made of, and safe inside a key and a hash tag. Value type, `Sendable`.
    public struct Identifier: Hashable, Sendable, CustomStringConvertible {
        /// The longest identifier accepted.
        public static let maximumLength = 128

        public let value: String

        /// Nil unless `value` is 1…`maximumLength` characters of `[A-Za-z0-9]`.
        public init?(_ value: String) {
            let u = value.utf8
            guard (1...Self.maximumLength).contains(u.count), u.allSatisfy(Self.isAlphanumeric) else { return nil }
            self.value = value
        }

        public var description: String { value }

        private static func isAlphanumeric(_ b: UInt8) -> Bool {
            (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z"))
                || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
        }
    }
}
