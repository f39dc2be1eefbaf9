/// The canonical upstream form of a Replicate API request-target: `/v1<rest>[?query]`.
///
/// Clients disagree on whether the base URL includes `/v1` (the Python 1.x client wants the
/// host only and requests `/v1/...`; the Stainless, JS and Go clients want the base to end in
/// `/v1` and request `/...`), so one `REPLICATE_BASE_URL` yields `/v1/x`, `/x` or `/v1/v1/x`.
/// All three normalise to `/v1/x`: up to two leading `/v1` segments are removed (a segment is
/// `/v1` followed by `/`, `?` or the end, so `/v1beta` is left alone) and one `/v1` is put back.
/// `/v1/v1/v1/x` keeps its third `/v1` (no client sends it; upstream answers).
///
/// The bytes are never decoded: `%2F`, `%2E` and friends are forwarded as they came, and dot
/// segments (`.`, `..`) are not resolved. That is conservative for a proxy (upstream sees what
/// the client sent) and safe for Reprise: own endpoints are matched on the exact raw path
/// before this type is built (`RequestTarget`), and `PredictionRoute` treats any path with a
/// dot segment or an escaped byte as pass-through, so `/v1/../metrics` or
/// `/v1/predictions/%2E%2E/x` cannot reach a Reprise route. (The upstream client should send
/// the path as-is too, e.g. curl's `CURLOPT_PATH_AS_IS`, or curl squashes dot segments.)
///
/// Invariant: `upstreamTarget` starts with `/v1` followed by `/`, `?` or the end, so
/// `upstreamBase + upstreamTarget` can never name another host.
///
/// Value type, `Sendable`.
public struct APIPath: Hashable, Sendable {
    /// `/v1/...` plus `?query` when the request had one: what to append to the upstream base.
    public let upstreamTarget: String
    /// The path part of `upstreamTarget`, `/v1` included.
    public let path: Substring
    /// The raw query without `?`, or nil when the target had no `?`.
    public let query: Substring?

    /// Normalises a raw request-target. For incoming requests use `RequestTarget.classify`,
    /// which recognises Reprise's own endpoints first; this initialiser maps `/metrics` to
    /// `/v1/metrics` like any other bare path.
    public init(target: String) throws(RequestTargetError) {
        try APIPath.validateOriginForm(target)
        self.init(validatedTarget: target)
    }

    init(validatedTarget raw: String) {
        let utf8 = raw.utf8
        let queryMark = utf8.firstIndex(of: UInt8(ascii: "?"))
        var rest = raw[..<(queryMark ?? raw.endIndex)]
        for _ in 0..<2 {
            guard APIPath.hasLeadingV1(rest) else { break }
            rest = rest[rest.utf8.index(rest.startIndex, offsetBy: 3)...]
        }
        var target = "/v1"
        target.reserveCapacity(3 + raw.utf8.count)
        target += rest
        let pathLength = target.utf8.count
        if let queryMark {
            target += raw[queryMark...]
        }
        upstreamTarget = target
        let pathEnd = target.utf8.index(target.startIndex, offsetBy: pathLength)
        path = target[..<pathEnd]
        query = queryMark == nil ? nil : target[target.utf8.index(after: pathEnd)...]
    }

    /// The raw segments after `/v1/`, empty ones kept: `/v1/predictions/abc` gives
    /// `["predictions", "abc"]`, `/v1/` gives `[""]`, `/v1` gives `[]`.
    public var segments: [Substring] {
        let afterV1 = path.dropFirst(3)
        guard !afterV1.isEmpty else { return [] }
        return afterV1.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
    }

    /// The absolute upstream URL: `base` (trailing `/` removed) followed by `upstreamTarget`.
    public func upstreamURL(base: String) -> String {
        // Configured bases come without a trailing `/` (the config drops it): the usual case
        // is one concatenation.
        guard base.utf8.last == UInt8(ascii: "/") else { return base + upstreamTarget }
        var b = base[...]
        while b.utf8.last == UInt8(ascii: "/") { b = b.dropLast() }
        return b + upstreamTarget
    }

    // MARK: - Parsing

    /// `/v1` as a whole first segment.
    private static func hasLeadingV1(_ path: Substring) -> Bool {
        let u = path.utf8
        guard u.starts(with: "/v1".utf8) else { return false }
        let after = u.index(u.startIndex, offsetBy: 3)
        return after == u.endIndex || u[after] == UInt8(ascii: "/")
    }

    /// Accepts origin-form only. Printable ASCII other than `#` is tolerated (clients do send
    /// unescaped `|` or `{}` in queries, and upstream is the one to judge them); controls,
    /// space, DEL, non-ASCII and `#` (a fragment is never sent) are refused.
    static func validateOriginForm(_ raw: String) throws(RequestTargetError) {
        let u = raw.utf8
        guard let first = u.first else { throw .empty }
        if first != UInt8(ascii: "/") {
            if u.elementsEqual("*".utf8) { throw .asteriskForm }
            if raw.utf8.firstRange(of: "://".utf8) != nil { throw .absoluteForm }
            throw .notOriginForm
        }
        let invalid = u.withContiguousStorageIfAvailable { bytes in
            bytes.firstIndex { $0 <= 0x20 || $0 >= 0x7F || $0 == UInt8(ascii: "#") }
        } ?? Array(u).firstIndex { $0 <= 0x20 || $0 >= 0x7F || $0 == UInt8(ascii: "#") }
        if let offset = invalid { throw .invalidByte(offset: offset) }
    }
}
