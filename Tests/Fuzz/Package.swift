// swift-tools-version:6.0
// libFuzzer targets for Reprise (see README.md here). A package of its own, depending on the
// main one by path, so that `swift build` / `swift test` of the main package never build it:
// these executables only link with `--sanitize=fuzzer`, which supplies their `main`.
// Build and run them with `make fuzz` (scripts/fuzz.sh) from the repository root.
import PackageDescription

/// One executable per fuzz target, each in Sources/<name>/<name>.swift.
let fuzzTargets = [
    "FuzzHTTPRequestParser", "FuzzCanonicalJSON", "FuzzConfigLoader", "FuzzSSEEventParser", "FuzzJSONURLRewriter",
]

let package = Package(
    name: "RepriseFuzz",
    dependencies: [
        .package(name: "Reprise", path: "../.."),
    ],
    targets: [.target(name: "FuzzSupport")]
        + fuzzTargets.map { name in
            .executableTarget(
                name: name, dependencies: ["FuzzSupport", .product(name: "RepriseFuzzSurface", package: "Reprise")])
        }
)
