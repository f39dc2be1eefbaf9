import Testing

@testable import Config

/// Every kind of config error, with the exact `FILE:LINE: message` the user sees.
@Suite struct ConfigErrorTests {
    @Test(arguments: [
        ("listne: 1.2.3.4:80\n", "test.yaml:1: unknown key 'listne'; did you mean 'listen'?"),
        ("upstream:\n  timout: 30s\n", "test.yaml:2: unknown key 'upstream.timout'; did you mean 'upstream.timeout'?"),
        ("timeout: 30s\n", "test.yaml:1: unknown key 'timeout'; did you mean 'upstream.timeout', 'redis.timeout' or 'webhooks.timeout'?"),
        (
            "cache:\n  ttl: 1h\n",
            "test.yaml:2: unknown key 'cache.ttl'; did you mean 'cache.default_ttl', 'cache.hot_ttl' or 'cache.models.<name>.ttl'?"
        ),
        (
            "url: x\n",
            "test.yaml:1: unknown key 'url'; did you mean 'public_url', 'upstream.url' or 'redis.url'?"
        ),
        (
            "cache:\n  models:\n    a/b: { tll: 1h }\n",
            "test.yaml:3: unknown key 'cache.models.a/b.tll'; did you mean 'cache.models.a/b.ttl'?"
        ),
        ("foo: 1\n", "test.yaml:1: unknown key 'foo'"),
        ("server:\n  workers: 4\n", "test.yaml:2: unknown key 'server.workers'"),
    ])
    func unknownKeys(text: String, message: String) {
        #expect(Fixture.errors(text) == [message])
    }

    @Test(arguments: [
        ("upstream: 5\n", "test.yaml:1: upstream: expected a mapping, found a scalar"),
        ("upstream:\n  - url\n", "test.yaml:2: upstream: expected a mapping, found a list"),
        ("- a\n", "test.yaml:1: the top level must be a mapping such as 'listen: 127.0.0.1:8080', not a list"),
        ("hello\n", "test.yaml:1: the top level must be a mapping such as 'listen: 127.0.0.1:8080', not a scalar"),
        ("cache:\n  models:\n    a/b: 5\n", "test.yaml:3: cache.models.a/b: expected a mapping, found a scalar"),
        ("cache:\n  models: [a/b]\n", "test.yaml:2: cache.models: expected a mapping, found a list"),
        (
            "upstream:\n  timeout: { a: 1 }\n",
            "test.yaml:2: upstream.timeout: expected a single duration value, found a mapping"
        ),
        ("listen: [a, b]\n", "test.yaml:1: listen: expected a single host:port value, found a list"),
    ])
    func wrongTypes(text: String, message: String) {
        #expect(Fixture.errors(text) == [message])
    }

    @Test(arguments: [
        ("upstream:\n  timeout: 30\n", "test.yaml:2: upstream.timeout: '30' has no unit; write 30s (or 30ms)"),
        (
            "upstream:\n  timeout:\n",
            "test.yaml:2: upstream.timeout: no value given; remove the key to use the default (120s)"
        ),
        ("upstream:\n  http2: yes\n", "test.yaml:2: upstream.http2: 'yes' is not a bool; write true or false"),
        (
            "upstream:\n  max_idle_connections: -1\n",
            "test.yaml:2: upstream.max_idle_connections: -1 is out of range (0 to 10000)"
        ),
        (
            "upstream:\n  max_idle_connections: 1.5\n",
            "test.yaml:2: upstream.max_idle_connections: '1.5' is not a whole number"
        ),
        ("server:\n  loops: 1000\n", "test.yaml:2: server.loops: 1000 is out of range (0 to 256)"),
        ("server:\n  max_connections: 0\n", "test.yaml:2: server.max_connections: 0 is out of range (1 to 1000000)"),
        (
            "server:\n  max_header_size: 100B\n",
            "test.yaml:2: server.max_header_size: '100B' is below the minimum of 1KiB"
        ),
        ("server:\n  max_body_size: 0\n", "test.yaml:2: server.max_body_size: '0' is below the minimum of 1B"),
        ("server:\n  idle_timeout: 0s\n", "test.yaml:2: server.idle_timeout: must be longer than 0s"),
        ("log:\n  level: verbose\n", "test.yaml:2: log.level: 'verbose' is not one of debug, info, warn, error"),
        ("cache:\n  scope: everyone\n", "test.yaml:2: cache.scope: 'everyone' is not one of shared, token"),
        ("cache:\n  default_ttl: 0s\n", "test.yaml:2: cache.default_ttl: must be longer than 0s"),
        (
            "cache:\n  stream_max_bytes: 8 MiB\n",
            "test.yaml:2: cache.stream_max_bytes: '8 MiB' is not a size; write e.g. 512KiB, 8MiB, 1GiB or a number of bytes"
        ),
        (
            "redis:\n  url: rediss://h\n",
            "test.yaml:2: redis.url: TLS to Redis is not supported ('rediss://h'); use redis://"
        ),
        (
            "redis:\n  key_prefix: \"a\\nb\"\n",
            "test.yaml:2: redis.key_prefix: must not contain control characters (newlines, tabs…)"
        ),
        ("public_url: example.com\n", "test.yaml:1: public_url: 'example.com' must start with http:// or https://"),
        ("upstream:\n  url: ftp://x\n", "test.yaml:2: upstream.url: 'ftp://x' must start with http:// or https://"),
        (
            "cache:\n  models:\n    sdxl: { ttl: 1h }\n",
            "test.yaml:3: cache.models: 'sdxl' is not a model reference; write owner/name or owner/name:version"
        ),
        ("cache:\n  models:\n    a/b: { ttl: 0s }\n", "test.yaml:3: cache.models.a/b.ttl: must be longer than 0s"),
        (
            "cache:\n  models:\n    a/b:\n      enabled: no\n",
            "test.yaml:4: cache.models.a/b.enabled: 'no' is not a bool; write true or false"
        ),
    ])
    func badValues(text: String, message: String) {
        #expect(Fixture.errors(text) == [message])
    }

