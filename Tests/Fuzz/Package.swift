// swift-tools-version:6.0
// libFuzzer targets for Reprise (see README.md here). A package of its own, depending on the
// main one by path, so that `swift build` / `swift test` of the main package never build it:
// these executables only link with `--sanitize=fuzzer`, which supplies their `main`.
// Build and run them with `make fuzz` (scripts/fuzz.sh) from the repository root.
import PackageDescription

let package = Package(
    name: "RepriseFuzz",
    dependencies: [
        .package(name: "Reprise", path: "../.."),
    ],
    targets: [
        .target(name: "FuzzSupport"),
        .executableTarget(
            name: "FuzzHTTPRequestParser",
            dependencies: ["FuzzSupport", .product(name: "RepriseFuzzSurface", package: "Reprise")]),
        .executableTarget(
            name: "FuzzCanonicalJSON",
            dependencies: ["FuzzSupport", .product(name: "RepriseFuzzSurface", package: "Reprise")]),
        .executableTarget(
            name: "FuzzConfigLoader",
            dependencies: ["FuzzSupport", .product(name: "RepriseFuzzSurface", package: "Reprise")]),
        .executableTarget(
            name: "FuzzSSEEventParser",
            dependencies: ["FuzzSupport", .product(name: "RepriseFuzzSurface", package: "Reprise")]),
        .executableTarget(
            name: "FuzzJSONURLRewriter",
            dependencies: ["FuzzSupport", .product(name: "RepriseFuzzSurface", package: "Reprise")]),
    ]
)
