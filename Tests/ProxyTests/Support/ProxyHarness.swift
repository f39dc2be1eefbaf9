import Config
import FakeReplicate
import Foundation
import Proxy
import RedisKeyspace
import RedisStore
import TestSupport

/// Runs `body` with a fresh harness and stops it afterwards, also when `body` throws.
func withHarness(
    _ options: RepriseOptions = RepriseOptions(),
    fake configure: @escaping @Sendable (inout FakeReplicateConfiguration) -> Void = { _ in },
    _ body: (ProxyHarness) async throws -> Void
) async throws {
    let h = try await offThePool { try ProxyHarness(fake: configure) }
    do {
        try await h.startReprise(options)
        try await body(h)
    } catch {
        await h.shutdown()
        throw error
    }
    await h.shutdown()
}

/// Everything one integration test runs: the fake Replicate API, one or more whole Reprise
/// instances in front of it, and a client on the real Redis (`REPRISE_TEST_REDIS_URL`) to look
/// at what Reprise stored. Each harness has its own `redis.key_prefix`, so tests running in
/// parallel never see each other's keys; `shutdown()` deletes them.
///
/// Threading: used by one test task at a time (its methods are awaited one after the other);
/// the servers run on their own loop threads.
final class ProxyHarness: @unchecked Sendable {
    static let redisVariable = "REPRISE_TEST_REDIS_URL"

    let upstream: FakeUpstream
    let redis: TestRedis
    let redisURL: String
    let keyPrefix: String
    let keys: RedisKeySchema
    private(set) var instances: [RepriseInstance] = []
    /// Sockets holding the "unreachable" ports until the end of the test.
    private var reservedPorts: [Int32] = []

    /// Starts the fake (adjusted by `configure`) and the Redis client. Blocks: call it off the pool.
    init(fake configure: (inout FakeReplicateConfiguration) -> Void) throws {
        guard let url = ProcessInfo.processInfo.environment[Self.redisVariable], !url.isEmpty else {
            throw HarnessError(
                "\(Self.redisVariable) is not set: these tests need a real Redis. Start one (redis-server --port P "
                    + "--save '' --appendonly no) and export \(Self.redisVariable)=redis://127.0.0.1:P/0, or run `make test`.")
        }
        redisURL = url
        keyPrefix = "proxytest-\(String(UInt64.random(in: 0...UInt64.max), radix: 16)):"
        keys = try RedisKeySchema(prefix: keyPrefix)
        var redisConfiguration = try ConfigLoader.parse(text: "redis:\n  url: \(url)\n", fileName: "env")
            .redisConnectionConfiguration
        redisConfiguration.commandTimeout = .seconds(1)
        redis = try TestRedis(configuration: redisConfiguration)
        do {
            upstream = try FakeUpstream(configure)
        } catch {
            redis.close()
            throw error
        }
    }

    /// The first Reprise.
    var reprise: RepriseInstance { instances[0] }

    /// Starts a Reprise on this harness's fake, Redis and key prefix (a second one is a second
    /// replica) and, unless told not to, waits until it is ready.
    @discardableResult
    func startReprise(_ options: RepriseOptions = RepriseOptions()) async throws -> RepriseInstance {
        let upstreamURL = options.unreachableUpstream ? "http://127.0.0.1:\(try reservePort())" : upstream.baseURL
        var redisURL = options.unreachableRedis ? "redis://127.0.0.1:\(try reservePort())/0" : self.redisURL
        if let user = options.redisUser, let schemeEnd = redisURL.range(of: "://") {
            // Drop any credentials of the harness's own URL and log in as the test's user.
            let rest = redisURL[schemeEnd.upperBound...]
            let hostPart = rest.firstIndex(of: "@").map { rest[rest.index(after: $0)...] } ?? rest
            redisURL = "redis://\(user.name):\(user.password)@\(hostPart)"
        }
        let yaml = RepriseInstance.yaml(
            options: options, upstreamURL: upstreamURL, redisURL: redisURL, keyPrefix: keyPrefix)
        let instance = try await offThePool { try RepriseInstance(yaml: yaml, clock: options.clock, logFD: options.logFD) }
        instances.append(instance)
        if options.waitUntilReady {
            guard await eventually({ instance.app.readiness.problems.isEmpty }) else {
                throw HarnessError("Reprise did not become ready within 20 s: \(instance.app.readiness.problems)")
            }
        }
        return instance
    }

    /// The Redis key of the entry for an `X-Cache-Key` value.
    func entryKey(_ cacheKey: String?) throws -> RedisKey {
        guard let hex = cacheKey, let digest = RedisKeySchema.Digest(hex: hex) else {
            throw HarnessError("not a cache key: \(cacheKey ?? "nil")")
        }
        return keys.entry(digest)
    }

    /// The stored entry for an `X-Cache-Key` value, decoded, or nil when there is none.
    func storedEntry(_ cacheKey: String?) async throws -> [String: Any]? {
        guard let bytes = try await redis.get(try entryKey(cacheKey)) else { return nil }
        return try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
    }

    /// Waits (bounded) until an entry exists for `cacheKey`.
    func waitForEntry(_ cacheKey: String?, timeout: Duration = .seconds(20)) async throws -> Bool {
        let key = try entryKey(cacheKey)
        return try await eventually(timeout: timeout) { try await redis.exists(key) }
    }

    /// Stops every instance and the fake, deletes the test's keys, closes the Redis client.
    func shutdown() async {
        for instance in instances { await instance.shutdown() }
        try? await redis.deleteAll(prefix: keyPrefix)
        let (upstream, redis, ports) = (self.upstream, self.redis, reservedPorts)
        _ = try? await offThePool {
            upstream.shutdown()
            redis.close()
            for fd in ports { close(fd) }
        }
    }

    /// A loopback port nothing answers on: bound, never listened on, and held until
    /// `shutdown`, so no server of a test running alongside can take it meanwhile (connecting
    /// to it is refused at once).
    private func reservePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket() failed: errno \(errno)") }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa -> Bool in
                bind(fd, sa, len) == 0 && getsockname(fd, sa, &len) == 0
            }
        }
        guard bound else {
            close(fd)
            throw HarnessError("could not bind a loopback port: errno \(errno)")
        }
        reservedPorts.append(fd)
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}

/// A wall clock that stands still until the test moves it, so `Age` and `max-age` are exact.
/// Threading: thread-safe.
final class PinnedClock: Sendable {
    private let nanos = Locked<Int64>(1_750_000_000 * 1_000_000_000)

    var wallClock: WallClock {
        let nanos = self.nanos
        return WallClock { nanos.value }
    }

    func advance(seconds: Int64) {
        nanos.withLock { $0 += seconds * 1_000_000_000 }
    }
}
