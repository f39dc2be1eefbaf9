import Testing

@testable import Config

@Suite struct EnvironmentOverrideTests {
    let file = """
        listen: 127.0.0.1:8080
        upstream:
          url: https://api.replicate.com
        redis:
          url: redis://127.0.0.1:6379/0
        """

    @Test func overridesReplaceTheFileValues() throws {
        let config = try #require(
            Fixture.load(
                file,
                environment: [
                    "REPRISE_LISTEN": "0.0.0.0:0",
                    "REPRISE_PUBLIC_URL": "https://proxy.example.com/",
                    "REPRISE_UPSTREAM_URL": "http://127.0.0.1:9999/v1",
                    "REPRISE_REDIS_URL": "redis://:pw%40x@10.0.0.5:6390/4",
                    "UNRELATED": "ignored",
                ]))
        #expect(config.listen == ListenAddress(host: "0.0.0.0", port: 0))
        #expect(config.publicURL?.string == "https://proxy.example.com")
        #expect(config.upstream.url.string == "http://127.0.0.1:9999")
        #expect(config.redis.url == RedisURL(host: "10.0.0.5", port: 6390, password: "pw@x", database: 4))
    }

    @Test func overridesApplyWithoutAFileValue() {
        let config = Fixture.load("", environment: ["REPRISE_UPSTREAM_URL": "http://fake:1234"])
        #expect(config?.upstream.url.string == "http://fake:1234")
        #expect(config?.listen == RepriseConfig.defaults.listen)
    }

    @Test func emptyVariablesCountAsUnset() {
        let config = Fixture.load(
            "public_url: https://a.example\n", environment: ["REPRISE_PUBLIC_URL": "", "REPRISE_LISTEN": ""])
        #expect(config?.publicURL?.string == "https://a.example")
        #expect(config?.listen == RepriseConfig.defaults.listen)
    }

    @Test func badOverridesAreReportedByVariableName() {
        #expect(
            Fixture.errors(
                file,
                environment: [
                    "REPRISE_LISTEN": "localhost",
                    "REPRISE_PUBLIC_URL": "proxy.example.com",
                    "REPRISE_UPSTREAM_URL": "https://u:p@api.replicate.com",
                    "REPRISE_REDIS_URL": "rediss://h",
                ]) == [
                    "env REPRISE_LISTEN: 'localhost' is not host:port; write host:port, e.g. 127.0.0.1:8080, 0.0.0.0:8080 or [::1]:8080",
                    "env REPRISE_PUBLIC_URL: 'proxy.example.com' must start with http:// or https://",
                    "env REPRISE_UPSTREAM_URL: 'https://***@api.replicate.com' must not contain a user name or password",
                    "env REPRISE_REDIS_URL: TLS to Redis is not supported ('rediss://h'); use redis://",
                ])
    }

    @Test func theFileIsStillCheckedWhenAnOverrideReplacesIt() {
        // A bad file value is an error even if the environment would replace it: the file
        // must stay valid on its own (the next deployment may not set the variable).
        #expect(
            Fixture.errors("listen: nowhere\n", environment: ["REPRISE_LISTEN": "127.0.0.1:1"]) == [
                "test.yaml:1: listen: 'nowhere' is not host:port; write host:port, e.g. 127.0.0.1:8080, 0.0.0.0:8080 or [::1]:8080"
            ])
    }

    @Test func fileErrorsComeBeforeEnvironmentErrors() {
        #expect(
            Fixture.errors("upstream:\n  timeout: 3\n", environment: ["REPRISE_LISTEN": "x"]) == [
                "test.yaml:2: upstream.timeout: '3' has no unit; write 3s (or 3ms)",
                "env REPRISE_LISTEN: 'x' is not host:port; write host:port, e.g. 127.0.0.1:8080, 0.0.0.0:8080 or [::1]:8080",
            ])
    }

    @Test func theVariablesAreTheContractsFour() {
        #expect(
            ConfigLoader.environmentVariables == [
                "REPRISE_LISTEN", "REPRISE_PUBLIC_URL", "REPRISE_UPSTREAM_URL", "REPRISE_REDIS_URL",
            ])
    }
}
