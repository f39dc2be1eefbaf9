import Foundation
import Testing

@testable import Config

@Suite struct ConfigLoaderTests {
    @Test func defaultsMatchTheTable() {
        let d = RepriseConfig.defaults
        #expect(d.listen == ListenAddress(host: "127.0.0.1", port: 8080))
        #expect(d.publicURL == nil)
        #expect(d.upstream.url.string == "https://api.replicate.com")
        #expect(d.upstream.timeout == .seconds(120))
        #expect(d.upstream.connectTimeout == .seconds(10))
        #expect(d.upstream.maxIdleConnections == 64)
        #expect(d.upstream.http2 == true)
        #expect(d.redis.url == RedisURL(host: "127.0.0.1", port: 6379, database: 0))
        #expect(d.redis.keyPrefix == "reprise:")
        #expect(d.redis.timeout == .milliseconds(50))
        #expect(d.cache.defaultTTL == .seconds(3600))
        #expect(d.cache.scope == .shared)
        #expect(d.cache.streamMaxBytes == .mebibytes(8))
        #expect(d.cache.models.isEmpty)
        #expect(d.pricing.hardware.isEmpty)
        #expect(d.pricing.models.isEmpty)
        #expect(d.server.loops == 0)
        #expect(d.server.maxConnections == 10_000)
        #expect(d.server.maxBodySize == .mebibytes(100))
        #expect(d.server.maxHeaderSize == .kibibytes(64))
        #expect(d.server.headerTimeout == .seconds(10))
        #expect(d.server.idleTimeout == .seconds(75))
        #expect(d.server.bodyTimeout == .seconds(60))
        #expect(d.server.drainTimeout == .seconds(30))
        #expect(d.log.level == .info)
        #expect(d.log.requests == true)
    }

    @Test func emptyAndCommentOnlyFilesGiveTheDefaults() {
        #expect(Fixture.load("") == RepriseConfig.defaults)
        #expect(Fixture.load("# nothing\n") == RepriseConfig.defaults)
        #expect(Fixture.load("upstream:\ncache:\n  models:\n") == RepriseConfig.defaults)
    }

