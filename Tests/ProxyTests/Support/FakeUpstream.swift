import FakeReplicate
import TestSupport

/// The repo's fake Replicate API, served in-process on 127.0.0.1 and a free port (one event
/// loop), with the URLs it hands out naming that port — the upstream every Reprise under test
/// talks to.
///
/// It accepts two tokens (`token`, `otherToken`) and rejects everything else (`unknownToken`).
/// Threading: thread-safe (`FakeReplicate` is; the server runs on its own loop thread).
final class FakeUpstream: Sendable {
    static let token = FakeReplicateConfiguration.defaultToken
    static let otherToken = "r8_SecondFakeToken00000000000000000000000"
    static let unknownToken = "r8_TokenTheFakeDoesNotKnow00000000000000"

    let fake: FakeReplicate
    let server: TestServer

    /// `configure` adjusts the fake's settings (page size, timings) before it starts.
    init(_ configure: (inout FakeReplicateConfiguration) -> Void = { _ in }) throws {
        var c = FakeReplicateConfiguration()
        c.tokens = [FakeUpstream.token, FakeUpstream.otherToken]
        c.maxBodyBytes = 64 << 20
        configure(&c)
        let fake = FakeReplicate(configuration: c)
        self.fake = fake
        server = try TestServer(loops: 1) { loop in fake.makeResponder(loop: loop) }
        fake.setPublicBaseURL(baseURL)
    }

    var port: Int { server.port }

    /// `http://127.0.0.1:PORT`: the fake's API base (Reprise's `upstream.url`).
    var baseURL: String { "http://127.0.0.1:\(server.port)" }

    /// Creates the fake has seen, through any of the three create routes.
    var creates: Int { fake.counters.creates }

    func count(_ counter: FakeCounter) -> Int { fake.counters.value(counter) }

    /// A request straight to the fake (no Reprise in between), for comparing answers.
    func send(
        _ method: String, _ target: String, json: String? = nil, headers: [(String, String)] = [],
        token: String? = FakeUpstream.token
    ) async throws -> RawHTTPResponse {
        let port = self.port
        return try await offThePool {
            try HTTPCall.send(port: port, method, target, json: json, headers: headers, token: token)
        }
    }

    /// Blocks while the server drains; call it off the pool.
    func shutdown() { server.shutdown() }
}
