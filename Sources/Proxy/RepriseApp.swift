import CacheCore
import Config
import EventLoop
import HTTPServer
import Logging
import Metrics
import RedisKeyspace
import RedisStore
import Synchronization
import Upstream

/// One running Reprise: event loops, the HTTP server, and per loop a `ProxyResponder` with its
/// own upstream client, Redis connection and metric shard. `main` creates it, and tests run
/// whole instances in-process with it (two on one Redis behave like two replicas).
///
/// Threading: `start`, `reload` and `shutdown` may be called from any thread (not concurrently
/// with each other). Per-loop objects are created on their loop and only touched there.
public final class RepriseApp: Sendable {
    public let group: EventLoopGroup
    public let server: HTTPServer
    public let readiness = Readiness()
    public let streams = StreamRegistry()
    let liveRelays = LiveRelayDirectory()
    private let logger: Logger
    private let responders = ResponderList()
    private let metricsCollector = MetricsCollector()
    private let config: Mutex<RepriseConfig>

    /// Builds (but does not start) an instance for `config`. `clock` is the wall clock used for
    /// timestamps and entry ages (tests pin it).
    public init(config: RepriseConfig, logger: Logger, clock: WallClock = .system) throws {
        self.logger = logger
        self.config = Mutex(config)
        let loops = config.server.loops > 0 ? config.server.loops : EventLoopGroup.coreCount
        let group = try EventLoopGroup(loopCount: loops)
        self.group = group
        let keys = try RedisKeySchema(prefix: config.redis.keyPrefix)
        var redisConfiguration = config.redisConnectionConfiguration
        redisConfiguration.host = try Socket.numericHost(redisConfiguration.host)
        try redisConfiguration.validate()
        let settings = config.proxySettings
        let cacheSettings = config.cacheRuntimeSettings
        let upstreamConfiguration = config.upstreamClientConfiguration
        let streams = self.streams
        let liveRelays = self.liveRelays
        let readiness = self.readiness
        let registry = responders
        let collector = metricsCollector
        let warnings = LogRateLimiter()
        let pollRoutes = PollRouter()
        // Each loop's responder (and Redis connection) is made on the loop after `start`; until
        // then `/readyz` must not read as ready.
        for loop in group.loops { readiness.setProblem(Self.redisComponent(loop.index), "connecting") }
        server = HTTPServer(
            group: group, configuration: config.httpServerConfiguration, logger: logger,
            responderFactory: { loop in
                let shard = MetricsShard()
                let component = Self.redisComponent(loop.index)
                // The configuration was validated above, so this cannot throw.
                let redis = try! RedisClient(loop: loop, configuration: redisConfiguration, logger: logger) { state in
                    switch state {
                    case .connected: readiness.clearProblem(component)
                    case .disconnected(let error): readiness.setProblem(component, "unreachable: \(error.shortDescription)")
                    }
                }
                let store = RedisCacheStore(client: redis, keys: keys) { error in
                    shard.increment(MetricSeries(.redisErrors))
                    // Counted every time; logged at most once a second (an outage fails every write).
                    if let suppressed = warnings.admit("redis-write." + error.kind.rawValue, nowNanos: loop.now) {
                        // A timed-out write was still sent (it usually lands); an `unavailable` one
                        // (not connected, too many pending) was not: the detail tells them apart.
                        logger.warn(
                            "redis write failed",
                            ["error": .string(error.kind.rawValue), "detail": .string(error.detail), "suppressed": .int(suppressed)])
                    }
                }
                let responder = ProxyResponder(
                    loop: loop, settings: settings,
                    upstream: UpstreamClient(loop: loop, configuration: upstreamConfiguration, logger: logger),
                    streams: streams, liveRelays: liveRelays, readiness: readiness,
                    cache: LoopCache(
                        store: store, settings: cacheSettings, metrics: shard, loopCount: group.loops.count,
                        now: { loop.now }),
                    metricsCollector: collector, clock: clock, logger: logger, warnings: warnings,
                    pollRoutes: pollRoutes)
                responder.cache.broadcastEntryWritten = { [weak registry] key in
                    for ref in registry?.all ?? [] {
                        if ref.responder.loop === loop {
                            ref.responder.cache.hot.entryWritten(key, now: loop.now)
                        } else {
                            ref.responder.loop.execute { ref.responder.cache.hot.entryWritten(key, now: ref.responder.loop.now) }
                        }
                    }
                }
                collector.register(shard, loop: loop)
                registry.append(ResponderRef(responder: responder, redis: redis))
                redis.start()
                return responder
            })
    }

