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

/// HTTP/2 over TLS against nginx.
@Suite struct UpstreamHTTP2Tests {
    final class Fixture {
        let directory: String
        let cert: String
        let echo: ScriptedHTTPServer
        let nginx: NginxFixture
        let harness: LoopHarness

        init(echo script: @escaping ScriptedHTTPServer.Script = { _, _ in .close }) throws {
            directory = try TLSFixtures.temporaryDirectory()
            let (cert, key) = try TLSFixtures.makeCertificate(in: directory)
            self.cert = cert
            echo = try ScriptedHTTPServer(script: script)
            nginx = try NginxFixture(directory: directory, cert: cert, key: key, echoPort: echo.port)
            var configuration = UpstreamClientConfiguration()
            configuration.caFile = cert
            harness = try LoopHarness(configuration: configuration)
        }

        deinit {
            harness.close()
            nginx.stop()
            echo.stop()
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    @Test func concurrentRequestsAreMultiplexedOnOneConnection() throws {
        let f = try Fixture()
        let delegates = (0..<4).map { _ in RecordingDelegate() }
        let transfers = ResultBox<[UpstreamTransfer]>()
        f.harness.onLoop {
            transfers.value = delegates.map {
                f.harness.client.start(UpstreamRequest(method: .get, url: f.nginx.baseURL + "/hello"), delegate: $0)
            }
        }
        for d in delegates { #expect(d.finished.wait(seconds: 20)) }
        for d in delegates {
            #expect(d.error == nil, "\(String(describing: d.error)) nginx: \(f.nginx.process.text)")
            #expect(d.bodyText == "hello\n")
        }
        let versions = f.harness.onLoop { transfers.value!.map(\.responseHTTPVersion) }
        #expect(versions == Array(repeating: "2", count: 4))
        let connections = Set(delegates.compactMap { $0.head?.headers["x-conn"] })
        #expect(connections.count == 1, "requests were spread over connections \(connections)")
    }

    @Test func largeBodyWithPausesOverHTTP2() throws {
        let f = try Fixture()
        let payload = UpstreamStreamingTests.noise(count: 5 << 20, seed: 11)
        try Data(payload).write(to: URL(fileURLWithPath: f.nginx.root + "/files/big.bin"))
        let d = RecordingDelegate()
        var calls = 0
        d.onBody = { transfer, _ in
            calls += 1
            guard calls % 4 == 0 else { return true }
            f.harness.loop.schedule(after: .milliseconds(1)) { transfer.resumeResponse() }
            return false
        }
        f.harness.perform(UpstreamRequest(method: .get, url: f.nginx.baseURL + "/files/big.bin"), delegate: d)
        #expect(d.error == nil, "\(String(describing: d.error))")
        #expect(d.body.count == payload.count)
        #expect(d.body == payload)
    }

    @Test func streamedRequestBodyOverHTTP2() throws {
        let f = try Fixture { r, c in
            c.writeHead(status: 200, [("Content-Length", "\(r.body.count)")])
            c.write(r.body)
            return .keepOpen
        }
        let pieces = (0..<6).map { UpstreamStreamingTests.noise(count: 40_000, seed: UInt64($0 + 1)) }
        let transfer = ResultBox<UpstreamTransfer>()
        let d = f.harness.perform(
            UpstreamRequest(
                method: .post, url: f.nginx.baseURL + "/echo", headers: ["Content-Type": "application/octet-stream"],
                body: .streamed(length: nil))
        ) { t in
            transfer.value = t
            func feed(_ i: Int) {
                f.harness.loop.schedule(after: .milliseconds(2)) {
                    if i < pieces.count {
                        t.appendBody(pieces[i])
                        feed(i + 1)
                    } else {
                        t.endBody()
                    }
                }
            }
            feed(0)
        }
        #expect(d.error == nil, "\(String(describing: d.error)) nginx: \(f.nginx.process.text)")
        #expect(f.harness.onLoop { transfer.value?.responseHTTPVersion } == "2")
        #expect(f.echo.requests.first?.body == pieces.flatMap { $0 })
        #expect(d.body == pieces.flatMap { $0 })
    }
}
