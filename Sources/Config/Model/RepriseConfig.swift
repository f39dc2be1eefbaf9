/// Reprise's whole configuration, typed and validated: what `ConfigLoader` makes of a file plus
/// the environment.
///
/// Property declarations carry no defaults on purpose: every default is in `ConfigSchema.keys`,
/// and `defaults` is the result of decoding an empty file. To build one in code (tests), start
/// from `RepriseConfig.defaults` and change fields. Value type; `Sendable`, so a reload can hand
/// a new one to every loop.
public struct RepriseConfig: Sendable, Equatable {
    /// `listen`
    public var listen: ListenAddress
    /// `public_url`; nil: take the base from each request's Host header.
    public var publicURL: HTTPBaseURL?
    public var upstream: UpstreamSettings
    public var redis: RedisSettings
    public var cache: CacheSettings
    public var pricing: PricingSettings
    public var server: ServerSettings
    public var webhooks: WebhookSettings
    public var log: LogSettings

    /// Every key at its default (an empty file, no environment).
    public static let defaults: RepriseConfig = {
        var decoder = ConfigDecoder(root: nil, environment: [:])
        let config = decoder.decode()
        precondition(decoder.diagnostics.isEmpty, "ConfigSchema defaults must decode: \(decoder.diagnostics)")
        return config
    }()
}

/// `upstream.*`: where misses go and how the client behaves. Value type.
public struct UpstreamSettings: Sendable, Equatable {
    /// `upstream.url`, normalised (no trailing slash, no `/v1`).
    public var url: HTTPBaseURL
    /// `upstream.timeout`: idle timeout of a transfer.
    public var timeout: Duration
    /// `upstream.connect_timeout`
    public var connectTimeout: Duration
    /// `upstream.max_idle_connections`, per loop.
    public var maxIdleConnections: Int
    /// `upstream.http2`
    public var http2: Bool
    /// `upstream.client`: which engine carries requests to `url`'s origin.
    public var client: UpstreamEngine
    /// `upstream.stream_hosts`: host suffixes stream URLs may name (lowercased, no leading dot).
    public var streamHosts: [String]
}

/// `upstream.client`: the engine for requests to `upstream.url`'s own origin.
public enum UpstreamEngine: String, Sendable, CaseIterable {
    /// Reprise's own HTTP/1.1 client on the event loop, where it can serve the origin (plain
    /// `http://` with an IP address host); curl otherwise.
    case native
    /// libcurl for every request.
    case curl
}

/// `redis.*`: the cache store. Value type.
public struct RedisSettings: Sendable, Equatable {
    /// `redis.url`
    public var url: RedisURL
    /// `redis.key_prefix`
    public var keyPrefix: String
    /// `redis.timeout`: bound on a lookup before the request is forwarded as a miss.
    public var timeout: Duration
}

/// `server.*`: limits and timeouts of the client-facing HTTP server. Value type.
public struct ServerSettings: Sendable, Equatable {
    /// `server.loops`; 0 means one per CPU core.
    public var loops: Int
    /// `server.max_connections`
    public var maxConnections: Int
    /// `server.max_body_size`
    public var maxBodySize: ByteSize
    /// `server.max_header_size`
    public var maxHeaderSize: ByteSize
    /// `server.header_timeout`
    public var headerTimeout: Duration
    /// `server.idle_timeout`
    public var idleTimeout: Duration
    /// `server.body_timeout`
    public var bodyTimeout: Duration
    /// `server.drain_timeout`: bound on finishing in-flight requests after SIGTERM.
    public var drainTimeout: Duration
    /// `server.stream_client_buffer`: lag past which a client of a shared stream is dropped.
    public var streamClientBuffer: ByteSize
}

/// `log.*`. Value type.
public struct LogSettings: Sendable, Equatable {
    /// `log.level`
    public var level: LogLevelSetting
    /// `log.requests`: one access line per request.
    public var requests: Bool
}

/// `log.level` values. Mirrors `Logging.LogLevel` by name (this module does not depend on it;
/// the executable maps one onto the other with `LogLevel(name:)`).
public enum LogLevelSetting: String, Sendable, CaseIterable {
    case debug, info, warn, error
}
