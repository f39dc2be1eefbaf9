@preconcurrency import Glibc
import HTTPTypes
import Testing

@testable import Upstream

/// Host names go through curl's threaded resolver, whose wake-up socket is watched on the loop
/// and closed by curl behind our back; descriptor numbers get reused right after.
@Suite struct UpstreamResolverTests {
    static func machineName() -> String {
        var name = [CChar](repeating: 0, count: 256)
        gethostname(&name, name.count)
        return String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    @Test func requestsByHostNameResolveConnectAndReuse() throws {
        let server = try ScriptedHTTPServer(allInterfaces: true) { r, c in
            c.writeHead(status: 200, [("Content-Length", "\(r.target.utf8.count)")])
            c.write(r.target)
            return .keepOpen
        }
        let harness = try LoopHarness()
        defer { harness.close() }
        let base = "http://\(Self.machineName()):\(server.port)"
        // Several at once, so that resolver sockets and connection sockets interleave.
        let delegates = (0..<3).map { _ in RecordingDelegate() }
        harness.onLoop {
            for (i, d) in delegates.enumerated() {
                _ = harness.client.start(UpstreamRequest(method: .get, url: base + "/r\(i)"), delegate: d)
            }
        }
        for (i, d) in delegates.enumerated() {
            #expect(d.finished.wait(seconds: 20))
            #expect(d.error == nil, "\(String(describing: d.error))")
            #expect(d.bodyText == "/r\(i)")
        }
        let again = harness.perform(UpstreamRequest(method: .get, url: base + "/again"))
        #expect(again.error == nil)
        #expect(server.acceptCount <= 3)
    }
}
