@preconcurrency import Glibc
import Config
import CryptoPrimitives
import EventLoop
import FakeReplicate
import Foundation
import HTTPServer
import JSONCore
import Logging
import Proxy
import TestSupport
import Testing
import Webhooks

/// A whole Reprise (`RepriseApp`, one loop) in front of an in-process FakeReplicate, on the
/// Redis named by `REPRISE_TEST_REDIS_URL` (required: the test fails without it), with a key
/// prefix of its own. Helpers send creates, read predictions and `/metrics`.
///
/// Threading: used from the test's thread; the servers run on their own loops.
final class WebhookStack: Sendable {
    static let token = "r8_WebhookTestToken0000000000000000000000"
    static let helloVersion = "5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa"
    static let sdxlVersion = "39ed52f2a78e934b3ba6e2a89f5b1c712de7dfea535525255b1aa35c5565e08b"

    let fake: FakeReplicate
    let fakeServer: TestServer
    let app: RepriseApp
    let port: Int
    let config: RepriseConfig

    /// The secret the fake hands out for `token` (derived as FakeReplicate derives it), so
    /// signatures are checked against a value computed here, not read back from Reprise.
    static var expectedSecret: String {
        "whsec_" + Base64.encode(SHA256Hasher().digest("fake-replicate webhook secret|" + token))
    }

    init(_ configure: (inout RepriseConfig) -> Void = { _ in }) throws {
        let redis = try #require(
            ProcessInfo.processInfo.environment["REPRISE_TEST_REDIS_URL"].flatMap { $0.isEmpty ? nil : $0 },
            "REPRISE_TEST_REDIS_URL must name a Redis for these tests (scripts/test.sh unit starts one)")
        var fc = FakeReplicateConfiguration()
        fc.tokens = [Self.token]
        let fake = FakeReplicate(configuration: fc)
        self.fake = fake
        fakeServer = try TestServer(responderFactory: { loop in fake.makeResponder(loop: loop) })
        fake.setPublicBaseURL("http://127.0.0.1:\(fakeServer.port)")

        var c = RepriseConfig.defaults
        c.listen = ListenAddress(host: "127.0.0.1", port: 0)
        c.upstream.url = try HTTPBaseURL(parsing: "http://127.0.0.1:\(fakeServer.port)")
        c.redis.url = try RedisURL(parsing: redis)
        c.redis.keyPrefix = "reprise-webhooks-\(UUID().uuidString.prefix(8)):"
        // These tests are about webhooks, not Redis latency: on a loaded test machine the 50 ms
        // default can time a lookup out, turning the hit under test into a miss.
        c.redis.timeout = .seconds(2)
        c.server.loops = 1
        c.server.drainTimeout = .milliseconds(500)
        c.log.requests = false
        c.webhooks.allowPrivate = true
        c.webhooks.timeout = .seconds(5)
        c.webhooks.retryBackoff = .milliseconds(20)
        c.webhooks.retryWindow = .milliseconds(150)
        configure(&c)
        config = c
        app = try RepriseApp(config: c, logger: Logger(sink: LogSink(fd: 2, background: false), level: .error))
        port = try app.start()
        try #require(waitUntil { (try? self.send("GET", "/readyz").status) == 200 }, "Reprise never became ready")
    }

    func shutdown() {
        app.shutdown()
        fakeServer.shutdown()
    }

    // MARK: - Requests

    @discardableResult
    func send(_ method: String, _ target: String, headers: [(String, String)] = [], body: String? = nil) throws
        -> RawHTTPResponse
    {
        let client = try RawHTTPClient(port: port)
        var text = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if let body { text += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n" }
        text += "\r\n" + (body ?? "")
        try client.send(text)
        return try client.readResponse()
    }

    /// `POST /v1/predictions` with `Prefer: wait` and the test token.
    func create(_ fields: [String: Any]) throws -> RawHTTPResponse {
        let data = try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
        return try send(
            "POST", "/v1/predictions", headers: [("Authorization", "Bearer " + Self.token), ("Prefer", "wait")],
            body: String(decoding: data, as: UTF8.self))
    }

    /// `create` of `input` on `version` with a `webhook` and, unless nil, a `webhook_events_filter`.
    @discardableResult
    func create(
        version: String = WebhookStack.helloVersion, input: [String: Any], webhook: String, events: [String]? = nil
    ) throws -> RawHTTPResponse {
        var fields: [String: Any] = ["version": version, "input": input, "webhook": webhook]
        if let events { fields["webhook_events_filter"] = events }
        return try create(fields)
    }

    /// Creates `input` on `version` once (a miss that Reprise stores) and checks that the same
    /// create now hits. Returns the input to reuse.
    func seed(version: String = WebhookStack.helloVersion, input: [String: Any]) throws {
        let miss = try create(["version": version, "input": input])
        try #require(miss.status == 201 && miss.header("X-Cache-Status") == "MISS", "seeding create: \(miss.status)")
        try #require(json(miss)["status"] as? String == "succeeded")
    }

    func getPrediction(_ id: String) throws -> RawHTTPResponse {
        try send("GET", "/v1/predictions/" + id, headers: [("Authorization", "Bearer " + Self.token)])
    }

    /// The value of `reprise_webhook_deliveries_total{result=…}` (0 when absent).
    func deliveries(_ result: String) -> Double {
        guard let text = try? send("GET", "/metrics").bodyString else { return -1 }
        let prefix = "reprise_webhook_deliveries_total{result=\"\(result)\"} "
        for line in text.split(separator: "\n") where line.hasPrefix(prefix) {
            return Double(line.dropFirst(prefix.count)) ?? -1
        }
        return 0
    }

    /// Waits until the deliveries counters reach `expected` (results not named must be 0).
    func waitForDeliveries(_ expected: [String: Double], sourceLocation: SourceLocation = #_sourceLocation) {
        let all = ["delivered", "failed", "refused", "dropped"]
        let ok = waitUntil { all.allSatisfy { self.deliveries($0) == (expected[$0] ?? 0) } }
        let seen = Dictionary(uniqueKeysWithValues: all.map { ($0, deliveries($0)) })
        #expect(ok, "webhook deliveries \(seen), expected \(expected)", sourceLocation: sourceLocation)
    }
}

func json(_ response: RawHTTPResponse) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
}

func json(_ bytes: [UInt8]) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] ?? [:]
}

/// Polls `condition` until it holds (true) or `timeout` passes (false). A condition wait for
/// state that has no event to wait on (a metric, readiness), never a fixed sleep.
func waitUntil(timeout: Duration = .seconds(15), _ condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        usleep(5_000)
    }
    return condition()
}

/// Checks a delivery's signature the way `replicate.webhooks.validate` does: HMAC-SHA256 under
/// the base64-decoded part after `whsec_`, of `id.timestamp.body`, against each `v1,` entry.
func signatureIsValid(_ request: ReceivedWebhook, secret: String) -> Bool {
    guard let id = request.header(.webhookID), let timestamp = request.header(.webhookTimestamp),
        let signatures = request.header(.webhookSignature),
        let key = Base64.decode(secret.split(separator: "_")[1])
    else { return false }
    let content = Array("\(id).\(timestamp).".utf8) + request.body
    let expected = HMACSHA256.mac(key: key, message: content)
    return signatures.split(separator: " ").contains { entry in
        entry.hasPrefix("v1,") && Base64.decode(entry.dropFirst(3)) == expected
    }
}