    @Test func everyKeyIsRead() throws {
        let config = try #require(
            Fixture.load(
                """
                listen: "[::1]:9090"
                public_url: https://cache.example.com/v1/
                upstream:
                  url: http://127.0.0.1:9000/v1
                  timeout: 5m
                  connect_timeout: 2s
                  max_idle_connections: 8
                  http2: false
                redis:
                  url: redis://:pw@redis.internal:6390/3
                  key_prefix: "staging:"
                  timeout: 20ms
                cache:
                  default_ttl: 2h
                  scope: token
                  stream_max_bytes: 512KiB
                  models:
                    meta/meta-llama-3-8b-instruct: { ttl: 24h }
                    stability-ai/sdxl:abc123: { ttl: 50m, enabled: true }
                    acme/side-effects: { enabled: false }
                    acme/listed-only:
                pricing:
                  hardware:
                    gpu-a40-large: 0.000725
                    cpu: 1e-4
                  models:
                    stability-ai/sdxl: { hardware: gpu-a40-large }
                    meta/meta-llama-3-8b-instruct: { input_per_million_tokens: 0.05, output_per_million_tokens: 0.25 }
                    black-forest-labs/flux-schnell: { per_output: 0.003 }
                server:
                  loops: 2
                  max_connections: 500
                  max_body_size: 10MiB
                  max_header_size: 16KiB
                  header_timeout: 5s
                  idle_timeout: 30s
                  body_timeout: 20s
                  drain_timeout: 0s
                log:
                  level: debug
                  requests: false
                """))
        #expect(config.listen == ListenAddress(host: "::1", port: 9090))
        #expect(config.publicURL?.string == "https://cache.example.com")
        #expect(config.upstream.url == HTTPBaseURL(scheme: .http, host: "127.0.0.1", port: 9000))
        #expect(config.upstream.timeout == .seconds(300))
        #expect(config.upstream.connectTimeout == .seconds(2))
        #expect(config.upstream.maxIdleConnections == 8)
        #expect(config.upstream.http2 == false)
        #expect(config.redis.url == RedisURL(host: "redis.internal", port: 6390, password: "pw", database: 3))
        #expect(config.redis.keyPrefix == "staging:")
        #expect(config.redis.timeout == .milliseconds(20))
        #expect(config.cache.defaultTTL == .seconds(7200))
        #expect(config.cache.scope == .token)
        #expect(config.cache.streamMaxBytes == .kibibytes(512))
        #expect(
            config.cache.models == [
                ModelCacheRule(model: ModelRef(owner: "meta", name: "meta-llama-3-8b-instruct"), ttl: .seconds(86_400)),
                ModelCacheRule(
                    model: ModelRef(owner: "stability-ai", name: "sdxl", version: "abc123"), ttl: .seconds(3000)),
                ModelCacheRule(model: ModelRef(owner: "acme", name: "side-effects"), enabled: false),
                ModelCacheRule(model: ModelRef(owner: "acme", name: "listed-only")),
            ])
        #expect(config.pricing.hardware == ["gpu-a40-large": 0.000725, "cpu": 0.0001])
        #expect(
            config.pricing.models == [
                ModelPriceRule(
                    model: ModelRef(owner: "stability-ai", name: "sdxl"),
                    price: .hardware(sku: "gpu-a40-large", usdPerSecond: 0.000725)),
                ModelPriceRule(
                    model: ModelRef(owner: "meta", name: "meta-llama-3-8b-instruct"),
                    price: .tokens(inputPerMillion: 0.05, outputPerMillion: 0.25)),
                ModelPriceRule(
                    model: ModelRef(owner: "black-forest-labs", name: "flux-schnell"), price: .perOutput(0.003)),
            ])
        #expect(config.server.loops == 2)
        #expect(config.server.maxConnections == 500)
        #expect(config.server.maxBodySize == .mebibytes(10))
        #expect(config.server.maxHeaderSize == .kibibytes(16))
        #expect(config.server.headerTimeout == .seconds(5))
        #expect(config.server.idleTimeout == .seconds(30))
        #expect(config.server.bodyTimeout == .seconds(20))
        #expect(config.server.drainTimeout == .zero)
        #expect(config.log.level == .debug)
        #expect(config.log.requests == false)
    }

    @Test func quotedAndPlainScalarsReadAlike() {
        let config = Fixture.load("upstream:\n  timeout: \"30s\"\n  http2: 'false'\nredis:\n  key_prefix: 123\n")
        #expect(config?.upstream.timeout == .seconds(30))
        #expect(config?.upstream.http2 == false)
        #expect(config?.redis.keyPrefix == "123")
    }

    @Test func loadsAFileFromDisk() throws {
        let path = NSTemporaryDirectory() + "reprise-config-\(getpid()).yaml"
        try "listen: 127.0.0.1:0\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let config = try ConfigLoader.load(path: path, environment: [:])
        #expect(config.listen.port == 0)

        try "listen: nowhere\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(
            throws: ConfigError(messages: [
                "\(path):1: listen: 'nowhere' is not host:port; write host:port, e.g. 127.0.0.1:8080, 0.0.0.0:8080 or [::1]:8080"
            ])
        ) { try ConfigLoader.load(path: path, environment: [:]) }
    }

    @Test func unreadableFilesSaySo() {
        #expect(throws: ConfigError(messages: ["/nonexistent/reprise.yaml: cannot read: No such file or directory"])) {
            try ConfigLoader.load(path: "/nonexistent/reprise.yaml", environment: [:])
        }
        #expect(throws: ConfigError(messages: ["/: cannot read: Is a directory"])) {
            try ConfigLoader.load(path: "/", environment: [:])
        }
    }
}