    @Test func yamlProblemsAreReportedWithTheFileName() {
        #expect(
            Fixture.errors("listen: 1.2.3.4:1\nlisten: 1.2.3.4:2\n") == [
                "test.yaml:2: duplicate key 'listen' (first given at line 1)"
            ])
        #expect(
            Fixture.errors("cache:\n  models:\n    a/b: { ttl: 1h }\n    a/b: { ttl: 2h }\n") == [
                "test.yaml:4: duplicate key 'a/b' (first given at line 3)"
            ])
        #expect(
            Fixture.errors("listen: 1.2.3.4:1\n---\nlisten: 1.2.3.4:2\n") == [
                "test.yaml:2: a config file holds one YAML document; a second one starts here"
            ])
        #expect(
            Fixture.errors("base: &b 30s\nupstream:\n  timeout: *b\n") == [
                "test.yaml:1: anchors (&b) are not supported; write the value out in full",
                "test.yaml:1: unknown key 'base'",
                "test.yaml:3: aliases (*b) are not supported; write the value out in full",
            ])
        #expect(
            Fixture.errors("listen 8080\nupstream: x\n") == [
                "test.yaml:2: YAML syntax error: mapping values are not allowed in this context"
            ])
    }

    @Test func everyErrorIsCollectedInLineOrder() {
        let errors = Fixture.errors(
            """
            listen: x
            upstream:
              url: ftp://x
              timeout: 3
            foo: 1
            listen: y
            cache:
              models:
                sdxl: { ttl: 1h }
                a/b: { ttl: forever }
            server:
              loops: many
            """)
        #expect(
            errors == [
                "test.yaml:1: listen: 'x' is not host:port; write host:port, e.g. 127.0.0.1:8080, 0.0.0.0:8080 or [::1]:8080",
                "test.yaml:3: upstream.url: 'ftp://x' must start with http:// or https://",
                "test.yaml:4: upstream.timeout: '3' has no unit; write 3s (or 3ms)",
                "test.yaml:5: unknown key 'foo'",
                "test.yaml:6: duplicate key 'listen' (first given at line 1)",
                "test.yaml:9: cache.models: 'sdxl' is not a model reference; write owner/name or owner/name:version",
                "test.yaml:10: cache.models.a/b.ttl: 'forever' is not a duration; write e.g. 500ms, 30s, 5m, 1h30m, 7d",
                "test.yaml:12: server.loops: 'many' is not a whole number",
            ])
    }

    @Test func configErrorDescriptionIsOneLinePerMessage() {
        let error = ConfigError(messages: ["a.yaml:1: x", "a.yaml:2: y"])
        #expect(error.description == "a.yaml:1: x\na.yaml:2: y")
    }

    /// Found by `make fuzz` (FuzzConfigLoader): messages quoted keys and values verbatim, so a
    /// quoted YAML scalar with `\n`, NUL or ESC split one problem over several lines or sent
    /// escape sequences to the terminal running `--check-config`.
    @Test(arguments: [
        (
            "listen: \"\\u00e9\\x00\"\n",
            "test.yaml:1: listen: 'é\\u{0}' is not host:port; write host:port, e.g. 127.0.0.1:8080, 0.0.0.0:8080 or [::1]:8080"
        ),
        ("\"a\\nb\": 1\n", "test.yaml:1: unknown key 'a\\nb'"),
        ("\"\\e[2J\\u2028\": 1\n", "test.yaml:1: unknown key '\\u{1B}[2J\\u{2028}'"),
        ("server:\n  loops: \"1\\r\\t\\x85\"\n", "test.yaml:2: server.loops: '1\\r\\t\\u{85}' is not a whole number"),
    ])
    func controlCharactersInQuotedTextAreEscaped(text: String, message: String) {
        #expect(Fixture.errors(text) == [message])
    }

    @Test func controlCharactersFromTheEnvironmentAreEscaped() {
        let errors = Fixture.errors("", environment: ["REPRISE_LISTEN": "x\ny"])
        #expect(errors.count == 1)
        #expect(errors.first?.hasPrefix("env REPRISE_LISTEN: 'x\\ny' is not host:port") == true)
    }
}
