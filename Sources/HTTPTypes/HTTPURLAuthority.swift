/// Where an absolute `http://` or `https://` URL points: its scheme, host and port, read the
/// way curl reads them, for the guards that decide whether Reprise may connect there (webhook
/// URLs, stream URLs).
///
/// Only printable ASCII without spaces is accepted (nothing that could smuggle a second line
/// into a request). The host is lowercased with IPv6 brackets kept; user information
/// (`user:pass@`) is reported, not kept, so a caller can refuse it. The port is the text after
/// the host's `:` (nil when absent), unchecked: callers that compare origins parse it. Pure
/// value type; `Sendable`.
public struct HTTPURLAuthority: Sendable, Equatable {
    /// Why a text is not an absolute http(s) URL with a host.
    public enum Problem: Error, Sendable, Equatable {
        /// Control characters, spaces, non-ASCII, or longer than the caller's limit.
        case characters
        /// Not `http:` or `https:`.
        case scheme
        /// No host (or an unclosed IPv6 bracket).
        case host
    }

    /// `http` or `https`.
    public let scheme: String
    /// Lowercased; IPv6 literals keep their brackets.
    public let host: String
    /// What follows `host:` in the authority, or nil.
    public let port: Substring?
    /// True when the authority carried `user[:password]@`.
    public let hasUserinfo: Bool

    public static func parse(_ text: String, maxLength: Int) -> Result<HTTPURLAuthority, Problem> {
        let bytes = Array(text.utf8)
        guard bytes.count <= maxLength, bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            return .failure(.characters)
        }
        let lower = String(decoding: bytes.map(ASCIICase.lower), as: UTF8.self)
        let scheme: String
        if lower.hasPrefix("https://") {
            scheme = "https"
        } else if lower.hasPrefix("http://") {
            scheme = "http"
        } else {
            return .failure(.scheme)
        }
        let authority = lower.dropFirst(scheme.count + 3).prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        var hostPort = authority
        if let at = authority.lastIndex(of: "@") { hostPort = authority[authority.index(after: at)...] }
        let host: Substring
        let rest: Substring
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else { return .failure(.host) }
            host = hostPort[...close]
            rest = hostPort[hostPort.index(after: close)...]
        } else {
            host = hostPort.prefix { $0 != ":" }
            rest = hostPort.dropFirst(host.count)
        }
        guard !host.isEmpty, host != "[]" else { return .failure(.host) }
        return .success(
            HTTPURLAuthority(
                scheme: scheme, host: String(host), port: rest.hasPrefix(":") ? rest.dropFirst() : nil,
                hasUserinfo: hostPort.startIndex != authority.startIndex))
    }
}
