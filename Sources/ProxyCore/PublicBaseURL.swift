import HTTPTypes

/// The base URL (scheme://host[:port], no trailing slash) that Reprise writes into answers in
/// place of Replicate's, so that clients come back through Reprise.
///
/// From `public_url` when configured (behind a load balancer or TLS terminator that is the only
/// right answer); otherwise from the request's `Host` header, which is the address the client
/// itself used; failing that, the listen address. Pure.
public enum PublicBaseURL {
    public static func resolve(configured: String?, request: HTTPRequestHead, listen: String) -> String {
        if let c = configured, !c.isEmpty { return c }
        if let host = request.headers[.host], isPlausibleHost(host) { return "http://" + host }
        return "http://" + listen
    }

    /// Rejects Host values that could smuggle a path or a different scheme into our URLs.
    static func isPlausibleHost(_ s: String) -> Bool {
        guard !s.isEmpty, s.utf8.count <= 255 else { return false }
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: ":"),
                UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "_"):
                continue
            default:
                return false
            }
        }
        return true
    }
}
