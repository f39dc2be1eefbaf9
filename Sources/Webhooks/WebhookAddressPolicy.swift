/// The SSRF guard: which addresses a webhook delivery may connect to.
///
/// A client chooses the webhook URL, and Reprise runs inside someone's network, so by default
/// a delivery may only reach globally routable unicast addresses. Judged on the addresses the
/// host name resolved to (at connect time, after DNS), so a public name pointing at a private
/// address — or re-pointed there after a first look — is refused too.
///
/// Refused (unless `allowPrivate`), with the range that says why:
/// - IPv4: `0.0.0.0/8` (this network), `10/8`, `172.16/12`, `192.168/16` (RFC 1918),
///   `100.64/10` (carrier-grade NAT), `127/8` (loopback), `169.254/16` (link-local, including
///   the cloud metadata address `169.254.169.254`), `192.0.0/24` (IETF protocol assignments),
///   `198.18/15` (benchmarking), `224/4` (multicast), `240/4` (reserved, broadcast).
/// - IPv6: `::/128`, `::1`, `::ffff:0:0/96` and `::/96` (IPv4-mapped and -compatible: judged
///   as the IPv4 address inside), `64:ff9b::/96` (NAT64: the IPv4 inside), `2002::/16` (6to4:
///   the IPv4 inside), `fc00::/7` (unique local, e.g. `fd00:ec2::254`), `fe80::/10`
///   (link-local), `fec0::/10` (old site-local), `ff00::/8` (multicast).
///
/// `allowPrivate` (config `webhooks.allow_private`) lets everything through, for development
/// and tests whose receivers listen on loopback. Pure; thread-safe.
public enum WebhookAddressPolicy {
    /// True when a delivery may connect to `address`.
    public static func permits(_ address: IPAddress, allowPrivate: Bool) -> Bool {
        allowPrivate || isPublic(address)
    }

    /// True for globally routable unicast addresses (see the type's list of exceptions).
    public static func isPublic(_ address: IPAddress) -> Bool {
        switch address {
        case .v4(let a, let b, let c, _):
            return isPublicV4(a, b, c)
        case .v6(let x):
            if let embedded = embeddedIPv4(x) { return isPublic(embedded) }
            if x[0] == 0xFC || x[0] == 0xFD { return false }  // fc00::/7
            if x[0] == 0xFE && (x[1] & 0xC0 == 0x80 || x[1] & 0xC0 == 0xC0) { return false }  // fe80::/10, fec0::/10
            if x[0] == 0xFF { return false }  // multicast
            return true
        }
    }

    private static func isPublicV4(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> Bool {
        switch a {
        case 0, 10, 127: return false
        case 100 where b & 0xC0 == 64: return false  // 100.64/10
        case 169 where b == 254: return false
        case 172 where b & 0xF0 == 16: return false  // 172.16/12
        case 192 where b == 168: return false
        case 192 where b == 0 && c == 0: return false
        case 198 where b & 0xFE == 18: return false  // 198.18/15
        case 224...255: return false
        default: return true
        }
    }

    /// The IPv4 address an IPv6 address stands for, when it is one of the forms that carry one:
    /// `::/96` (compatible, which also covers `::` and `::1`), `::ffff:0:0/96` (mapped),
    /// `64:ff9b::/96` (NAT64) and `2002::/16` (6to4).
    static func embeddedIPv4(_ x: [UInt8]) -> IPAddress? {
        let firstTen = x[0..<10].allSatisfy { $0 == 0 }
        if firstTen && ((x[10] == 0 && x[11] == 0) || (x[10] == 0xFF && x[11] == 0xFF)) {
            return .v4(x[12], x[13], x[14], x[15])
        }
        if x[0] == 0x00 && x[1] == 0x64 && x[2] == 0xFF && x[3] == 0x9B && x[4..<12].allSatisfy({ $0 == 0 }) {
            return .v4(x[12], x[13], x[14], x[15])
        }
        if x[0] == 0x20 && x[1] == 0x02 {
            return .v4(x[2], x[3], x[4], x[5])
        }
        return nil
    }
}
