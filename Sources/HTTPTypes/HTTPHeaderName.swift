/// A header field name, compared case-insensitively.
///
/// Stored lowercased so that equality and hashing are plain byte comparisons; the original
/// spelling of a name received on the wire lives in `HTTPHeaders` next to its value, so
/// forwarding keeps the sender's case. Value type, `Sendable`, no invariant beyond "lowercase
/// ASCII token".
public struct HTTPHeaderName: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The lowercased name.
    public let lowercased: String

    public init(_ name: String) {
        self.lowercased = ASCIICase.lowercased(name)
    }

    public init(stringLiteral value: String) {
        self.init(value)
    }

    public var description: String { lowercased }

    /// True when `raw` (any case) names this header. Runs for every field of every lookup, so
    /// it compares contiguous bytes when both strings have them (native strings do).
    public func matches(_ raw: String) -> Bool {
        let a = raw.utf8
        let b = lowercased.utf8
        guard a.count == b.count else { return false }
        let fast = a.withContiguousStorageIfAvailable { x in
            b.withContiguousStorageIfAvailable { y in ASCIICase.equals(x, lowercase: y) }
        }
        if let fast, let result = fast { return result }
        return ASCIICase.equals(a, lowercase: b)
    }

    // MARK: - Names Reprise reads or writes
    public static let accept: HTTPHeaderName = "accept"
    public static let age: HTTPHeaderName = "age"
    public static let authorization: HTTPHeaderName = "authorization"
    public static let cacheControl: HTTPHeaderName = "cache-control"
    public static let connection: HTTPHeaderName = "connection"
    public static let contentEncoding: HTTPHeaderName = "content-encoding"
    public static let contentLength: HTTPHeaderName = "content-length"
    public static let contentSecurityPolicy: HTTPHeaderName = "content-security-policy"
    public static let contentType: HTTPHeaderName = "content-type"
    public static let date: HTTPHeaderName = "date"
    public static let expect: HTTPHeaderName = "expect"
    public static let host: HTTPHeaderName = "host"
    public static let keepAlive: HTTPHeaderName = "keep-alive"
    public static let lastEventID: HTTPHeaderName = "last-event-id"
    public static let location: HTTPHeaderName = "location"
    public static let prefer: HTTPHeaderName = "prefer"
    public static let preferenceApplied: HTTPHeaderName = "preference-applied"
    public static let proxyAuthenticate: HTTPHeaderName = "proxy-authenticate"
    public static let proxyAuthorization: HTTPHeaderName = "proxy-authorization"
    public static let proxyConnection: HTTPHeaderName = "proxy-connection"
    public static let retryAfter: HTTPHeaderName = "retry-after"
    public static let server: HTTPHeaderName = "server"
    public static let te: HTTPHeaderName = "te"
    public static let trailer: HTTPHeaderName = "trailer"
    public static let transferEncoding: HTTPHeaderName = "transfer-encoding"
    public static let upgrade: HTTPHeaderName = "upgrade"
    public static let userAgent: HTTPHeaderName = "user-agent"
    public static let webhookID: HTTPHeaderName = "webhook-id"
    public static let webhookSignature: HTTPHeaderName = "webhook-signature"
    public static let webhookTimestamp: HTTPHeaderName = "webhook-timestamp"
    public static let xCacheKey: HTTPHeaderName = "x-cache-key"
    public static let xContentTypeOptions: HTTPHeaderName = "x-content-type-options"
    public static let xCacheStatus: HTTPHeaderName = "x-cache-status"
    public static let xRepriseSavedUSD: HTTPHeaderName = "x-reprise-saved-usd"
    public static let xRequestID: HTTPHeaderName = "x-request-id"
}
