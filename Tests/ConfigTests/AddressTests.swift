import Testing

@testable import Config

@Suite struct ListenAddressTests {
    @Test(arguments: [
        ("127.0.0.1:8080", "127.0.0.1", 8080), ("0.0.0.0:80", "0.0.0.0", 80), ("localhost:0", "localhost", 0),
        ("[::1]:8080", "::1", 8080), ("[::]:9", "::", 9), (":8080", "0.0.0.0", 8080),
    ])
    func parses(text: String, host: String, port: Int) throws {
        #expect(try ListenAddress(parsing: text) == ListenAddress(host: host, port: port))
    }

    @Test(arguments: [
        ("localhost", "'localhost' is not host:port; write host:port, e.g. 127.0.0.1:8080, 0.0.0.0:8080 or [::1]:8080"),
        ("8080", "'8080' is not host:port; write host:port, e.g. 127.0.0.1:8080, 0.0.0.0:8080 or [::1]:8080"),
        ("::1:8080", "'::1:8080' is not host:port; write host:port, e.g. 127.0.0.1:8080, 0.0.0.0:8080 or [::1]:8080"),
        ("[::1:8080", "'[::1:8080' is not host:port; write host:port, e.g. 127.0.0.1:8080, 0.0.0.0:8080 or [::1]:8080"),
        ("h:65536", "'h:65536': '65536' is not a port (0-65535)"),
        ("h:", "'h:': '' is not a port (0-65535)"),
        ("h:80x", "'h:80x': '80x' is not a port (0-65535)"),
        ("bad host:80", "'bad host:80': 'bad host' is not a host name or address"),
        ("[]:80", "'[]:80': '' is not a host name or address"),
    ])
    func rejects(text: String, message: String) {
        #expect(throws: ConfigValueError(message)) { try ListenAddress(parsing: text) }
    }

    @Test func describesWithBracketsForIPv6() {
        #expect(ListenAddress(host: "::1", port: 80).description == "[::1]:80")
        #expect(ListenAddress(host: "127.0.0.1", port: 80).description == "127.0.0.1:80")
    }
}

@Suite struct HTTPBaseURLTests {
    @Test(arguments: [
        ("https://api.replicate.com", "https://api.replicate.com"),
        ("https://api.replicate.com/", "https://api.replicate.com"),
        ("https://api.replicate.com/v1", "https://api.replicate.com"),
        ("https://api.replicate.com/v1/", "https://api.replicate.com"),
        ("HTTP://127.0.0.1:9000", "http://127.0.0.1:9000"),
        ("http://gateway/replicate/v1", "http://gateway/replicate"),
        ("http://gateway/v1x", "http://gateway/v1x"),
        ("http://[::1]:8080/", "http://[::1]:8080"),
    ])
    func normalises(text: String, expected: String) throws {
        #expect(try HTTPBaseURL(parsing: text).string == expected)
    }

    @Test func exposesItsParts() throws {
        let url = try HTTPBaseURL(parsing: "http://[::1]:9000/p/v1")
        #expect(url == HTTPBaseURL(scheme: .http, host: "::1", port: 9000, path: "/p"))
        #expect(url.effectivePort == 9000)
        #expect(try HTTPBaseURL(parsing: "https://h").effectivePort == 443)
        #expect(try HTTPBaseURL(parsing: "http://h").effectivePort == 80)
    }

    @Test(arguments: [
        ("api.replicate.com", "'api.replicate.com' must start with http:// or https://"),
        ("ftp://h", "'ftp://h' must start with http:// or https://"),
        ("https://", "'https://' has no valid host"),
        ("https://h?x=1", "'https://h?x=1' must not have a query (?) or fragment (#)"),
        ("https://h/#top", "'https://h/#top' must not have a query (?) or fragment (#)"),
        ("https://u:p@h", "'https://***@h' must not contain a user name or password"),
        ("https://u:p@h/a@b", "'https://***@h/a@b' must not contain a user name or password"),
        ("https://h:0", "'https://h:0': '0' is not a port (1-65535)"),
        ("https://h/a b", "'https://h/a b' has spaces or non-ASCII characters in its path; percent-encode them"),
    ])
    func rejects(text: String, message: String) {
        #expect(throws: ConfigValueError(message)) { try HTTPBaseURL(parsing: text) }
    }
}
