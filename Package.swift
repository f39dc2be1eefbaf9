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
        .target(name: "HTTPTypes", dependencies: ["JSONCore"], swiftSettings: strict),
        // MARK: - I/O and adapters
        .target(name: "JSONCore", swiftSettings: strict),
        .target(name: "Logging", dependencies: ["JSONCore"], swiftSettings: strict),
        .target(name: "CryptoPrimitives", dependencies: ["COpenSSL"], swiftSettings: strict),
        .target(name: "EventLoop", dependencies: ["CSystem"], swiftSettings: strict),
        .target(
            name: "HTTPServer",
            dependencies: ["HTTPTypes", "EventLoop", "CHTTPParser", "CSystem", "Logging"],
            swiftSettings: strict),
        .target(
            name: "Upstream", dependencies: ["HTTPTypes", "EventLoop", "CCurl", "Logging"],
            swiftSettings: strict),
        // MARK: - Executables
        // MARK: - Tests (mirror Sources/)
        .testTarget(
            name: "UpstreamTests", dependencies: ["Upstream", "EventLoop", "Logging", "HTTPTypes"],
            swiftSettings: strict),
        ]
)

