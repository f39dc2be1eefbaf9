import Foundation
import HTTPTypes
import Testing

@testable import Upstream

/// TLS against real servers with a certificate made for the test. Needs `openssl` (and `nginx`
/// for HTTP/2): a missing tool fails these tests loudly rather than skipping them.
@Suite struct UpstreamTLSTests {
    @Test func untrustedCertificateIsATLSErrorAndTheRightCAMakesItWork() throws {
        let directory = try TLSFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (cert, key) = try TLSFixtures.makeCertificate(in: directory)
        let (server, port) = try TLSFixtures.startOpenSSLServer(cert: cert, key: key)
        defer { server.stop() }
        let url = "https://127.0.0.1:\(port)/"

        let systemTrust = try LoopHarness()
        let refused = systemTrust.perform(UpstreamRequest(method: .get, url: url))
        systemTrust.close()
        #expect(refused.error?.kind == .tls, "\(String(describing: refused.error))")
        #expect(refused.events == ["finish"])

        var configuration = UpstreamClientConfiguration()
        configuration.caFile = cert
        let trusting = try LoopHarness(configuration: configuration)
        defer { trusting.close() }
        let transfer = ResultBox<UpstreamTransfer>()
        let ok = trusting.perform(UpstreamRequest(method: .get, url: url)) { transfer.value = $0 }
        #expect(ok.error == nil, "\(String(describing: ok.error))")
        #expect(ok.head?.status == 200)
        #expect(ok.bodyText.contains("s_server"))
        let version = trusting.onLoop { transfer.value?.responseHTTPVersion }
        #expect(version == "1.0")
    }

    @Test func certificateForAnotherNameIsATLSError() throws {
        let directory = try TLSFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (cert, key) = try TLSFixtures.makeCertificate(in: directory, names: "DNS:upstream.invalid")
        let (server, port) = try TLSFixtures.startOpenSSLServer(cert: cert, key: key)
        defer { server.stop() }
        var configuration = UpstreamClientConfiguration()
        configuration.caFile = cert
        let harness = try LoopHarness(configuration: configuration)
        defer { harness.close() }
        // Trusted issuer, but the certificate does not name 127.0.0.1: the host check must fail.
        let d = harness.perform(UpstreamRequest(method: .get, url: "https://127.0.0.1:\(port)/"))
        #expect(d.error?.kind == .tls, "\(String(describing: d.error))")
    }
}
