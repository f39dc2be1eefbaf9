@preconcurrency import Glibc
import CSystem

/// A host and port to listen on or connect to, parsed from `host:port` or `[v6]:port`.
public struct SocketAddressSpec: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port`, `[::1]:port` or `:port` (all interfaces). Returns nil when malformed.
    public init?(parsing s: String) {
        var hostPart: Substring
        var portPart: Substring
        if s.hasPrefix("[") {
            guard let close = s.firstIndex(of: "]") else { return nil }
            hostPart = s[s.index(after: s.startIndex)..<close]
            let rest = s[s.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            portPart = rest.dropFirst()
        } else {
            guard let colon = s.lastIndex(of: ":") else { return nil }
            hostPart = s[..<colon]
            portPart = s[s.index(after: colon)...]
            if hostPart.contains(":") { return nil }
        }
        if hostPart.isEmpty { hostPart = "0.0.0.0" }
        guard let p = Int(portPart), (0...65535).contains(p) else { return nil }
        host = String(hostPart)
        port = p
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// Thin, throwing wrappers over the socket calls Reprise needs. Every descriptor made here is
/// non-blocking and close-on-exec unless the name says otherwise.
public enum Socket {
    /// A failed socket call, with errno.
    public struct Error: Swift.Error, CustomStringConvertible {
        public let call: String
        public let errno: Int32
        public var description: String { "\(call): \(String(cString: strerror(errno)))" }
    }

    /// Resolves `spec` (numeric or a name from /etc/hosts; only used at start-up) to sockaddr
    /// bytes. Blocking: never call on a loop thread while serving.
    public static func resolve(_ spec: SocketAddressSpec, passive: Bool) throws -> (family: Int32, addr: [UInt8]) {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = passive ? AI_PASSIVE : 0
        var res: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(spec.host, String(spec.port), &hints, &res)
        guard rc == 0, let first = res else {
            throw Error(call: "getaddrinfo(\(spec.host)): \(String(cString: gai_strerror(rc)))", errno: 0)
        }
        defer { freeaddrinfo(res) }
        let bytes = UnsafeRawBufferPointer(start: first.pointee.ai_addr, count: Int(first.pointee.ai_addrlen))
        return (first.pointee.ai_family, Array(bytes))
    }

    /// The numeric address (`127.0.0.1`, `::1`) `host` resolves to. Blocking: for start-up only,
    /// so that clients which reconnect later (hiredis resolves names with a blocking
    /// getaddrinfo) never resolve on a loop thread.
    public static func numericHost(_ host: String) throws -> String {
        let addr = try resolve(SocketAddressSpec(host: host, port: 0), passive: false).addr
        var storage = sockaddr_storage()
        withUnsafeMutableBytes(of: &storage) { dst in
            addr.withUnsafeBytes { src in dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: src.prefix(dst.count))) }
        }
        return describe(&storage)
    }

    /// A listening socket on `spec` with SO_REUSEADDR and, when asked, SO_REUSEPORT (so that
    /// each event loop can own a listener on the same port). Returns the fd and the bound port
    /// (useful with port 0).
    public static func listen(_ spec: SocketAddressSpec, reusePort: Bool, backlog: Int32 = 1024) throws -> (
        fd: Int32, port: Int
    ) {
        let (family, addr) = try resolve(spec, passive: true)
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Error(call: "socket", errno: Glibc.errno) }
        var on: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        if reusePort { setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, socklen_t(MemoryLayout<Int32>.size)) }
        let brc = addr.withUnsafeBytes { raw in
            bind(fd, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
        }
        guard brc == 0 else {
            let e = Glibc.errno
            close(fd)
            throw Error(call: "bind \(spec)", errno: e)
        }
        guard Glibc.listen(fd, backlog) == 0 else {
            let e = Glibc.errno
            close(fd)
            throw Error(call: "listen \(spec)", errno: e)
        }
        return (fd, try boundPort(fd))
    }

    /// The local port a socket is bound to.
    public static func boundPort(_ fd: Int32) throws -> Int {
        var storage = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        guard rc == 0 else { throw Error(call: "getsockname", errno: Glibc.errno) }
        if Int32(storage.ss_family) == AF_INET6 {
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
            }
        }
        return withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
        }
    }

    /// accept4 with SOCK_NONBLOCK | SOCK_CLOEXEC. Returns nil on EAGAIN; throws on other errors.
    public static func accept(_ listener: Int32) throws -> (fd: Int32, peer: String)? {
        var storage = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let fd = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { csystem_accept_nonblocking(listener, $0, &len) }
        }
        if fd < 0 {
            let e = Glibc.errno
            if e == EAGAIN || e == EWOULDBLOCK || e == EINTR || e == ECONNABORTED { return nil }
            throw Error(call: "accept4", errno: e)
        }
        return (fd, describe(&storage))
    }

    /// A blocking TCP connection (for tests, tools and start-up probes; never on a loop).
    public static func connectBlocking(_ spec: SocketAddressSpec) throws -> Int32 {
        let (family, addr) = try resolve(spec, passive: false)
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Error(call: "socket", errno: Glibc.errno) }
        let rc = addr.withUnsafeBytes { raw in
            Glibc.connect(fd, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
        }
        guard rc == 0 else {
            let e = Glibc.errno
            close(fd)
            throw Error(call: "connect \(spec)", errno: e)
        }
        setNoDelay(fd)
        return fd
    }

    /// Disables Nagle: a proxy writes whole messages and wants them out now.
    public static func setNoDelay(_ fd: Int32) {
        var on: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
    }

    private static func describe(_ storage: inout sockaddr_storage) -> String {
        var buf = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        if Int32(storage.ss_family) == AF_INET6 {
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { p in
                    var a = p.pointee.sin6_addr
                    inet_ntop(AF_INET6, &a, &buf, socklen_t(buf.count))
                    return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                }
            }
        }
        return withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { p in
                var a = p.pointee.sin_addr
                inet_ntop(AF_INET, &a, &buf, socklen_t(buf.count))
                return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
        }
    }
}
