import Testing

@testable import Config

/// A `SIGHUP` reload applies what the config table marks live and keeps the running value of
/// what it marks `.restart`, naming those that changed; the docs list the same keys.
@Suite struct ConfigReloadTests {
    static var restartKeys: [String] { ConfigSchema.keys.filter { $0.reload == .restart }.map(\.path) }

    @Test func everyRestartKeyHasAKeeperAndNoOtherDoes() {
        #expect(Set(RepriseConfig.restartKeepers.keys) == Set(Self.restartKeys))
    }

    @Test func restartKeysKeepTheirRunningValueAndAreNamed() throws {
        let running = try ConfigLoader.parse(
            text: "server:\n  drain_timeout: 30s\nlog:\n  requests: true\n", fileName: "old.yaml")
        let new = try ConfigLoader.parse(
            text: "server:\n  drain_timeout: 2s\n  max_connections: 5\nlog:\n  requests: false\n", fileName: "new.yaml")
        let (applied, needRestart) = running.reloaded(from: new)
        #expect(applied.server.drainTimeout == .seconds(30))
        #expect(applied.server.maxConnections == running.server.maxConnections)
        #expect(applied.log.requests == false)  // live
        #expect(needRestart == ["server.max_connections", "server.drain_timeout"])
        #expect(running.reloaded(from: running).needRestart.isEmpty)
    }

    @Test func theDocsNameEveryKeyThatNeedsARestart() throws {
        let docs = try Fixture.text("docs/configuration.md")
        let section = try #require(docs.range(of: "## Reloading")).upperBound
        let text = docs[section...]
        for path in Self.restartKeys {
            #expect(text.contains("`\(path)`"), "docs/configuration.md, Reloading: \(path) is not listed")
        }
    }
}
