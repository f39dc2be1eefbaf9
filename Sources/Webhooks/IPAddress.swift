/// An IPv4 or IPv6 address as its network-order bytes: what a resolver hands back and what the
/// SSRF policy judges. Value type; `Sendable`.
public enum IPAddress: Sendable, Hashable, CustomStringConvertible {
    case v4(UInt8, UInt8, UInt8, UInt8)
    /// 16 bytes, network order.
    case v6([UInt8])

    /// From raw address bytes: 4 for IPv4, 16 for IPv6; nil for any other length.
    public init?(bytes: [UInt8]) {
        switch bytes.count {
        case 4: self = .v4(bytes[0], bytes[1], bytes[2], bytes[3])
        case 16: self = .v6(bytes)
        default: return nil
        }
    }

    /// From text: dotted-quad IPv4 (`10.0.0.1`, four decimal parts) or IPv6 in RFC 4291 text
    /// form (`::1`, `fe80::1`, `::ffff:127.0.0.1`), optionally in brackets. Zone ids (`%eth0`)
    /// are refused. For tests and URL hosts; the delivery path judges resolved addresses.
    public init?(parsing text: some StringProtocol) {
        var s = Substring(text)
        if s.first == "[" && s.last == "]" { s = s.dropFirst().dropLast() }
        if let v4 = IPAddress.parseV4(s) {
            self = .v4(v4[0], v4[1], v4[2], v4[3])
        } else if let v6 = IPAddress.parseV6(s) {
            self = .v6(v6)
        } else {
            return nil
        }
    }

    public var bytes: [UInt8] {
        switch self {
        case .v4(let a, let b, let c, let d): return [a, b, c, d]
        case .v6(let bytes): return bytes
        }
    }

    public var description: String {
        switch self {
        case .v4(let a, let b, let c, let d): return "\(a).\(b).\(c).\(d)"
        case .v6(let bytes):
            var groups: [String] = []
            for i in stride(from: 0, to: 16, by: 2) {
                groups.append(String(UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1]), radix: 16))
            }
            return groups.joined(separator: ":")
        }
    }

    // MARK: - Parsing

    private static func parseV4(_ s: Substring) -> [UInt8]? {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var out: [UInt8] = []
        for p in parts {
            guard !p.isEmpty, p.count <= 3, p.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let n = UInt8(p) else {
                return nil
            }
            out.append(n)
        }
        return out
    }

    private static func parseV6(_ s: Substring) -> [UInt8]? {
        guard s.contains(":"), !s.contains("%") else { return nil }
        // An embedded IPv4 tail (`::ffff:1.2.3.4`) stands for the last two groups.
        var text = s
        var tail: [UInt8] = []
        if let lastColon = s.lastIndex(of: ":"), s[s.index(after: lastColon)...].contains(".") {
            guard let v4 = parseV4(s[s.index(after: lastColon)...]) else { return nil }
            tail = v4
            text = s[...lastColon]
            // Keep `::` intact; a single trailing colon before the IPv4 part is a separator.
            if !text.hasSuffix("::") { text = text.dropLast() }
        }
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ h: String) -> [UInt16]? {
            if h.isEmpty { return [] }
            var out: [UInt16] = []
            for g in h.split(separator: ":", omittingEmptySubsequences: false) {
                guard (1...4).contains(g.count), let v = UInt16(g, radix: 16) else { return nil }
                out.append(v)
            }
            return out
        }
        guard let head = groups(halves[0]) else { return nil }
        let tailGroups = tail.isEmpty ? 0 : 2
        var all: [UInt16]
        if halves.count == 2 {
            guard let rest = groups(halves[1]) else { return nil }
            let missing = 8 - tailGroups - head.count - rest.count
            guard missing >= 1 else { return nil }
            all = head + [UInt16](repeating: 0, count: missing) + rest
        } else {
            guard head.count + tailGroups == 8 else { return nil }
            all = head
        }
        var out: [UInt8] = []
        for g in all { out += [UInt8(g >> 8), UInt8(g & 0xFF)] }
        return out + tail
    }
}

extension Substring {
    /// Splits at every occurrence of `separator` (a small stand-in for Foundation's method).
    fileprivate func components(separatedBy separator: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var rest = self[...]
        while !rest.isEmpty {
            if rest.hasPrefix(separator) {
                parts.append(current)
                current = ""
                rest = rest.dropFirst(separator.count)
            } else {
                current.append(rest.removeFirst())
            }
        }
        parts.append(current)
        return parts
    }
}
