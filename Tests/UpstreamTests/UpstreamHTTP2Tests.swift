import Foundation
import HTTPTypes
import Testing

@testable import Upstream

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
        let f = try Fixture(echo: ScriptedHTTPServer.echoBody)
        let pieces = (0..<6).map { UpstreamStreamingTests.noise(count: 40_000, seed: UInt64($0 + 1)) }
        let transfer = ResultBox<UpstreamTransfer>()
        let d = f.harness.perform(
            UpstreamRequest(
                method: .post, url: f.nginx.baseURL + "/echo", headers: ["Content-Type": "application/octet-stream"],
                body: .streamed(length: nil))
        ) { t in
            transfer.value = t
            t.feedAcrossTicks(pieces, on: f.harness.loop)
        }
        #expect(d.error == nil, "\(String(describing: d.error)) nginx: \(f.nginx.process.text)")
        #expect(f.harness.onLoop { transfer.value?.responseHTTPVersion } == "2")
        #expect(f.echo.requests.first?.body == pieces.flatMap { $0 })
        #expect(d.body == pieces.flatMap { $0 })
    }
}
