/// A decoded JSON string: its UTF-8 bytes with every escape resolved.
///
/// Kept as bytes rather than `String` for two reasons. Keys must compare by exact code points
/// (Swift's `String ==` is canonical equivalence, so `"é"` and `"e\u{301}"` would be one key),
/// and large values such as data URIs are passed on without being re-encoded.
///
/// Invariant: `utf8` is well-formed UTF-8 with no surrogate code points. The parser checks
/// this, and a Swift `String` cannot hold anything else. Value type; `Sendable`.
public struct JSONString: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The UTF-8 bytes of the decoded string (no quotes, no escapes).
    public let utf8: [UInt8]

    public init(_ string: String) {
        utf8 = Array(string.utf8)
    }

    public init(stringLiteral value: String) {
        self.init(value)
    }

    /// Wraps bytes already known to be valid UTF-8 without surrogates (the parser's output).
    init(validatedUTF8 bytes: [UInt8]) {
        utf8 = bytes
    }

    /// The value as a Swift `String` (copies the bytes).
    public var string: String {
        String(decoding: utf8, as: UTF8.self)
    }

    public var description: String { string }

    /// Whether this string has exactly the code points of `other`; no Unicode normalisation.
    public func hasSameCodePoints(as other: String) -> Bool {
        let view = other.utf8
        return view.count == utf8.count && view.elementsEqual(utf8)
    }
}
