import HTTPTypes

/// Which upstream stream URLs Reprise may open for `GET /v1/streams/{token}`: the SSRF guard on
/// stream relays.
///
/// A relay capability (`c:{token}`) names the URL to open, and it can come back from Redis, so
/// whoever can write Reprise's Redis could otherwise make it fetch any URL from inside the
/// deployment's network. A stream URL is therefore judged before any connection:
/// - only printable ASCII without spaces, at most `maxLength` bytes, and no user information;
/// - scheme `https`, or `http` only when the configured upstream itself is `http` (tests,
///   benchmarks against a fake);
/// - the origin (scheme, host, port) equal to the configured upstream's: allowed as is (the
///   operator chose that address, loopback included);
/// - otherwise the host must equal one of `hostSuffixes` or end with `.` + one of them
///   (Replicate streams from `*.replicate.net` and `stream.replicate.com`), and the caller must
///   also check every address the host resolves to at connect time (`guardAddresses`: the same
///   private-address policy webhooks use), because a name under an allowed suffix can still
///   point inside the network.
///
/// Pure value type; `Sendable`.
public struct StreamURLPolicy: Sendable, Equatable {
    /// Why a stream URL is refused (a bounded set: a metric label and a log field).
    public enum Refusal: String, Error, Sendable, Equatable {
        case characters, scheme, userinfo, host
    }

    public enum Verdict: Sendable, Equatable {
        /// Open it; when `guardAddresses`, only to addresses the private-address guard permits.
        case allowed(guardAddresses: Bool)
        case refused(Refusal)
    }

    /// Longer URLs are refused (Replicate's stream URLs are under 200 bytes).
    public static let maxLength = 4096

    /// The host suffixes real Replicate serves streams from (replicate-api.md §4: hosts seen
    /// for `urls.stream` are `streaming-api.svc.*.c.replicate.net`, `stream.replicate.com`,
    /// `streaming.api.replicate.com`).
    public static let replicateHostSuffixes = ["replicate.net", "replicate.com"]

    private let upstream: Origin?
    private let suffixes: [String]

    /// `upstreamBase`: the configured `upstream.url` (`scheme://host[:port][/path]`).
    public init(upstreamBase: String, hostSuffixes: [String]) {
        upstream = StreamURLPolicy.origin(of: upstreamBase).flatMap { try? $0.get() }
        suffixes = hostSuffixes.map { s in
            let lower = s.lowercased()
            return lower.hasPrefix(".") ? String(lower.dropFirst()) : lower
        }.filter { !$0.isEmpty }
    }

    public func judge(_ url: String) -> Verdict {
        guard let parsed = StreamURLPolicy.origin(of: url) else { return .refused(.scheme) }
        let origin: Origin
        switch parsed {
        case .failure(let refusal): return .refused(refusal)
        case .success(let o): origin = o
        }
        if origin.scheme == "http" && upstream?.scheme != "http" { return .refused(.scheme) }
        if let upstream, origin == upstream { return .allowed(guardAddresses: false) }
        let host = origin.host
        // An IP literal is never under a name suffix; a trailing dot would dodge the comparison.
        guard !host.hasPrefix("["), !host.hasSuffix("."),
            suffixes.contains(where: { host == $0 || host.hasSuffix("." + $0) })
        else { return .refused(.host) }
        return .allowed(guardAddresses: true)
    }

    /// Scheme, lowercased host (IPv6 brackets kept) and effective port of a URL.
    private struct Origin: Equatable {
        var scheme: String
        var host: String
        var port: Int
    }

    private static func origin(of url: String) -> Result<Origin, Refusal>? {
        let a: HTTPURLAuthority
        switch HTTPURLAuthority.parse(url, maxLength: maxLength) {
        case .success(let parsed): a = parsed
        case .failure(.characters): return .failure(.characters)
        case .failure(.scheme): return nil
        case .failure(.host): return .failure(.host)
        }
        // `\\` ends the authority for browsers but not for curl: refuse rather than guess.
        if a.hasUserinfo || a.host.contains("\\") { return .failure(.userinfo) }
        var port = a.scheme == "https" ? 443 : 80
        if let text = a.port {
            guard let p = Int(text), (1...65535).contains(p) else { return .failure(.host) }
            port = p
        }
        return .success(Origin(scheme: a.scheme, host: a.host, port: port))
    }
}
