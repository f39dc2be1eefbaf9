import Config
import FakeReplicate
import Foundation
import HTTPTypes
import Testing

/// A whole Reprise in front of the fake: cache hits deliver the webhooks their creates ask for,
/// signed with the account's secret; misses leave webhooks to Replicate.
///
/// "Exactly N requests" is checked like this: wait (bounded) until the receiver has N and
/// Reprise's `reprise_webhook_deliveries_total` counters show every event settled — each event
/// is counted only after its last attempt's answer — then compare the receiver's full list.
@Suite(.serialized) struct HitWebhookTests {
    static func unique(_ label: String) -> String { "\(label)-\(UUID().uuidString.prefix(8))" }

    @Test func aHitWithAWebhookPostsOneSignedCompletedEvent() throws {
        let receiver = try WebhookReceiver()
        defer { receiver.shutdown() }
        let stack = try WebhookStack()
        defer { stack.shutdown() }
        let input = ["text": Self.unique("alice")]
        try stack.seed(input: input)
        let secretsBefore = stack.fake.counters.value(.webhookSecret)

        let hit = try stack.create(input: input, webhook: receiver.url("/hooks/a?x=1"), events: ["completed"])
        #expect(hit.status == 201)
        #expect(hit.header("X-Cache-Status") == "HIT")
        let id = try #require(json(hit)["id"] as? String)

        #expect(receiver.waitForCount(1))
        stack.waitForDeliveries(["delivered": 1])
        let posts = receiver.requests
        try #require(posts.count == 1)
        let post = posts[0]
        #expect(post.method == "POST")
        #expect(post.target == "/hooks/a?x=1")
        #expect(post.header(.contentType) == "application/json")
        #expect(post.header(.webhookID)?.hasPrefix("msg_") == true)
        let now = Int(Date().timeIntervalSince1970)
        let ts = try #require(post.header(.webhookTimestamp).flatMap { Int($0) })
        #expect(abs(ts - now) < 300)
        #expect(signatureIsValid(post, secret: WebhookStack.expectedSecret))
        #expect(!signatureIsValid(post, secret: "whsec_" + Base64Vectors.otherSecret))
        // The body is the prediction exactly as a GET of its id answers.
        let get = try stack.getPrediction(id)
        #expect(get.status == 200)
        #expect(post.body == get.body)
        #expect(json(post.body)["status"] as? String == "succeeded")
        #expect(json(post.body)["output"] as? String == "hello " + input["text"]!)
        #expect(stack.fake.counters.value(.webhookSecret) == secretsBefore + 1)

        // A second hit for the same account signs with the secret already in memory.
        let again = try stack.create(input: input, webhook: receiver.url("/hooks/b"), events: ["completed"])
        #expect(again.header("X-Cache-Status") == "HIT")
        #expect(receiver.waitForCount(2))
        stack.waitForDeliveries(["delivered": 2])
        #expect(receiver.count == 2)
        #expect(signatureIsValid(receiver.requests[1], secret: WebhookStack.expectedSecret))
        #expect(receiver.requests[1].header(.webhookID) != post.header(.webhookID))
        #expect(stack.fake.counters.value(.webhookSecret) == secretsBefore + 1)
    }

    @Test func filtersChooseTheEventsWhichGoOutInLifeOrder() throws {
        let receiver = try WebhookReceiver()
        defer { receiver.shutdown() }
        let stack = try WebhookStack()
        defer { stack.shutdown() }
        // sdxl has logs ("Using seed: …") and a list output.
        let input: [String: Any] = ["prompt": Self.unique("a lighthouse"), "seed": 7]
        try stack.seed(version: WebhookStack.sdxlVersion, input: input)

        let all = try stack.create(
            version: WebhookStack.sdxlVersion, input: input, webhook: receiver.url("/all"),
            events: ["completed", "logs", "start", "output"])
        #expect(all.header("X-Cache-Status") == "HIT")
        #expect(receiver.waitForCount(4))
        stack.waitForDeliveries(["delivered": 4])
        #expect(receiver.count == 4)
        // Sent one after another, so they arrive in order; each event has its own id.
        #expect(Set(receiver.requests.compactMap { $0.header(.webhookID) }).count == 4)
        #expect(receiver.requests.allSatisfy { signatureIsValid($0, secret: WebhookStack.expectedSecret) })
        #expect(receiver.requests.allSatisfy { $0.body == receiver.requests[0].body })

        // No filter: Replicate's default, output then completed.
        let plain = try stack.create(version: WebhookStack.sdxlVersion, input: input, webhook: receiver.url("/default"))
        #expect(plain.header("X-Cache-Status") == "HIT")
        #expect(receiver.waitForCount(6))
        stack.waitForDeliveries(["delivered": 6])
        #expect(receiver.requests.map(\.target) == ["/all", "/all", "/all", "/all", "/default", "/default"])

        // start only: one request, and nothing for a create without a webhook.
        _ = try stack.create(
            version: WebhookStack.sdxlVersion, input: input, webhook: receiver.url("/start"), events: ["start"])
        _ = try stack.create(["version": WebhookStack.sdxlVersion, "input": input])
        #expect(receiver.waitForCount(7))
        stack.waitForDeliveries(["delivered": 7])
        #expect(receiver.requests.map(\.target).last == "/start")
        #expect(receiver.count == 7)
    }

