@preconcurrency import Glibc
import HTTPTypes

/// The one origin the native engine serves (`upstream.url`'s scheme, host and port) and where
/// to connect for it.
///
/// A request goes native only when its URL starts with exactly this origin's text (as
/// `UpstreamClientConfiguration.nativeOrigin` spells it, which is how Reprise builds its
/// upstream URLs) followed by `/`, `?` or nothing, and the rest is a plain origin-form target;
/// anything else (another host, different case, odd characters) stays on curl, which behaves
/// as before. Phase 1 serves `http://` origins whose host is an IP address literal: names would
/// need an off-loop resolver, and `https://` needs TLS; both stay on curl (`init` returns nil).
///
/// Immutable value; `Sendable`.
struct NativeOrigin: Sendable {
    /// `http://host[:port]`, as configured.
    let prefix: String
    /// The `Host` field for requests that do not carry one: the URL's authority.
    let authority: Substring
    /// `sockaddr_in` or `sockaddr_in6` bytes to connect to.
    let address: [UInt8]
    let family: Int32

    /// Why `init` declined an origin, for the start-up log.
    enum Unsupported: Error, CustomStringConvertible {
        case notHTTP
        case hostName
        case malformed

        var description: String {
            switch self {
            case .notHTTP: return "only http:// origins (TLS stays on curl)"
            case .hostName: return "only IP address literals (host names stay on curl: no resolver on the loop)"
            case .malformed: return "not an absolute http URL origin"
            }
        }
    }

    static func make(_ origin: String) -> Result<NativeOrigin, Unsupported> {
        guard case .success(let parsed) = HTTPURLAuthority.parse(origin, maxLength: 512), !parsed.hasUserinfo else {
            return .failure(.malformed)
        }
        guard parsed.scheme == "http" else { return .failure(.notHTTP) }
        let schemeLength = "http://".utf8.count
        let authority = origin.dropFirst(schemeLength)
        guard !authority.contains("/"), !authority.contains("?"), !authority.contains("#") else {
            return .failure(.malformed)
        }
        var port = 80
        if let text = parsed.port {
            guard let p = Int(text), (1...65535).contains(p) else { return .failure(.malformed) }
            port = p
        }
        var host = parsed.host
        if host.hasPrefix("[") { host = String(host.dropFirst().dropLast()) }
        guard let (family, address) = Self.socketAddress(host, port: port) else { return .failure(.hostName) }
        return .success(NativeOrigin(prefix: origin, authority: authority, address: address, family: family))
    }

    /// The origin-form target of `url` when it is on this origin, else nil.
    func target(of url: String) -> Substring? {
        let u = url.utf8
        guard u.count >= prefix.utf8.count, u.starts(with: prefix.utf8) else { return nil }
        var rest = url.utf8.dropFirst(prefix.utf8.count)
        if let hash = rest.firstIndex(of: 0x23) { rest = rest[..<hash] }
        guard let first = rest.first else { return "/" }
        if first == 0x3F { return Substring("/" + String(Substring(rest))) }
        guard first == 0x2F else { return nil }
        let target = Substring(rest)
        return RequestWriter.isValidTarget(target) ? target : nil
    }

    /// The sockaddr for a numeric IPv4 or IPv6 `host`, nil for a name.
    private static func socketAddress(_ host: String, port: Int) -> (Int32, [UInt8])? {
        var v4 = sockaddr_in()
        if inet_pton(AF_INET, host, &v4.sin_addr) == 1 {
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = in_port_t(UInt16(port).bigEndian)
            return (AF_INET, withUnsafeBytes(of: &v4) { Array($0) })
        }
        var v6 = sockaddr_in6()
        if inet_pton(AF_INET6, host, &v6.sin6_addr) == 1 {
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = in_port_t(UInt16(port).bigEndian)
            return (AF_INET6, withUnsafeBytes(of: &v6) { Array($0) })
        }
        return nil
    }
}
