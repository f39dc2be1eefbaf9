@preconcurrency import Glibc
import CCurl

/// An address curl is about to connect to, as an `UpstreamRequest.addressFilter` sees it: the
/// IP address in network-order bytes (4 for IPv4, 16 for IPv6) and the port. Value type;
/// `Sendable`.
public struct UpstreamPeerAddress: Sendable, Equatable, CustomStringConvertible {
    public var bytes: [UInt8]
    public var port: Int

    public init(bytes: [UInt8], port: Int) {
        self.bytes = bytes
        self.port = port
    }

    /// From curl's `curl_sockaddr`; nil for families other than IPv4 and IPv6 (which a filter
    /// then refuses).
    init?(curl address: UnsafePointer<curl_sockaddr>) {
        let length = Int(address.pointee.addrlen)
        let raw = UnsafeRawPointer(ccurl_sockaddr_address(address)!)
        switch address.pointee.family {
        case AF_INET where length >= MemoryLayout<sockaddr_in>.size:
            let sin = raw.loadUnaligned(as: sockaddr_in.self)
            bytes = withUnsafeBytes(of: sin.sin_addr) { Array($0) }
            port = Int(UInt16(bigEndian: sin.sin_port))
        case AF_INET6 where length >= MemoryLayout<sockaddr_in6>.size:
            let sin6 = raw.loadUnaligned(as: sockaddr_in6.self)
            bytes = withUnsafeBytes(of: sin6.sin6_addr) { Array($0) }
            port = Int(UInt16(bigEndian: sin6.sin6_port))
        default:
            return nil
        }
    }

    public var description: String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") + ":\(port)" }
        var groups: [String] = []
        for i in stride(from: 0, to: bytes.count - 1, by: 2) {
            groups.append(String(UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1]), radix: 16))
        }
        return "[" + groups.joined(separator: ":") + "]:\(port)"
    }
}
