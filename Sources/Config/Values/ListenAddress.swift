/// Where Reprise listens: `host:port`, `[ipv6]:port`, or `:port` for every IPv4 interface.
///
/// The same grammar as `EventLoop.SocketAddressSpec`, kept as a plain struct so this module needs
/// no event loop; the executable converts one into the other. Port 0 asks the kernel for a free
/// port (tests use it with `--port-file`). `host` is stored without brackets. Value type.
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public init(parsing text: String) throws(ConfigValueError) {
        let hint = "write host:port, e.g. 127.0.0.1:8080, 0.0.0.0:8080 or [::1]:8080"
        guard let (host, portText, bracketed) = ValueText.splitHostPort(text[...]), let portText else {
            throw ConfigValueError("\(ValueText.quoted(text)) is not host:port; \(hint)")
        }
        guard let port = ValueText.port(portText) else {
            throw ConfigValueError("\(ValueText.quoted(text)): '\(portText)' is not a port (0-65535)")
        }
        if host.isEmpty, !bracketed {
            self.host = "0.0.0.0"
        } else {
            guard ValueText.isHost(host, allowColons: bracketed) else {
                throw ConfigValueError("\(ValueText.quoted(text)): '\(host)' is not a host name or address")
            }
            self.host = String(host)
        }
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