    /// The `/readyz` component of one loop's Redis connection.
    private static func redisComponent(_ loopIndex: Int) -> String { "redis.loop\(loopIndex)" }

    /// The config in force: the one started with, with reloads applied (`reload`).
    public var runningConfig: RepriseConfig { config.withLock { $0 } }

    /// Starts the loops and listens on the configured address; returns the bound port.
    public func start() throws -> Int {
        let listen = config.withLock { $0.listen }
        group.start()
        metricsCollector.history.start(on: group.loops[0], collector: metricsCollector)
        let port = try server.start(SocketAddressSpec(host: listen.host, port: listen.port))
        logger.info("serving", ["address": .string(listen.host), "port": .int(port), "loops": .int(group.loops.count), "version": .string(RepriseVersion.current)])
        return port
    }

    /// Applies a new config to requests that start from now on. Keys the config table marks
    /// `reload: .restart` (listen address, loops, server limits, Redis, upstream connection
    /// settings, log level) keep their running values; the log names those that changed.
    public func reload(_ newConfig: RepriseConfig) {
        let (applied, needRestart) = config.withLock { c -> (RepriseConfig, [String]) in
            let outcome = c.reloaded(from: newConfig)
            c = outcome.config
            return outcome
        }
        if !needRestart.isEmpty {
            logger.warn(
                "reload: these keys take effect only on restart; kept the running values",
                ["keys": .string(needRestart.joined(separator: ", "))])
        }
        let settings = applied.proxySettings
        let cacheSettings = applied.cacheRuntimeSettings
        for ref in responders.all {
            ref.responder.loop.execute { ref.responder.apply(settings, cacheSettings: cacheSettings) }
        }
        logger.info("config reloaded")
    }

    /// Stops accepting, lets accepted requests finish (bounded by `server.drain_timeout`), then
    /// stops the loops. Blocks the calling thread (never call it on a loop).
    public func shutdown() {
        let timeout = config.withLock { $0.server.drainTimeout }
        let drained = Latch()
        server.drain(timeout: timeout) { drained.open() }
        drained.wait()
        let refs = responders.all
        let closed = Latch()
        let remaining = Mutex(refs.count)
        if refs.isEmpty { closed.open() }
        for ref in refs {
            ref.responder.loop.execute {
                ref.responder.poller.stopAll()
                ref.responder.webhooks.shutdown()
                ref.responder.upstream.shutdown()
                ref.redis.close()
                if remaining.withLock({ $0 -= 1; return $0 }) == 0 { closed.open() }
            }
        }
        closed.wait(timeout: .seconds(5))
        group.stopAndJoin()
    }
}

/// A loop-bound responder and its Redis client, carried across threads only to be used inside
/// their loop's `execute`.
private struct ResponderRef: @unchecked Sendable {
    let responder: ProxyResponder
    let redis: RedisClient
}

/// The loops' responders, filled in as each loop creates its own. Thread-safe.
private final class ResponderList: Sendable {
    private let refs = Mutex<[ResponderRef]>([])

    func append(_ ref: ResponderRef) { refs.withLock { $0.append(ref) } }

    var all: [ResponderRef] { refs.withLock { $0 } }
}
