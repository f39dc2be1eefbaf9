import Config
import Testing

@testable import Proxy

/// How `upstream.*` keys become the upstream client's settings.
@Suite struct RepriseConfigRuntimeTests {
    static func configuration(url: String, client: UpstreamEngine) throws -> RepriseConfig {
        var config = RepriseConfig.defaults
        config.upstream.url = try HTTPBaseURL(parsing: url)
        config.upstream.client = client
        return config
    }

    @Test func nativeEngineServesTheUpstreamOriginWithoutItsPath() throws {
        let native = try Self.configuration(url: "http://127.0.0.1:5000/prefix/v1", client: .native)
        #expect(native.upstreamClientConfiguration.nativeOrigin == "http://127.0.0.1:5000")
        let ipv6 = try Self.configuration(url: "http://[::1]:5000", client: .native)
        #expect(ipv6.upstreamClientConfiguration.nativeOrigin == "http://[::1]:5000")
        let curl = try Self.configuration(url: "http://127.0.0.1:5000", client: .curl)
        #expect(curl.upstreamClientConfiguration.nativeOrigin == nil)
    }

    @Test func nativeIsTheDefault() {
        #expect(RepriseConfig.defaults.upstream.client == .native)
    }
}
