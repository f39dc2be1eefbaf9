// swift-tools-version:6.0
// Reprise: a caching reverse proxy for the Replicate API. See docs/architecture.md for the
// module map; the rule is that decision modules import no C library and open no socket.
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Reprise",
    products: [
        .executable(name: "reprise", targets: ["reprise"]),
        .executable(name: "fake-replicate", targets: ["fake-replicate"]),
        // Only for the fuzzing package in Tests/Fuzz, which depends on this one by path and
        // needs a product to reach these modules; nothing else links it.
        .library(
            name: "RepriseFuzzSurface",
            targets: ["HTTPServer", "HTTPTypes", "JSONCore", "CacheCore", "Config", "ReplicateAPI"]),
    ],
    targets: [
        // MARK: - C adapters (one per library; shim.h holds the typed wrappers)
        .target(name: "CSystem", path: "Sources/CSystem"),
        .systemLibrary(name: "CHiredis", path: "Sources/CHiredis"),
        .systemLibrary(name: "CCurl", path: "Sources/CCurl"),
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL"),
        .systemLibrary(name: "CYAML", path: "Sources/CYAML"),
        .systemLibrary(name: "CHTTPParser", path: "Sources/CHTTPParser"),

        // MARK: - Pure Swift (no C, no sockets)
        // libm: rounding in number formatting; executables that import no Glibc would not link it.
        .target(name: "JSONCore", swiftSettings: strict, linkerSettings: [.linkedLibrary("m")]),
        .target(name: "HTTPTypes", dependencies: ["JSONCore"], swiftSettings: strict),
        .target(name: "ReplicateAPI", dependencies: ["HTTPTypes", "JSONCore"], swiftSettings: strict),
        .target(name: "CacheCore", dependencies: ["JSONCore"], swiftSettings: strict),
        .target(name: "RedisKeyspace", swiftSettings: strict),
        .target(name: "Webhooks", dependencies: ["JSONCore", "HTTPTypes"], swiftSettings: strict),
        .target(name: "ProxyCore", dependencies: ["HTTPTypes", "ReplicateAPI", "CacheCore", "JSONCore"],
                swiftSettings: strict),

        // MARK: - I/O and adapters
        .target(name: "Logging", dependencies: ["JSONCore"], swiftSettings: strict),
        .target(name: "CryptoPrimitives", dependencies: ["COpenSSL"], swiftSettings: strict),
        .target(name: "EventLoop", dependencies: ["CSystem"], swiftSettings: strict),
        .target(name: "Config", dependencies: ["CYAML"], swiftSettings: strict),
        .target(name: "Metrics", swiftSettings: strict, linkerSettings: [.linkedLibrary("m")]),
        .target(name: "StatusPage", dependencies: ["Metrics"], swiftSettings: strict),
        .target(
            name: "RedisStore",
            dependencies: ["CHiredis", "EventLoop", "Logging", "CryptoPrimitives", "RedisKeyspace"],
            swiftSettings: strict),
        .target(
            name: "HTTPServer",
            dependencies: ["HTTPTypes", "EventLoop", "CHTTPParser", "CSystem", "Logging"],
            swiftSettings: strict),
        .target(
            name: "Upstream", dependencies: ["HTTPTypes", "EventLoop", "CCurl", "Logging"],
            swiftSettings: strict),
        .target(
            name: "WebhookDelivery",
            dependencies: [
                "Webhooks", "HTTPTypes", "JSONCore", "EventLoop", "Upstream", "Logging", "Metrics", "CryptoPrimitives",
            ],
            swiftSettings: strict),
        .target(
            name: "Proxy",
            dependencies: [
                "HTTPTypes", "JSONCore", "ReplicateAPI", "CacheCore", "ProxyCore", "EventLoop", "HTTPServer", "Upstream",
                "Config", "Logging", "Metrics", "StatusPage", "CryptoPrimitives", "RedisStore", "RedisKeyspace",
                "Webhooks", "WebhookDelivery",
            ],
            swiftSettings: strict),
        .target(
            name: "FakeReplicate",
            dependencies: ["HTTPTypes", "JSONCore", "EventLoop", "HTTPServer", "Logging", "CryptoPrimitives", "Webhooks"],
            swiftSettings: strict),

        // MARK: - Executables
        .executableTarget(
            name: "reprise", dependencies: ["Proxy", "Config", "Logging", "Metrics", "EventLoop"],
            swiftSettings: strict),
        .executableTarget(
            name: "fake-replicate", dependencies: ["FakeReplicate", "EventLoop", "HTTPServer", "Logging"],
            swiftSettings: strict),

        // MARK: - Tests (mirror Sources/)
        .target(
            name: "TestSupport", dependencies: ["EventLoop", "HTTPTypes", "HTTPServer", "CSystem", "Logging"],
            path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(name: "RedisKeyspaceTests", dependencies: ["RedisKeyspace"]),
        .testTarget(
            name: "RedisStoreTests",
            dependencies: ["RedisStore", "RedisKeyspace", "EventLoop", "Logging", "CHiredis", "CryptoPrimitives"]),
        .testTarget(
            name: "UpstreamTests", dependencies: ["Upstream", "EventLoop", "Logging", "HTTPTypes"],
            swiftSettings: strict),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer", "TestSupport"]),
        .testTarget(
            name: "FakeReplicateTests", dependencies: ["FakeReplicate", "TestSupport", "CryptoPrimitives", "JSONCore"]),
        .testTarget(name: "JSONCoreTests", dependencies: ["JSONCore"]),
        .testTarget(
            name: "CacheCoreTests", dependencies: ["CacheCore", "JSONCore", "CryptoPrimitives"], exclude: ["Fixtures"]),
        .testTarget(name: "ReplicateAPITests", dependencies: ["ReplicateAPI"]),
        .testTarget(name: "ConfigTests", dependencies: ["Config"]),
        .testTarget(name: "MetricsTests", dependencies: ["Metrics"]),
        .testTarget(name: "WebhooksTests", dependencies: ["Webhooks", "JSONCore", "HTTPTypes", "CryptoPrimitives"]),
        .testTarget(
            name: "WebhookDeliveryTests",
            dependencies: [
                "WebhookDelivery", "Webhooks", "Proxy", "Config", "FakeReplicate", "TestSupport", "EventLoop", "HTTPServer",
                "HTTPTypes", "Upstream", "Logging", "Metrics", "CryptoPrimitives", "JSONCore",
            ]),
        .testTarget(name: "StatusPageTests", dependencies: ["StatusPage", "Metrics"]),
        .testTarget(name: "LoggingTests", dependencies: ["Logging", "JSONCore"]),
        .testTarget(
            name: "ProxyCoreTests", dependencies: ["ProxyCore", "HTTPTypes", "CacheCore", "JSONCore", "ReplicateAPI", "CryptoPrimitives"]),
        // Whole Reprise instances in-process against the fake and a real Redis, over real sockets.
        .testTarget(
            name: "ProxyTests",
            dependencies: [
                "Proxy", "Config", "FakeReplicate", "TestSupport", "EventLoop", "Logging", "RedisStore", "RedisKeyspace",
                "CryptoPrimitives",
            ]),
    ]
)
