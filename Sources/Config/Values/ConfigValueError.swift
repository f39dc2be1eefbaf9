/// Why one value (a duration, a URL, a model reference…) was refused, in words for the user.
///
/// The message names the value but not the key or file: the caller prefixes `FILE:LINE: key:` or
/// `env NAME:`, so the same parser serves the file, the environment and other modules. Value
/// type.
public struct ConfigValueError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// Small helpers shared by the value parsers. Pure.
enum ValueText {
    /// `'text'`, shortened so a pasted blob does not flood the error output.
    static func quoted(_ text: String) -> String {
        let limit = 60
        return text.count <= limit ? "'\(text)'" : "'\(text.prefix(limit))…'"
    }

    /// `quoted(url)` with the user name and password (everything before the `@` that ends the
    /// authority) shown as `***`: these messages reach the console and, on a failed reload,
    /// the log. `slashInUserinfo`: the authority ends at the last `@` even past a `/` (Redis
    /// passwords may hold one); otherwise only the part before the first `/` is looked at.
    static func quotedURL(_ text: String, slashInUserinfo: Bool) -> String {
        let start = text.firstRange(of: "://")?.upperBound ?? text.startIndex
        var authority = text[start...]
        if !slashInUserinfo, let slash = authority.firstIndex(of: "/") { authority = authority[..<slash] }
        guard let at = authority.lastIndex(of: "@") else { return quoted(text) }
        return quoted(String(text[..<start]) + "***" + String(text[at...]))
    }

    static func isDigits<S: StringProtocol>(_ s: S) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    /// A TCP port, 0...65535, or nil.
    static func port<S: StringProtocol>(_ s: S) -> Int? {
        guard isDigits(s), s.count <= 5, let p = Int(s), p <= 65535 else { return nil }
        return p
    }

    /// A host name or IP literal (without brackets): letters, digits, `.`, `-`, `_`, and `:` for
    /// IPv6. Not a full validation; the resolver has the last word at start-up.
    static func isHost<S: StringProtocol>(_ s: S, allowColons: Bool) -> Bool {
        !s.isEmpty
            && s.utf8.allSatisfy { b in
                switch b {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"):
                    return true
                case UInt8(ascii: ":"):
                    return allowColons
                default:
                    return false
                }
            }
    }

    /// Splits `host:port` / `[v6]:port` / `host` into its parts; the port text is nil when absent.
    /// Returns nil when brackets are unbalanced or a bare IPv6 address lacks them.
    static func splitHostPort(_ s: Substring) -> (host: Substring, port: Substring?, bracketed: Bool)? {
        if s.hasPrefix("[") {
            guard let close = s.firstIndex(of: "]") else { return nil }
            let host = s[s.index(after: s.startIndex)..<close]
            let rest = s[s.index(after: close)...]
            if rest.isEmpty { return (host, nil, true) }
            guard rest.hasPrefix(":") else { return nil }
            return (host, rest.dropFirst(), true)
        }
        guard let colon = s.firstIndex(of: ":") else { return (s, nil, false) }
        let port = s[s.index(after: colon)...]
        if port.contains(":") { return nil }
        return (s[..<colon], port, false)
    }
}
