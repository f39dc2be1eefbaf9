import Testing

@testable import Config

@Suite struct RedisURLTests {
    @Test func parsesEveryPart() throws {
        let url = try RedisURL(parsing: "redis://:s3cret@cache.internal:6380/2")
        #expect(url == RedisURL(host: "cache.internal", port: 6380, password: "s3cret", database: 2))
    }

    @Test func portAndDatabaseDefault() throws {
        #expect(try RedisURL(parsing: "redis://localhost") == RedisURL(host: "localhost", port: 6379, database: 0))
        #expect(try RedisURL(parsing: "redis://localhost/") == RedisURL(host: "localhost"))
        #expect(try RedisURL(parsing: "redis://127.0.0.1/5") == RedisURL(host: "127.0.0.1", database: 5))
        #expect(try RedisURL(parsing: "REDIS://h:1") == RedisURL(host: "h", port: 1))
    }

    @Test func passwordsWithSpecialCharacters() throws {
        // Percent-encoded @ : / % and space.
        #expect(try RedisURL(parsing: "redis://:p%40ss%3Aw%2Fo%25rd%20x@h:6379/0").password == "p@ss:w/o%rd x")
        // Raw @, : and / also work: the URL is split at its last @.
        #expect(
            try RedisURL(parsing: "redis://:p@ss:w/rd@h:6379/1")
                == RedisURL(host: "h", password: "p@ss:w/rd", database: 1))
        #expect(try RedisURL(parsing: "redis://:#!$&*()[]{}@h").password == "#!$&*()[]{}")
        #expect(try RedisURL(parsing: "redis://:%C3%A9t%C3%A9@h").password == "été")
    }

    @Test func usernameForACLs() throws {
        #expect(try RedisURL(parsing: "redis://app:pw@h") == RedisURL(host: "h", username: "app", password: "pw"))
        #expect(try RedisURL(parsing: "redis://:@h") == RedisURL(host: "h"))
    }

    @Test func ipv6Hosts() throws {
        #expect(try RedisURL(parsing: "redis://[::1]:7000/3") == RedisURL(host: "::1", port: 7000, database: 3))
        #expect(try RedisURL(parsing: "redis://[::1]") == RedisURL(host: "::1"))
    }

    @Test(arguments: [
        ("rediss://h:6379/0", "TLS to Redis is not supported ('rediss://h:6379/0'); use redis://"),
        ("http://h:6379", "'http://h:6379' is not a Redis URL; write redis://[:password@]host[:port][/db]"),
        ("h:6379", "'h:6379' is not a Redis URL; write redis://[:password@]host[:port][/db]"),
        ("redis://", "'redis://' has no valid host; write redis://[:password@]host[:port][/db]"),
        ("redis://:pw@", "'redis://***@' has no valid host; write redis://[:password@]host[:port][/db]"),
        ("redis://h:0", "'redis://h:0': '0' is not a port (1-65535)"),
        ("redis://h:65536", "'redis://h:65536': '65536' is not a port (1-65535)"),
        ("redis://h:x", "'redis://h:x': 'x' is not a port (1-65535)"),
        ("redis://h/db1", "'redis://h/db1': 'db1' is not a database number"),
        ("redis://h/-1", "'redis://h/-1': '-1' is not a database number"),
        (
            "redis://h/0?timeout=1",
            "'redis://h/0?timeout=1': query parameters are not supported; write redis://[:password@]host[:port][/db]"
        ),
        ("redis://pw@h", "'redis://***@h': put ':' before the password (redis://:password@host)"),
        ("redis://:p%4@h", "bad percent-encoding in the Redis password (write %25 for a literal %)"),
        ("redis://:%FF@h", "the Redis password is not valid UTF-8 once percent-decoded"),
        ("redis://h h", "'redis://h h' has no valid host; write redis://[:password@]host[:port][/db]"),
    ])
    func rejects(text: String, message: String) {
        #expect(throws: ConfigValueError(message)) { try RedisURL(parsing: text) }
    }

    /// Messages reach the console and, on a failed SIGHUP reload, the log: no password in them.
    @Test(arguments: [
        ("redis://:s3cret@h:99999/0", "'redis://***@h:99999/0': '99999' is not a port (1-65535)"),
        ("redis://u:s3cret@h/x", "'redis://***@h/x': 'x' is not a database number"),
        ("redis://:s3/cr@t@h?db=1", "'redis://***@h?db=1': query parameters are not supported; write redis://[:password@]host[:port][/db]"),
        ("s3cret@h:6379", "'***@h:6379' is not a Redis URL; write redis://[:password@]host[:port][/db]"),
    ])
    func errorMessagesNeverShowThePassword(text: String, message: String) {
        #expect(throws: ConfigValueError(message)) { try RedisURL(parsing: text) }
    }

    @Test func descriptionNeverShowsThePassword() throws {
        let url = try RedisURL(parsing: "redis://app:topsecret@h:6380/1")
        #expect(url.description == "redis://app:***@h:6380/1")
        #expect(String(reflecting: url) == "redis://app:***@h:6380/1")
        #expect(try RedisURL(parsing: "redis://h").description == "redis://h:6379/0")
        #expect(try RedisURL(parsing: "redis://[::1]").description == "redis://[::1]:6379/0")
    }
}
