import HTTPTypes

/// The API token a request carries, taken from `Authorization: Bearer <t>` (every current
/// client) or the legacy `Authorization: Token <t>` (clients before 2024-04, and Replicate's own
/// `/files` curl examples). The scheme is matched case-insensitively.
///
/// The proxy forwards the `Authorization` header itself untouched; this type exists so that a
/// token can be hashed (to scope Reprise's records to the token that created them) without ever
/// being printed: `description`, `debugDescription` and the reflection mirror are redacted, so
/// string interpolation, `print`, `dump` and test failure messages show `<redacted>`. The raw
/// bytes are reachable only through `withUnsafeTokenBytes`. It is deliberately neither
/// `Equatable` nor `Hashable`, so it cannot become a dictionary key by accident.
///
/// Value type, `Sendable`.
public struct AuthToken: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The authorization scheme the client used.
    public enum Scheme: String, Sendable, Hashable {
        case bearer = "Bearer"
        case token = "Token"
    }

    public let scheme: Scheme
    private let secret: [UInt8]

    /// Parses one `Authorization` field value: `scheme 1*SP token`, surrounding spaces and tabs
    /// ignored. Nil for another scheme, an empty token, or a token with inner whitespace or
    /// control bytes.
    public init?(authorization value: String) {
        // Every create parses its token: one pass over contiguous bytes.
        let parsed = value.utf8.withContiguousStorageIfAvailable { AuthToken.parse(UnsafeRawBufferPointer($0)) }
            ?? Array(value.utf8).withUnsafeBytes { AuthToken.parse($0) }
        guard let parsed else { return nil }
        (scheme, secret) = parsed
    }

    private static func parse(_ b: UnsafeRawBufferPointer) -> (Scheme, [UInt8])? {
        func isSpace(_ x: UInt8) -> Bool { x == 0x20 || x == 0x09 }
        var start = 0
        var end = b.count
        while start < end && isSpace(b[start]) { start += 1 }
        while end > start && isSpace(b[end - 1]) { end -= 1 }
        var space = start
        while space < end && !isSpace(b[space]) { space += 1 }
        guard space < end else { return nil }
        let schemeName = UnsafeRawBufferPointer(rebasing: b[start..<space])
        let scheme: Scheme
        if ASCIICase.equals(schemeName, lowercase: "bearer".utf8) {
            scheme = .bearer
        } else if ASCIICase.equals(schemeName, lowercase: "token".utf8) {
            scheme = .token
        } else {
            return nil
        }
        var tokenStart = space
        while tokenStart < end && isSpace(b[tokenStart]) { tokenStart += 1 }
        let token = UnsafeRawBufferPointer(rebasing: b[tokenStart..<end])
        guard !token.isEmpty, token.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
        return (scheme, Array(token))
    }

    /// The token of a request: nil without an `Authorization` field, with an unusable one, or
    /// with several (ambiguous; upstream decides what they mean).
    public init?(headers: HTTPHeaders) {
        let values = headers.values(.authorization)
        guard values.count == 1 else { return nil }
        self.init(authorization: values[0])
    }

    /// Lends the token's bytes (ASCII), e.g. to a hasher. Do not copy them out.
    public func withUnsafeTokenBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try secret.withUnsafeBytes(body)
    }

    public var description: String { "AuthToken(\(scheme.rawValue) <redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["scheme": scheme], displayStyle: .struct) }
}
