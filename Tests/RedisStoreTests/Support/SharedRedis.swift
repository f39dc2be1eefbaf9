import Foundation
import RedisKeyspace
import RedisStore

/// The Redis server shared by the test run, named by `REPRISE_TEST_REDIS_URL`
/// (`redis://127.0.0.1:PORT/DB`). Tests that need it fail, never skip, when it is not set.
enum SharedRedis {
    static let variable = "REPRISE_TEST_REDIS_URL"

    static func configuration(commandTimeout: Duration = .seconds(5)) throws -> RedisConnectionConfiguration {
        guard let url = ProcessInfo.processInfo.environment[variable], !url.isEmpty else {
            throw TestSetupError(
                "\(variable) is not set: these tests need a real Redis. Start one (redis-server --port P "
                    + "--save '' --appendonly no) and export \(variable)=redis://127.0.0.1:P/0, or run `make test`.")
        }
        guard url.hasPrefix("redis://") else {
            throw TestSetupError("\(variable) must start with redis://, got \(url)")
        }
        let rest = url.dropFirst("redis://".count)
        let parts = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let hostPort = parts[0].split(separator: ":")
        guard hostPort.count == 2, let port = Int(hostPort[1]) else {
            throw TestSetupError("\(variable) must look like redis://HOST:PORT/DB, got \(url)")
        }
        var database = 0
        if parts.count == 2, !parts[1].isEmpty {
            guard let db = Int(parts[1]) else { throw TestSetupError("bad database in \(variable): \(url)") }
            database = db
        }
        return RedisConnectionConfiguration(
            host: String(hostPort[0]), port: port, database: database, connectTimeout: .seconds(5),
            commandTimeout: commandTimeout, unresponsiveTimeout: .seconds(30))
    }

    /// A schema with a prefix unique to one test, so tests never see each other's keys.
    static func scratchSchema() -> RedisKeySchema {
        try! RedisKeySchema(prefix: "reprise-test-\(UInt64.random(in: 0...UInt64.max)):")
    }

    /// A random cache-key digest.
    static func randomDigest() -> RedisKeySchema.Digest {
        let hex = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        return RedisKeySchema.Digest(hex: hex)!
    }
}
