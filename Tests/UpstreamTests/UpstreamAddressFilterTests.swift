import Foundation
import HTTPTypes
import Synchronization
import Testing

@testable import Upstream

/// `UpstreamRequest.addressFilter` (the webhook SSRF guard's hook) and `timeout`.
///
/// Like the other suites here, these leave their `ScriptedHTTPServer`s running: its `stop()`
/// shuts down descriptor numbers from a snapshot that a finished connection may already have
/// closed, so it can hit a socket a test running in parallel has since been given.
@Suite struct UpstreamAddressFilterTests {
    /// Records the addresses a filter was asked about (filters run on the loop thread).
    final class SeenAddresses: Sendable {
        private let seen = Mutex<[UpstreamPeerAddress]>([])
        func add(_ a: UpstreamPeerAddress) { seen.withLock { $0.append(a) } }
        var all: [UpstreamPeerAddress] { seen.withLock { $0 } }
    }

    static func okServer() throws -> ScriptedHTTPServer {
        try ScriptedHTTPServer { _, c in
            c.writeHead(status: 200, [("Content-Length", "2")])
            c.write("ok")
            return .keepOpen
        }
    }

    @Test func aFilterRefusingLoopbackStopsTheConnectionBeforeItIsMade() throws {
        let server = try Self.okServer()
        let harness = try LoopHarness()
        defer { harness.close() }
        let seen = SeenAddresses()
        var request = UpstreamRequest(method: .post, url: server.baseURL + "/hook", body: .bytes(Array("{}".utf8)))
        request.addressFilter = { address in
            seen.add(address)
            return address.bytes.first != 127
        }
        let d = harness.perform(request)
        #expect(d.error?.kind == .refused)
        #expect(d.events == ["finish"])
        #expect(seen.all == [UpstreamPeerAddress(bytes: [127, 0, 0, 1], port: server.port)])
        #expect(server.acceptCount == 0)
    }

    @Test func aFilterThatLetsTheAddressThroughSeesItAndTheRequestGoesAhead() throws {
        let server = try Self.okServer()
        let harness = try LoopHarness()
        defer { harness.close() }
        let seen = SeenAddresses()
        var request = UpstreamRequest(method: .get, url: server.baseURL + "/")
        request.addressFilter = { address in
            seen.add(address)
            return true
        }
        let d = harness.perform(request)
        #expect(d.error == nil)
        #expect(d.head?.status == 200)
        #expect(d.bodyText == "ok")
        #expect(seen.all.map(\.description) == ["127.0.0.1:\(server.port)"])
    }

    @Test func aFilteredRequestNeverRidesOnAPooledConnection() throws {
        let server = try Self.okServer()
        let harness = try LoopHarness()
        defer { harness.close() }
        // An unfiltered request leaves a kept-alive connection in the pool…
        let first = harness.perform(UpstreamRequest(method: .get, url: server.baseURL + "/"))
        #expect(first.error == nil)
        #expect(server.acceptCount == 1)
        // …which a filtered request must not reuse: its filter still runs, and refuses.
        var refused = UpstreamRequest(method: .get, url: server.baseURL + "/")
        refused.addressFilter = { _ in false }
        #expect(harness.perform(refused).error?.kind == .refused)
        // A permitted filtered request opens a fresh connection and leaves it out of the pool.
        var permitted = UpstreamRequest(method: .get, url: server.baseURL + "/")
        permitted.addressFilter = { _ in true }
        #expect(harness.perform(permitted).error == nil)
        #expect(server.acceptCount == 2)
        #expect(harness.perform(UpstreamRequest(method: .get, url: server.baseURL + "/")).error == nil)
        #expect(server.acceptCount == 2, "the unfiltered request reuses the first pooled connection")
    }

    @Test func aRequestTimeoutBoundsTheWholeTransfer() throws {
        // The server takes the request and never answers; the client's idle timeout (120 s) is
        // far away, so only the request's own timeout can end the transfer.
        let release = Signal()
        let server = try ScriptedHTTPServer { _, _ in
            _ = release.wait(seconds: 20)
            return .close
        }
        defer { release.fire() }
        let harness = try LoopHarness()
        defer { harness.close() }
        var request = UpstreamRequest(method: .post, url: server.baseURL + "/hook", body: .bytes(Array("{}".utf8)))
        request.timeout = .milliseconds(300)
        let d = harness.perform(request)
        #expect(d.error?.kind == .timeout)
        #expect(server.requests.count == 1)
    }
}
