import ProxyCore
import Testing

/// The SSRF guard on stream relays: which stream URLs Reprise opens, and which of them must
/// also pass the private-address check at connect time.
@Suite struct StreamURLPolicyTests {
    let production = StreamURLPolicy(upstreamBase: "https://api.replicate.com", hostSuffixes: StreamURLPolicy.replicateHostSuffixes)
    let test = StreamURLPolicy(upstreamBase: "http://127.0.0.1:8000", hostSuffixes: ["replicate.net", ".Example.COM"])

    @Test func replicatesStreamHostsAreAllowedBehindTheAddressGuard() {
        for url in [
            "https://streaming-api.svc.rno2.c.replicate.net/v1/streams/yr4xaj6t",
            "https://stream.replicate.com/v1/files/abc",
            "https://streaming.api.replicate.com/v1/predictions/xyz",
            "HTTPS://Stream.Replicate.COM:443/v1/files/abc",
        ] {
            #expect(production.judge(url) == .allowed(guardAddresses: true), "\(url)")
        }
    }

    @Test func theConfiguredUpstreamOriginIsAllowedWithoutTheGuard() {
        #expect(production.judge("https://api.replicate.com/v1/streams/x") == .allowed(guardAddresses: false))
        #expect(test.judge("http://127.0.0.1:8000/v1/streams/x") == .allowed(guardAddresses: false))
        // Same host, another port: not the upstream the operator chose (Redis on loopback…).
        #expect(test.judge("http://127.0.0.1:6379/") == .refused(.host))
    }

    @Test func otherHostsAreRefused() {
        for url in [
            "https://169.254.169.254/latest/meta-data/",
            "https://evilreplicate.com/x",
            "https://replicate.com.evil.org/x",
            "https://stream.replicate.com./x",
            "https://[::1]/x",
            "https://localhost/x",
        ] {
            #expect(production.judge(url) == .refused(.host), "\(url)")
        }
        #expect(test.judge("http://a.example.com/x") == .allowed(guardAddresses: true))
    }

    @Test func schemeUserinfoAndCharactersAreChecked() {
        #expect(production.judge("http://stream.replicate.com/x") == .refused(.scheme))
        #expect(test.judge("http://stream.replicate.net/x") == .allowed(guardAddresses: true))
        #expect(production.judge("file:///etc/passwd") == .refused(.scheme))
        #expect(production.judge("gopher://stream.replicate.com/") == .refused(.scheme))
        #expect(production.judge("https://api.replicate.com@169.254.169.254/x") == .refused(.userinfo))
        #expect(production.judge("https://stream.replicate.com/a b") == .refused(.characters))
        #expect(production.judge("https://stream.replicate.com/\r\nHost: x") == .refused(.characters))
        #expect(production.judge("https://stream.replicate.com:99999/x") == .refused(.host))
        #expect(production.judge("https:///x") == .refused(.host))
    }
}
