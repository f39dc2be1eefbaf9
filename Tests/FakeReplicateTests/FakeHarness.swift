import EventLoop
import FakeReplicate
import Foundation
import HTTPServer
import HTTPTypes
import TestSupport

/// A fake on one real event loop (started for the test, stopped by `shutdown()`), and helpers
/// to send it in-memory requests and read the JSON answers.
///
/// Threading: the responder is used only on the loop (through `InMemoryExchange` hops).
final class FakeHarness: Sendable {
    static let token = FakeReplicateConfiguration.defaultToken
    static let otherToken = "r8_SecondFakeToken00000000000000000000000"
    static let base = "http://fake.test"

    let group: EventLoopGroup
    let loop: EventLoop
    let fake: FakeReplicate
    /// Loop-bound; only touched inside `loop.execute` blocks, hence safe to share.
    nonisolated(unsafe) let responder: FakeReplicateResponder

    init(_ configure: (inout FakeReplicateConfiguration) -> Void = { _ in }) throws {
        var c = FakeReplicateConfiguration()
        c.tokens = [FakeHarness.token, FakeHarness.otherToken]
        c.publicBaseURL = FakeHarness.base
        configure(&c)
        group = try EventLoopGroup(loopCount: 1)
        loop = group.loops[0]
        fake = FakeReplicate(configuration: c)
        responder = fake.makeResponder(loop: loop)
        group.start()
    }

    func shutdown() {
        group.stopAndJoin()
    }

    /// Builds an exchange (Bearer token unless `token` is nil) and hands it to the responder.
    func start(
        _ method: HTTPMethod, _ target: String, json: String? = nil, body: [UInt8]? = nil,
        headers: [(String, String)] = [], token: String? = FakeHarness.token, writable: Bool = true
    ) async -> InMemoryExchange {
        var h = HTTPHeaders(headers)
        if let t = token { h.add(.authorization, "Bearer " + t) }
        if json != nil { h.add(.contentType, "application/json") }
        let ex = InMemoryExchange(
            loop: loop, method: method, target: target, headers: h, body: json.map { Array($0.utf8) } ?? body)
        nonisolated(unsafe) let r = responder  // used on the loop only
        await ex.onLoop { ex in
            ex.isWritable = writable
            ex.start(r)
        }
        return ex
    }

    /// `start`, then waits until the response has ended.
    func send(
        _ method: HTTPMethod, _ target: String, json: String? = nil, body: [UInt8]? = nil,
        headers: [(String, String)] = [], token: String? = FakeHarness.token
    ) async -> InMemoryExchange {
        let ex = await start(method, target, json: json, body: body, headers: headers, token: token)
        _ = await ex.waitUntilDone()
        return ex
    }

    /// Runs `body` on the loop.
    func onLoop<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { c in
            loop.execute { c.resume(returning: body()) }
        }
    }

    /// Lets `d` pass on the loop (a loop timer), for tests about real waits.
    func pass(_ d: Duration) async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            loop.execute { [loop] in loop.schedule(after: d) { c.resume() } }
        }
    }

    /// Creates a prediction for `model` (`owner/name`) through the models route and returns its id.
    func create(_ model: String, input: String, token: String = FakeHarness.token) async -> String {
        let ex = await send(.post, "/v1/models/\(model)/predictions", json: #"{"input":\#(input)}"#, token: token)
        return ex.json["id"] as? String ?? "missing-id"
    }

    func get(_ id: String, token: String = FakeHarness.token) async -> [String: Any] {
        await send(.get, "/v1/predictions/\(id)", token: token).json
    }
}

extension InMemoryExchange {
    var status: Int? { responseHead?.status }

    /// The response body as a JSON object (empty when it is not one).
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(responseBody))) as? [String: Any] ?? [:]
    }

    var jsonArray: [Any] {
        (try? JSONSerialization.jsonObject(with: Data(responseBody))) as? [Any] ?? []
    }

    func header(_ name: HTTPHeaderName) -> String? { responseHead?.headers[name] }
}
