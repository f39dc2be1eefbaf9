import Testing

@testable import RedisStore

@Suite struct RedisConnectionConfigurationTests {
    @Test func defaultsAreValidAndStated() throws {
        let c = RedisConnectionConfiguration()
        try c.validate()
        #expect(c.commandTimeout == .milliseconds(50))
        #expect(c.reconnectBackoffMin == .milliseconds(100) && c.reconnectBackoffMax == .seconds(5))
        #expect(c.database == 0 && c.password == nil)
    }

    @Test func invalidValuesNameTheSetting() {
        func message(_ change: (inout RedisConnectionConfiguration) -> Void) -> String? {
            var c = RedisConnectionConfiguration()
            change(&c)
            do {
                try c.validate()
                return nil
            } catch {
                return error.description
            }
        }
        #expect(message { $0.port = 0 }?.contains("port") == true)
        #expect(message { $0.host = "" }?.contains("host") == true)
        #expect(message { $0.database = -1 }?.contains("database") == true)
        #expect(message { $0.commandTimeout = .zero }?.contains("command timeout") == true)
        #expect(message { $0.unresponsiveTimeout = .milliseconds(10) }?.contains("unresponsive") == true)
        #expect(message { $0.reconnectBackoffMax = .milliseconds(1) }?.contains("backoff") == true)
        #expect(message { $0.username = "u" }?.contains("username") == true)
        #expect(message { $0.maxPendingCommands = 0 }?.contains("pending") == true)
    }

    @Test func descriptionNeverShowsThePassword() {
        let c = RedisConnectionConfiguration(
            host: "10.0.0.2", port: 6380, username: "app", password: "s3cret", database: 2)
        #expect(c.description == "redis://app@10.0.0.2:6380/2 (password set)")
        #expect(!c.description.contains("s3cret"))
    }

    @Test func errorsHaveBoundedLabels() {
        let kinds: [RedisError.Kind] = [
            .timeout, .notConnected, .connectionLost, .connectFailed, .protocolError, .serverError("ERR x"),
            .tooManyPending, .invalidCommand,
        ]
        let labels = kinds.map { RedisError($0).shortDescription }
        #expect(Set(labels).count == kinds.count)
        #expect(RedisError(.serverError("ERR anything at all")).shortDescription == "server_error")
        #expect(RedisError(.serverError("NOSCRIPT No matching script")).isNoScript)
        #expect(!RedisError(.serverError("ERR NOSCRIPT")).isNoScript)
        #expect(RedisError(.serverError("WRONGTYPE x")).detail == "WRONGTYPE x")
    }
}
