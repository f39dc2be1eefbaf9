/// An `http://` or `https://` base URL from the config (`upstream.url`, `public_url`), normalised
/// so that callers can append `/v1/...` to `string` without checking anything.
///
/// Normalised form: lowercase scheme, no trailing slash, and no final `/v1` segment (Reprise adds
/// `/v1/...` itself, and clients disagree on whether a base URL includes it). A path prefix is
/// kept (`http://gateway/replicate`); credentials, queries and fragments are refused. Value type.
public struct HTTPBaseURL: Sendable, Hashable, CustomStringConvertible {
    public enum Scheme: String, Sendable {
        case http, https

        public var defaultPort: Int { self == .http ? 80 : 443 }
    }

    public var scheme: Scheme
    /// Host name or IP address, without IPv6 brackets.
    public var host: String
    /// The port written in the URL, or nil for the scheme's default.
    public var port: Int?
    /// "" or a prefix such as "/replicate": no trailing slash, no final "/v1".
    public var path: String

    public init(scheme: Scheme, host: String, port: Int? = nil, path: String = "") {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.path = path
    }

    public init(parsing text: String) throws(ConfigValueError) {
        let quoted = ValueText.quotedURL(text, slashInUserinfo: false)
        guard let sep = text.firstRange(of: "://"), let scheme = Scheme(rawValue: text[..<sep.lowerBound].lowercased())
        else { throw ConfigValueError("\(quoted) must start with http:// or https://") }
        let rest = text[sep.upperBound...]
        if rest.contains("?") || rest.contains("#") {
            throw ConfigValueError("\(quoted) must not have a query (?) or fragment (#)")
        }
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash]
        if authority.contains("@") {
            throw ConfigValueError("\(quoted) must not contain a user name or password")
        }
        guard let (host, portText, bracketed) = ValueText.splitHostPort(authority),
            ValueText.isHost(host, allowColons: bracketed)
        else { throw ConfigValueError("\(quoted) has no valid host") }
        var port: Int?
        if let portText {
            guard let p = ValueText.port(portText), p > 0 else {
                throw ConfigValueError("\(quoted): '\(portText)' is not a port (1-65535)")
            }
            port = p
        }
        var path = rest[slash...]
        guard path.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw ConfigValueError("\(quoted) has spaces or non-ASCII characters in its path; percent-encode them")
        }
        while path.hasSuffix("/") { path = path.dropLast() }
        if path.hasSuffix("/v1") { path = path.dropLast(3) }
        while path.hasSuffix("/") { path = path.dropLast() }
        self.init(scheme: scheme, host: String(host), port: port, path: String(path))
    }

    /// The port connections go to.
    public var effectivePort: Int { port ?? scheme.defaultPort }

    /// `scheme://host[:port][path]`, the normalised URL.
    public var string: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return "\(scheme.rawValue)://\(h)\(port.map { ":\($0)" } ?? "")\(path)"
    }

    public var description: String { string }
}
