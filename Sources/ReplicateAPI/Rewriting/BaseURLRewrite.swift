import HTTPTypes

/// Moves absolute URLs from the upstream's origin to Reprise's public one.
///
/// A URL matches when it starts with the upstream base (`https://api.replicate.com`, or the
/// fake's `http://127.0.0.1:PORT`) followed by `/`, `?`, `#` or nothing: the exact origin, so
/// `https://api.replicate.com.evil.example/…` and other hosts never match. The scheme and host
/// compare case-insensitively, as URLs do; the rest of the URL is kept byte for byte.
/// Trailing `/` on either base is ignored. Also usable for a `Location` header.
///
/// Value type, `Sendable`, immutable.
public struct BaseURLRewrite: Hashable, Sendable {
    /// The upstream base, without trailing `/`.
    public let upstreamBase: String
    /// Reprise's public base, without trailing `/`.
    public let publicBase: String

    public init(upstreamBase: String, publicBase: String) {
        self.upstreamBase = BaseURLRewrite.trimmingTrailingSlashes(upstreamBase)
        self.publicBase = BaseURLRewrite.trimmingTrailingSlashes(publicBase)
    }

    /// What follows the upstream base in `url` (empty or starting with `/`, `?` or `#`), or nil
    /// when `url` is not on the upstream origin.
    public func upstreamRemainder<C: Collection>(_ url: C) -> C.SubSequence? where C.Element == UInt8 {
        let base = upstreamBase.utf8
        guard url.count >= base.count else { return nil }
        var i = url.startIndex
        for expected in base {
            guard ASCIICase.lower(url[i]) == ASCIICase.lower(expected) else { return nil }
            url.formIndex(after: &i)
        }
        let rest = url[i...]
        guard let next = rest.first else { return rest }
        switch next {
        case UInt8(ascii: "/"), UInt8(ascii: "?"), UInt8(ascii: "#"): return rest
        default: return nil
        }
    }

    /// `url` moved to the public base, or nil when it is not on the upstream origin.
    public func rewrite<C: Collection>(_ url: C) -> [UInt8]? where C.Element == UInt8 {
        guard let rest = upstreamRemainder(url) else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(publicBase.utf8.count + rest.count)
        out.append(contentsOf: publicBase.utf8)
        out.append(contentsOf: rest)
        return out
    }

    /// `url` moved to the public base, or nil when it is not on the upstream origin.
    public func rewrite(_ url: String) -> String? {
        rewrite(url.utf8).map { String(decoding: $0, as: UTF8.self) }
    }

    private static func trimmingTrailingSlashes(_ s: String) -> String {
        // Built per relayed answer; bases rarely end in `/`, so look at the last byte first.
        guard s.utf8.last == UInt8(ascii: "/") else { return s }
        var t = s[...]
        while t.utf8.last == UInt8(ascii: "/") { t = t.dropLast() }
        return String(t)
    }
}
