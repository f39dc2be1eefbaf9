/// The Redis server to use: `redis://[[user]:password@]host[:port][/db]`.
///
/// Port defaults to 6379 and db to 0. User name and password are percent-decoded (`%40` is `@`);
/// the URL is split at its last `@`, so a password may also hold a raw `@`, `/` or `:`. `rediss://`
/// (TLS) is refused: hiredis is built without TLS here. `description` hides the password, so a
/// `RedisURL` can be logged. Value type.
public struct RedisURL: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public static let defaultPort = 6379

    public var host: String
    public var port: Int
    /// Redis 6 ACL user name, or nil for the default user.
    public var username: String?
    /// Sent with AUTH when present. Never logged.
    public var password: String?
    public var database: Int

    public init(
        host: String, port: Int = defaultPort, username: String? = nil, password: String? = nil, database: Int = 0
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
    }

    public init(parsing text: String) throws(ConfigValueError) {
        let quoted = ValueText.quotedURL(text, slashInUserinfo: true)
        let shape = "write redis://[:password@]host[:port][/db]"
        guard let sep = text.firstRange(of: "://") else {
            throw ConfigValueError("\(quoted) is not a Redis URL; \(shape)")
        }
        switch text[..<sep.lowerBound].lowercased() {
        case "redis": break
        case "rediss": throw ConfigValueError("TLS to Redis is not supported (\(quoted)); use redis://")
        default: throw ConfigValueError("\(quoted) is not a Redis URL; \(shape)")
        }
        let rest = text[sep.upperBound...]
        let at = rest.lastIndex(of: "@")
        let location = at.map { rest[rest.index(after: $0)...] } ?? rest
        if location.contains("?") || location.contains("#") {
            throw ConfigValueError("\(quoted): query parameters are not supported; \(shape)")
        }
        let slash = location.firstIndex(of: "/") ?? location.endIndex
        guard let (host, portText, bracketed) = ValueText.splitHostPort(location[..<slash]),
            ValueText.isHost(host, allowColons: bracketed)
        else { throw ConfigValueError("\(quoted) has no valid host; \(shape)") }
        self.host = String(host)
        if let portText {
            guard let p = ValueText.port(portText), p > 0 else {
                throw ConfigValueError("\(quoted): '\(portText)' is not a port (1-65535)")
            }
            port = p
        } else {
            port = Self.defaultPort
        }
        let db = location[slash...].dropFirst()
        if db.isEmpty {
            database = 0
        } else {
            guard ValueText.isDigits(db), db.count <= 9, let n = Int(db) else {
                throw ConfigValueError("\(quoted): '\(db)' is not a database number")
            }
            database = n
        }
        username = nil
        password = nil
        if let at {
            let userinfo = rest[..<at]
            guard let colon = userinfo.firstIndex(of: ":") else {
                throw ConfigValueError("\(quoted): put ':' before the password (redis://:password@host)")
            }
            let user = try Self.percentDecoded(userinfo[..<colon], what: "user name")
            let pass = try Self.percentDecoded(userinfo[userinfo.index(after: colon)...], what: "password")
            username = user.isEmpty ? nil : user
            password = pass.isEmpty ? nil : pass
        }
    }

    public var description: String {
        var auth = ""
        if username != nil || password != nil { auth = "\(username ?? ""):\(password == nil ? "" : "***")@" }
        let h = host.contains(":") ? "[\(host)]" : host
        return "redis://\(auth)\(h):\(port)/\(database)"
    }

    public var debugDescription: String { description }

    private static func percentDecoded(_ s: Substring, what: String) throws(ConfigValueError) -> String {
        var bytes: [UInt8] = []
        var i = s.utf8.startIndex
        let utf8 = s.utf8
        while i < utf8.endIndex {
            let b = utf8[i]
            i = utf8.index(after: i)
            guard b == UInt8(ascii: "%") else {
                bytes.append(b)
                continue
            }
            guard i < utf8.endIndex, let hi = hexValue(utf8[i]), utf8.index(after: i) < utf8.endIndex,
                let lo = hexValue(utf8[utf8.index(after: i)])
            else { throw ConfigValueError("bad percent-encoding in the Redis \(what) (write %25 for a literal %)") }
            bytes.append(hi << 4 | lo)
            i = utf8.index(i, offsetBy: 2)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ConfigValueError("the Redis \(what) is not valid UTF-8 once percent-decoded")
        }
        return text
    }

    private static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
