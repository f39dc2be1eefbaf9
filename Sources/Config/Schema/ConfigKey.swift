/// One row of the config table (`ConfigSchema.keys`): a key's dotted path, its type, its default
/// and a one-line description.
///
/// Like twemproxy's `conf_commands`, the table is the single statement of what the file may
/// hold: the decoder takes defaults from it and rejects keys missing from it, and tests check
/// the docs and the example file against it. `*` in a path stands for any map key (a model, a
/// hardware SKU). Value type.
public struct ConfigKey: Sendable, Equatable {
    public var path: String
    public var type: ConfigValueType
    public var defaultValue: ConfigDefault
    /// Environment variable that overrides the file, if any.
    public var environmentVariable: String?
    /// Whether a `SIGHUP` reload applies a new value (`RepriseConfig.reloaded(from:)`).
    public var reload: ConfigReload
    public var summary: String

    public init(
        _ path: String, _ type: ConfigValueType, _ defaultValue: ConfigDefault, env: String? = nil,
        reload: ConfigReload = .live, _ summary: String
    ) {
        self.path = path
        self.type = type
        self.defaultValue = defaultValue
        self.environmentVariable = env
        self.reload = reload
        self.summary = summary
    }

    /// The path split at dots (the patterns hold no dots inside a segment).
    public var segments: [Substring] { path.split(separator: ".") }
}

/// What a `SIGHUP` reload does with a key's new value.
public enum ConfigReload: Sendable, Equatable {
    /// Applied to requests that start after the reload.
    case live
    /// Read once at start (sockets, threads, connections and their clients are built from it):
    /// a reload keeps the running value and logs that a restart is needed.
    case restart
}

/// The kind of value a key takes, as the docs name it.
public enum ConfigValueType: Sendable, Equatable, CustomStringConvertible {
    /// `500ms 30s 5m 24h 7d 1h30m` (`DurationSyntax`).
    case duration
    /// `512KiB 8MiB 1GiB` or bytes (`ByteSize`).
    case size
    case boolean
    case integer
    /// A non-negative decimal number, such as a price.
    case number
    case string
    /// `host:port` (`ListenAddress`).
    case hostPort
    /// An http(s) base URL (`HTTPBaseURL`).
    case httpURL
    /// `redis://...` (`RedisURL`).
    case redisURL
    /// A name from `pricing.hardware`.
    case hardwareSKU
    /// One word from a fixed list.
    case choice([String])
    /// A mapping whose keys are chosen by the user (models, SKUs).
    case map(keys: String)

    public var description: String {
        switch self {
        case .duration: return "duration"
        case .size: return "size"
        case .boolean: return "bool"
        case .integer: return "integer"
        case .number: return "number"
        case .string: return "string"
        case .hostPort: return "host:port"
        case .httpURL: return "http(s) URL"
        case .redisURL: return "redis URL"
        case .hardwareSKU: return "hardware SKU"
        case .choice(let words): return "one of " + words.joined(separator: ", ")
        case .map(let keys): return "map by \(keys)"
        }
    }
}

/// What a key is when the file does not set it.
public enum ConfigDefault: Sendable, Equatable, CustomStringConvertible {
    /// This text, read exactly as if it were in the file.
    case literal(String)
    /// The value of another key.
    case inherited(from: String)
    /// An empty map.
    case empty
    /// Must be given whenever its parent is (a price for a listed SKU).
    case required
    /// Not set; the words say what that means.
    case unset(meaning: String)

    public var description: String {
        switch self {
        case .literal(let text): return text
        case .inherited(let path): return "value of \(path)"
        case .empty: return "empty"
        case .required: return "required"
        case .unset(let meaning): return "unset (\(meaning))"
        }
    }
}