    @Test func aFailingReceiverGetsRetriesOfCompletedOnlyThenStops() throws {
        // The test schedule (20 ms doubling, last retry at 150 ms) makes 5 attempts in all.
        let receiver = try WebhookReceiver { _, _ in 500 }
        defer { receiver.shutdown() }
        let stack = try WebhookStack()
        defer { stack.shutdown() }
        let input = ["text": Self.unique("bob")]
        try stack.seed(input: input)
        let hit = try stack.create(input: input, webhook: receiver.url(), events: ["start", "completed"])
        try #require(hit.header("X-Cache-Status") == "HIT")
        #expect(receiver.waitForCount(6))
        stack.waitForDeliveries(["failed": 2])
        let posts = receiver.requests
        #expect(posts.count == 6)
        let ids = posts.compactMap { $0.header(.webhookID) }
        // One try of `start` (never retried), then the same `completed` message five times.
        #expect(Set(ids).count == 2)
        #expect(ids.dropFirst().allSatisfy { $0 == ids[1] })
        #expect(posts.allSatisfy { signatureIsValid($0, secret: WebhookStack.expectedSecret) })
    }

    @Test func aReceiverThatRecoversGetsTheCompletedEventOnce() throws {
        let receiver = try WebhookReceiver { _, index in index < 2 ? 503 : 200 }
        defer { receiver.shutdown() }
        let stack = try WebhookStack()
        defer { stack.shutdown() }
        let input = ["text": Self.unique("carol")]
        try stack.seed(input: input)
        _ = try stack.create(input: input, webhook: receiver.url(), events: ["completed"])
        #expect(receiver.waitForCount(3))
        stack.waitForDeliveries(["delivered": 1])
        #expect(receiver.count == 3)
        #expect(Set(receiver.requests.compactMap { $0.header(.webhookID) }).count == 1)
    }

    @Test func privateAddressesAreRefusedUnlessAllowed() throws {
        let receiver = try WebhookReceiver()
        defer { receiver.shutdown() }
        let stack = try WebhookStack { $0.webhooks.allowPrivate = false }
        defer { stack.shutdown() }
        let input = ["text": Self.unique("dave")]
        try stack.seed(input: input)
        let targets = [
            receiver.url(),  // 127.0.0.1
            "http://localhost:\(receiver.port)/hook",  // a name: judged after DNS
            "http://[::ffff:127.0.0.1]:\(receiver.port)/hook",
            "file:///etc/passwd",  // not http(s)
        ]
        for target in targets {
            let hit = try stack.create(input: input, webhook: target, events: ["completed"])
            #expect(hit.status == 201 && hit.header("X-Cache-Status") == "HIT", "\(target)")
        }
        stack.waitForDeliveries(["refused": 4])
        #expect(receiver.count == 0)

        // Allowed by config. A reload reaches the loop through its task queue, not in step
        // with the next request, so hits are repeated until one is delivered.
        var allowed = stack.config
        allowed.webhooks.allowPrivate = true
        stack.app.reload(allowed)
        #expect(
            waitUntil {
                _ = try? stack.create(input: input, webhook: receiver.url("/after-reload"), events: ["completed"])
                return receiver.waitForCount(1, timeout: .milliseconds(500))
            })
        #expect(receiver.requests.first?.target == "/after-reload")
    }

    @Test func aMissForwardsTheWebhookFieldsUnchangedAndReprisePostsNothing() throws {
        let receiver = try WebhookReceiver()
        defer { receiver.shutdown() }
        let stack = try WebhookStack()
        defer { stack.shutdown() }
        let input = ["text": Self.unique("erin")]
        let hook = receiver.url("/miss?sig=abc")
        let miss = try stack.create(input: input, webhook: hook, events: ["start", "completed"])
        #expect(miss.status == 201)
        #expect(miss.header("X-Cache-Status") == "MISS")
        // The fake echoes what it received: the fields reached "Replicate" as the client sent them.
        let id = try #require(json(miss)["id"] as? String)
        let get = try stack.getPrediction(id)
        #expect(json(get)["webhook"] as? String == hook)
        #expect(json(get)["webhook_events_filter"] as? [String] == ["start", "completed"])
        // Replicate calls the webhook on a miss; Reprise does not. A later hit's delivery is the
        // marker: once it has been delivered, anything Reprise had queued for the miss (before
        // it) would have reached the receiver too.
        let hit = try stack.create(input: input, webhook: receiver.url("/hit"), events: ["completed"])
        #expect(hit.header("X-Cache-Status") == "HIT")
        #expect(receiver.waitForCount(1))
        stack.waitForDeliveries(["delivered": 1])
        #expect(receiver.requests.map(\.target) == ["/hit"])
    }

    @Test func aFullQueueDropsNewDeliveriesAndCountsThem() throws {
        // The first delivery is held open by the receiver, filling a queue of one.
        let receiver = try WebhookReceiver { request, _ in request.target == "/slow" ? nil : 204 }
        defer { receiver.shutdown() }
        let stack = try WebhookStack { $0.webhooks.queueSize = 1 }
        defer { stack.shutdown() }
        let input = ["text": Self.unique("frank")]
        try stack.seed(input: input)
        _ = try stack.create(input: input, webhook: receiver.url("/slow"), events: ["completed"])
        #expect(receiver.waitForCount(1))
        _ = try stack.create(input: input, webhook: receiver.url("/dropped"), events: ["start", "completed"])
        stack.waitForDeliveries(["dropped": 2])
        receiver.releaseHeld()
        stack.waitForDeliveries(["dropped": 2, "delivered": 1])
        #expect(receiver.requests.map(\.target) == ["/slow"])
    }
}

/// A second, unrelated secret (base64 of 24 bytes) to show a wrong key fails verification.
enum Base64Vectors {
    static let otherSecret = "C2FVsBQIhrscChlQIMV+b5sSYspob7oD"
}
