import HTTPTypes

/// A webhook URL checked before anything is sent to it: an absolute `http` or `https` URL
/// with a host, and nothing that could smuggle a second line into a request.
///
/// Only the shape is judged here; where the host points is judged after DNS, on every address
/// it resolves to (`WebhookAddressPolicy`), because a name can point anywhere. `host` is kept
/// for logs (the path and query may carry the receiver's own secrets and are never logged).
/// Value type; `Sendable`.
public struct WebhookURL: Sendable, Equatable {
    /// Why a URL is not deliverable.
    public enum Problem: Error, Sendable, Equatable {
        /// Not `http:` or `https:` (`file:`, `gopher:`, a relative reference…).
        case scheme
        /// No host between `//` and the path.
        case host
        /// Control characters, spaces, or longer than `maxLength`.
        case characters
    }

    /// Longer URLs are refused (browsers and servers commonly stop around 8 KiB; webhooks are short).
    public static let maxLength = 4096

    /// The URL as the client gave it.
    public let string: String
    /// `http` or `https`, lowercased.
    public let scheme: String
    /// The host as written (brackets kept for IPv6 literals), lowercased, without userinfo or port.
    public let host: String

    public static func parse(_ text: String) -> Result<WebhookURL, Problem> {
        switch HTTPURLAuthority.parse(text, maxLength: maxLength) {
        case .success(let a): return .success(WebhookURL(string: text, scheme: a.scheme, host: a.host))
        case .failure(.characters): return .failure(.characters)
        case .failure(.scheme): return .failure(.scheme)
        case .failure(.host): return .failure(.host)
        }
    }
}
