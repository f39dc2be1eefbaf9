/// The header fields a proxy must not forward (RFC 9110 §7.6.1): the fixed hop-by-hop set plus
/// every name the `Connection` field lists.
public enum HopByHop {
    /// Fields that describe one connection, not the message.
    public static let fixed: [HTTPHeaderName] = [
        .connection, .keepAlive, .proxyConnection, .proxyAuthenticate, .proxyAuthorization, .te, .trailer,
        .transferEncoding, .upgrade,
    ]

    /// `headers` without hop-by-hop fields. `Content-Length` is kept: the caller decides whether
    /// the body keeps its length.
    public static func stripped(_ headers: HTTPHeaders) -> HTTPHeaders {
        var listed: [HTTPHeaderName] = []
        for v in headers.values(.connection) {
            for part in v.split(separator: ",") {
                let t = part.trimmingASCIISpaces()
                if !t.isEmpty { listed.append(HTTPHeaderName(String(t))) }
            }
        }
        var out = headers
        out.removeAll { field in
            fixed.contains { $0.matches(field.name) } || listed.contains { $0.matches(field.name) }
        }
        return out
    }
}
