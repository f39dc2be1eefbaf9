import Config
import Logging
import Proxy
import TestSupport

/// What a test changes about the Reprise it runs; everything else is the config the harness
/// writes (one loop, quiet logs, the harness's fake and Redis, the test's own key prefix).
struct RepriseOptions: Sendable {
    /// Point `upstream.url` at a port nothing answers on (instead of the harness's fake).
    var unreachableUpstream = false
    /// Point `redis.url` at a port nothing answers on (instead of `REPRISE_TEST_REDIS_URL`).
    var unreachableRedis = false
    var publicURL: String?
    var upstreamTimeout = "20s"
    /// `redis.timeout`: generous, so that a loaded test machine never turns a hit into a
    /// timed-out lookup.
    var redisTimeout = "1s"
    /// `cache.models` rules, e.g. `["replicate/hello-world": "{ ttl: 1s }"]`.
    var cacheModels: [String: String] = [:]
    /// `cache.hot_ttl`; nil keeps the default.
    var hotTTL: String?
    /// `cache.hot_grace`; nil keeps the default.
    var hotGrace: String?
    /// `cache.scope`; nil keeps the default (shared).
    var cacheScope: String?
    /// Connect to the harness's Redis as this ACL user (name, password) instead of the default
    /// user: a test can then take Redis away from this Reprise alone (`ACL SETUSER … -@all`).
    var redisUser: (name: String, password: String)?
    /// Wall clock for entry ages and timestamps (tests of `max-age` pin it).
    var clock: WallClock = .system
    /// Wait for the instance to be ready (Redis connected) before the test goes on (false for
    /// tests of an unreachable Redis).
    var waitUntilReady = true
    /// `server.loops` (2 puts connections, and so a create and the poller watching another
    /// create, or the clients of one shared stream, on different loops).
    var loops = 1
    /// Where the log goes, at level warn (nil: stderr, errors only).
    var logFD: Int32?
    /// `server.stream_client_buffer` (e.g. "64KiB"), or nil for the default.
    var streamClientBuffer: String?
}

/// One whole Reprise (`RepriseApp`) running in-process on 127.0.0.1 and a free port, built from
/// YAML text through `ConfigLoader` exactly as the executable builds it.
///
/// Threading: thread-safe. `init` and `shutdown` block (the harness calls them off the pool);
/// requests suspend the calling task.
final class RepriseInstance: Sendable {
    let app: RepriseApp
    let port: Int
    private let stopped = Locked(false)

    init(yaml: String, clock: WallClock, logFD: Int32? = nil) throws {
        let config: RepriseConfig
        do {
            config = try ConfigLoader.parse(text: yaml, fileName: "proxy-test.yaml")
        } catch {
            throw HarnessError("the test config does not parse: \(error)\n\(yaml)")
        }
        let logger = Logger(sink: LogSink(fd: logFD ?? 2, background: false), level: logFD == nil ? .error : .warn)
        app = try RepriseApp(config: config, logger: logger, clock: clock)
        port = try app.start()
    }

    /// The YAML the harness runs Reprise with.
    static func yaml(options: RepriseOptions, upstreamURL: String, redisURL: String, keyPrefix: String) -> String {
        var lines = [
            "listen: 127.0.0.1:0",
            "upstream:",
            "  url: \(upstreamURL)",
            "  timeout: \(options.upstreamTimeout)",
            "  connect_timeout: 5s",
            "redis:",
            "  url: \(redisURL)",
            "  key_prefix: \"\(keyPrefix)\"",
            "  timeout: \(options.redisTimeout)",
            "server:",
            "  loops: \(options.loops)",
            "  drain_timeout: 2s",
        ] + (options.streamClientBuffer.map { ["  stream_client_buffer: \($0)"] } ?? []) + [
            "log:",
            "  level: error",
            "  requests: false",
        ]
        if let url = options.publicURL { lines.append("public_url: \(url)") }
        if !options.cacheModels.isEmpty || options.hotTTL != nil || options.hotGrace != nil || options.cacheScope != nil {
            lines.append("cache:")
        }
        if let scope = options.cacheScope { lines.append("  scope: \(scope)") }
        if let hotTTL = options.hotTTL { lines.append("  hot_ttl: \(hotTTL)") }
        if let hotGrace = options.hotGrace { lines.append("  hot_grace: \(hotGrace)") }
        if !options.cacheModels.isEmpty {
            lines += ["  models:"]
            for (model, rule) in options.cacheModels.sorted(by: { $0.key < $1.key }) {
                lines.append("    \(model): \(rule)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func send(
        _ method: String, _ target: String, json: String? = nil, body: [UInt8]? = nil,
        headers: [(String, String)] = [], token: String? = FakeUpstream.token, host: String? = nil
    ) async throws -> RawHTTPResponse {
        let port = self.port
        return try await offThePool {
            try HTTPCall.send(
                port: port, method, target, json: json, body: body, headers: headers, token: token, host: host)
        }
    }

    /// Sends `chunks` as a chunked request body.
    func sendChunked(_ method: String, _ target: String, chunks: [[UInt8]], headers: [(String, String)] = [])
        async throws -> RawHTTPResponse
    {
        let port = self.port
        return try await offThePool {
            try HTTPCall.sendChunked(port: port, method, target, chunks: chunks, headers: headers)
        }
    }

    /// The `/metrics` text.
    func metrics() async throws -> String {
        try await send("GET", "/metrics", token: nil).bodyString
    }

    /// Stops this instance (drains, then stops its loops) without holding a pool thread; later
    /// calls do nothing, so a test may stop one replica early and the harness still stops
    /// everything at the end.
    func shutdown() async {
        _ = try? await offThePool { self.shutdownBlocking() }
    }

    /// `shutdown`, blocking the calling thread.
    func shutdownBlocking() {
        guard stopped.withLock({ was in defer { was = true }; return !was }) else { return }
        app.shutdown()
    }
}
