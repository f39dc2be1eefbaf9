import Testing

@testable import Webhooks

@Suite struct WebhookURLTests {
    @Test func acceptsHTTPAndHTTPSWithAHost() throws {
        let a = try WebhookURL.parse("https://example.com/hooks/replicate?token=abc").get()
        #expect(a.scheme == "https")
        #expect(a.host == "example.com")
        #expect(a.string == "https://example.com/hooks/replicate?token=abc")
        let b = try WebhookURL.parse("HTTP://User:pw@Example.COM:8080").get()
        #expect(b.scheme == "http")
        #expect(b.host == "example.com")
        #expect(try WebhookURL.parse("http://[::1]:9000/x").get().host == "[::1]")
        #expect(try WebhookURL.parse("http://127.0.0.1:9/").get().host == "127.0.0.1")
    }

    @Test func refusesOtherSchemesMissingHostsAndControlCharacters() {
        #expect(WebhookURL.parse("file:///etc/passwd") == .failure(.scheme))
        #expect(WebhookURL.parse("gopher://example.com/") == .failure(.scheme))
        #expect(WebhookURL.parse("ftp://example.com/") == .failure(.scheme))
        #expect(WebhookURL.parse("/relative") == .failure(.scheme))
        #expect(WebhookURL.parse("https:example.com") == .failure(.scheme))
        #expect(WebhookURL.parse("https:///path") == .failure(.host))
        #expect(WebhookURL.parse("https://user@/path") == .failure(.host))
        #expect(WebhookURL.parse("https://[::1/x") == .failure(.host))
        #expect(WebhookURL.parse("https://example.com/a b") == .failure(.characters))
        #expect(WebhookURL.parse("https://example.com/\r\nHost: x") == .failure(.characters))
        #expect(WebhookURL.parse("https://example.com/" + String(repeating: "a", count: 5000)) == .failure(.characters))
    }
}
