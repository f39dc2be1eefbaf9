/// Every key the config file may hold, with its type, default and meaning: the one place where
/// defaults are stated (twemproxy's `conf_commands` plus `CONF_DEFAULT_*`, in one table).
///
/// `RepriseConfig.defaults` is what decoding an empty file gives, so it comes from here too.
/// `docs/configuration.md` and `config/reprise.example.yaml` are checked against this table by
/// tests. Keys are only added, never renamed: users' files depend on them. Immutable; thread-safe.
public enum ConfigSchema {
    public static let keys: [ConfigKey] = [
        // MARK: - Listener and upstream
        ConfigKey(
            "listen", .hostPort, .literal("127.0.0.1:8080"), env: "REPRISE_LISTEN",
            reload: .restart, "Address and port to accept client connections on (port 0: any free port)."),
        ConfigKey(
            "public_url", .httpURL, .unset(meaning: "from each request's Host header"), env: "REPRISE_PUBLIC_URL",
            "Base of the URLs Reprise writes into answers (urls.get, next…); set it behind a load balancer."),
        ConfigKey(
            "upstream.url", .httpURL, .literal("https://api.replicate.com"), env: "REPRISE_UPSTREAM_URL",
            "Replicate's API base; a trailing / or /v1 is dropped. Tests point it at the fake."),
        ConfigKey(
            "upstream.timeout", .duration, .literal("120s"),
            reload: .restart, "Idle timeout: longest time an upstream transfer may go without a byte moving."),
        ConfigKey(
            "upstream.connect_timeout", .duration, .literal("10s"),
            reload: .restart, "Time allowed to connect to the upstream (TCP and TLS)."),
        ConfigKey(
            "upstream.max_idle_connections", .integer, .literal("64"),
            reload: .restart, "Upstream connections kept open for reuse, per event loop."),
        ConfigKey(
            "upstream.http2", .boolean, .literal("true"),
            reload: .restart, "Offer HTTP/2 to an https upstream (ALPN); false keeps to HTTP/1.1."),
        ConfigKey(
            "upstream.client", .choice(UpstreamEngine.allCases.map(\.rawValue)), .literal("native"),
            reload: .restart,
            "HTTP/1.1 engine for upstream.url's own origin: native (Reprise's own, http:// with an IP address host) or curl; other requests always use curl."),
        ConfigKey(
            "upstream.stream_hosts", .string, .literal("replicate.net replicate.com"),
            "Hosts a stream URL may name besides upstream.url's: names equal to or under these suffixes, space-separated."),

        // MARK: - Redis
        ConfigKey(
            "redis.url", .redisURL, .literal("redis://127.0.0.1:6379/0"), env: "REPRISE_REDIS_URL",
            reload: .restart, "Redis server holding the cache: redis://[:password@]host[:port][/db]."),
        ConfigKey(
            "redis.key_prefix", .string, .literal("reprise:"),
            reload: .restart, "Prefix of every Redis key Reprise writes, so that deployments can share one Redis."),
        ConfigKey(
            "redis.timeout", .duration, .literal("50ms"),
            reload: .restart, "Longest wait for a cache lookup; past it the request is forwarded as if it missed."),

        // MARK: - Cache
        ConfigKey(
            "cache.default_ttl", .duration, .literal("1h"),
            "How long a stored prediction is served, for models without their own ttl."),
        ConfigKey(
            "cache.scope", .choice(CacheScope.allCases.map(\.rawValue)), .literal("shared"),
            "shared: one entry answers every token Replicate accepts; token: each API token has its own."),
        ConfigKey(
            "cache.stream_max_bytes", .size, .literal("8MiB"),
            "Largest SSE stream recorded for replay; longer streams pass through unrecorded."),
        ConfigKey(
            "cache.stream_replay", .choice(StreamReplayPace.allCases.map(\.rawValue)), .literal("immediate"),
            "How a hit replays a recorded stream: immediate (all events at once) or original (at the recorded pace)."),
        ConfigKey(
            "cache.hot_ttl", .duration, .literal("1s"),
            "How long an entry read from Redis may answer hits from memory without asking Redis again (0s: always ask)."),
        ConfigKey(
            "cache.hot_max_bytes", .size, .literal("64MiB"),
            "Memory for entries kept in process (split between the event loops; an eighth holds recent create bodies, "
                + "parsed and keyed); the oldest go first."),
        ConfigKey(
            "cache.hot_grace", .duration, .literal("30s"),
            "While Redis fails, how long past hot_ttl an in-process entry may still answer (never past its TTL; 0s: fail open at once)."),
        ConfigKey(
            "cache.models", .map(keys: "owner/name[:version]"), .empty,
            "Per-model rules; a rule for owner/name:version beats the one for owner/name."),
        ConfigKey(
            "cache.models.*.ttl", .duration, .inherited(from: "cache.default_ttl"),
            "How long this model's predictions are served."),
        ConfigKey(
            "cache.models.*.enabled", .boolean, .literal("true"),
            "false: never cache this model (its creates are forwarded and answered BYPASS)."),

        // MARK: - Pricing (what a hit saves, for the cost metrics)
        ConfigKey(
            "pricing.hardware", .map(keys: "hardware SKU"), .empty,
            "Hardware prices, keyed by SKU as in GET /v1/hardware (gpu-a40-large…)."),
        ConfigKey(
            "pricing.hardware.*", .number, .required,
            "USD per second of predict_time on this hardware."),
        ConfigKey(
            "pricing.models", .map(keys: "owner/name[:version]"), .empty,
            "Per-model price: exactly one of hardware, per_output, or the two per-million-token prices."),
        ConfigKey(
            "pricing.models.*.hardware", .hardwareSKU, .unset(meaning: "one price form is required"),
            "Billed by time: SKU from pricing.hardware; a hit saves predict_time × its price."),
        ConfigKey(
            "pricing.models.*.input_per_million_tokens", .number, .unset(meaning: "one price form is required"),
            "Billed by tokens: USD per million input tokens (give output_per_million_tokens too)."),
        ConfigKey(
            "pricing.models.*.output_per_million_tokens", .number, .unset(meaning: "one price form is required"),
            "Billed by tokens: USD per million output tokens (give input_per_million_tokens too)."),
        ConfigKey(
            "pricing.models.*.per_output", .number, .unset(meaning: "one price form is required"),
            "Billed per output: USD per item of output (image, video…)."),

        // MARK: - Server limits
        ConfigKey(
            "server.loops", .integer, .literal("0"), reload: .restart, "Event-loop threads; 0 means one per CPU core."),
        ConfigKey(
            "server.max_connections", .integer, .literal("10000"),
            reload: .restart, "Open client connections across all loops; past it new ones get 503."),
        ConfigKey(
            "server.max_body_size", .size, .literal("100MiB"), reload: .restart, "Largest request body; past it 413."),
        ConfigKey(
            "server.max_header_size", .size, .literal("64KiB"),
            reload: .restart, "Largest request head (request line and headers); past it 431."),
        ConfigKey(
            "server.header_timeout", .duration, .literal("10s"),
            reload: .restart, "Time from a request's first byte to the end of its head; past it 408."),
        ConfigKey(
            "server.idle_timeout", .duration, .literal("75s"),
            reload: .restart, "How long a keep-alive connection may wait for its next request."),
        ConfigKey(
            "server.body_timeout", .duration, .literal("60s"),
            reload: .restart, "Longest stall while a request body is being read; past it 408."),
        ConfigKey(
            "server.drain_timeout", .duration, .literal("30s"),
            reload: .restart, "On SIGTERM, how long in-flight requests may run before Reprise exits anyway."),
        ConfigKey(
            "server.stream_client_buffer", .size, .literal("1MiB"),
            "How far a client of a shared stream may fall behind the fastest one before it is dropped."),

        // MARK: - Webhooks (delivered by Reprise for cache hits)
        ConfigKey(
            "webhooks.allow_private", .boolean, .literal("false"),
            "Let webhook deliveries reach loopback, private, link-local and metadata addresses (development, tests)."),
        ConfigKey(
            "webhooks.timeout", .duration, .literal("10s"),
            "Longest time one webhook delivery attempt may take, connect to last byte."),
        ConfigKey(
            "webhooks.retry_backoff", .duration, .literal("1s"),
            "First wait before a failed completed webhook is retried; each next wait doubles."),
        ConfigKey(
            "webhooks.retry_window", .duration, .literal("1m"),
            "Time after the first attempt of the last retry of a completed webhook (0s: no retries)."),
        ConfigKey(
            "webhooks.queue_size", .integer, .literal("1000"),
            "Webhook deliveries held per event loop (queued, sending or retrying); past it new ones are dropped."),

        // MARK: - Logging
        ConfigKey(
            "log.level", .choice(LogLevelSetting.allCases.map(\.rawValue)), .literal("info"),
            reload: .restart, "Lowest level of the JSON log lines written to stderr."),
        ConfigKey(
            "log.requests", .boolean, .literal("true"),
            "Write one access line per request (route, status, cache, upstream_ms)."),
    ]

    private static let byPath: [String: ConfigKey] = Dictionary(uniqueKeysWithValues: keys.map { ($0.path, $0) })

    /// The row for a path pattern such as `cache.models.*.ttl`.
    public static func key(_ path: String) -> ConfigKey? { byPath[path] }

    /// The segments that may follow `pattern` ("" for the top level); `["*"]` for a map.
    static func children(of pattern: String) -> [String] {
        let depth = pattern.isEmpty ? 0 : pattern.split(separator: ".").count
        let prefix = pattern.isEmpty ? "" : pattern + "."
        var seen: [String] = []
        for key in keys where key.path.hasPrefix(prefix) {
            let next = String(key.segments[depth])
            if !seen.contains(next) { seen.append(next) }
        }
        return seen
    }
}
