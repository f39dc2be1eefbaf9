import Testing

@testable import Config

/// Keeps the shipped config files and the docs in step with `ConfigSchema.keys`.
@Suite struct ConfigFilesTests {
    /// The nodes matching a table pattern (`*` matches every key of a map).
    static func nodes(matching pattern: [Substring], in node: YAMLNode) -> [YAMLNode] {
        guard let first = pattern.first else { return [node] }
        let rest = Array(pattern.dropFirst())
        let children = (node.entries ?? []).filter { first == "*" || $0.key == first }
        return children.flatMap { nodes(matching: rest, in: $0.value) }
    }

    /// The docs row for a key: what `docs/configuration.md` must contain, verbatim.
    static func referenceRow(_ key: ConfigKey) -> String {
        let defaultCell: String
        switch key.defaultValue {
        case .literal(let text): defaultCell = "`\(text)`"
        case .inherited(let path): defaultCell = "`\(path)`"
        case .empty: defaultCell = "empty"
        case .required: defaultCell = "required"
        case .unset(let meaning): defaultCell = "unset: \(meaning)"
        }
        let env = key.environmentVariable.map { "`\($0)`" } ?? ""
        return "| `\(key.path)` | \(key.type) | \(defaultCell) | \(env) | \(key.summary) |"
    }

    @Test func theExampleLoadsAndShowsEveryKeyAtItsDefault() throws {
        let text = try Fixture.text("config/reprise.example.yaml")
        let config = try #require(Fixture.load(text))
        let root = try #require(YAMLReader.read(text).root)
        for key in ConfigSchema.keys {
            let found = Self.nodes(matching: key.segments, in: root)
            #expect(!found.isEmpty, "config/reprise.example.yaml does not show '\(key.path)'")
            if case .literal(let value) = key.defaultValue, !key.path.contains("*") {
                #expect(
                    found.first?.scalar?.text == value, "example shows '\(key.path)' at a value other than its default")
            }
        }
        // Apart from the examples in the maps and public_url (default: unset), it is the defaults.
        var plain = config
        plain.publicURL = nil
        plain.cache.models = []
        plain.pricing = RepriseConfig.defaults.pricing
        #expect(plain == RepriseConfig.defaults)
    }

    @Test func theExampleCarriesTheHardwarePriceTable() throws {
        let config = try #require(Fixture.load(try Fixture.text("config/reprise.example.yaml")))
        // Spot checks against replicate.com/pricing as copied in the example (see its comment).
        #expect(config.pricing.hardware.count == 19)
        #expect(config.pricing.hardware["cpu"] == 0.0001)
        #expect(config.pricing.hardware["gpu-a40-large"] == 0.000725)
        #expect(config.pricing.hardware["gpu-h100-8x"] == 0.0122)
    }

    @Test func runConfigPointsAtRealReplicateAndAgreesWithTheExamplePrices() throws {
        let run = try #require(Fixture.load(try Fixture.text("config/reprise.yaml")))
        #expect(run.upstream.url.string == "https://api.replicate.com")
        #expect(run.listen == ListenAddress(host: "127.0.0.1", port: 8080))
        #expect(run.redis.url == RedisURL(host: "127.0.0.1"))
        #expect(!run.cache.models.isEmpty)
        #expect(!run.pricing.models.isEmpty)
        let example = try #require(Fixture.load(try Fixture.text("config/reprise.example.yaml")))
        for (sku, price) in run.pricing.hardware {
            #expect(example.pricing.hardware[sku] == price, "config/reprise.yaml prices \(sku) differently")
        }
    }

    @Test func theDocsHoldTheReferenceTableRowForEveryKey() throws {
        let docs = try Fixture.text("docs/configuration.md")
        for key in ConfigSchema.keys {
            let row = Self.referenceRow(key)
            #expect(docs.contains(row), "docs/configuration.md lacks (or has an outdated) row:\n\(row)")
        }
        for variable in ConfigLoader.environmentVariables {
            #expect(docs.contains("`\(variable)`"))
        }
    }

    @Test func theDecoderReadsEveryKeyInTheTable() throws {
        let root = YAMLReader.read(try Fixture.text("config/reprise.example.yaml")).root
        var decoder = ConfigDecoder(root: root, environment: [:])
        _ = decoder.decode()
        #expect(decoder.diagnostics.isEmpty)
        #expect(decoder.visited == Set(ConfigSchema.keys.map(\.path)))
    }

    @Test func theTableIsWellFormed() {
        let paths = ConfigSchema.keys.map(\.path)
        #expect(Set(paths).count == paths.count, "duplicate paths in ConfigSchema")
        for key in ConfigSchema.keys {
            if case .inherited(let from) = key.defaultValue {
                #expect(ConfigSchema.key(from) != nil, "\(key.path) inherits from a key that does not exist")
            }
            // A `*` segment is only allowed right under a map key.
            for (i, segment) in key.segments.enumerated() where segment == "*" {
                let parent = key.segments[..<i].joined(separator: ".")
                guard case .map = ConfigSchema.key(parent)?.type else {
                    Issue.record("'\(parent)' must be a map key for '\(key.path)'")
                    continue
                }
            }
            #expect(!key.summary.isEmpty && !key.summary.contains("|") && !key.summary.contains("\n"))
        }
    }
}
