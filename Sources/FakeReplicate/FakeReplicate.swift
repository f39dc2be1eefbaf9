import CryptoPrimitives
import EventLoop
import JSONCore
import Logging
import Synchronization
import Webhooks

/// A fake Replicate API for Reprise's integration tests, end-to-end tests and benchmarks.
///
/// This object is the state shared by every loop: configuration, model catalogue, the
/// prediction store, counters, armed faults and the fake clock. Each event loop gets its own
/// `FakeReplicateResponder` from `makeResponder(loop:)`. Behaviour follows
/// replicate-api.md (routes, prediction object, `Prefer: wait`, SSE, errors); see
/// `FakeReplicateResponder` for the route list and `FaultSpec` for fault injection.
///
/// Threading: every public method is thread-safe. Invariant: the token list never changes
/// after init (owners are token indices).
public final class FakeReplicate: Sendable {
    public let configuration: FakeReplicateConfiguration
    public let counters: FakeCounters
    let catalogue: ModelCatalogue
    let store: PredictionStore
    let armedFaults = ArmedFaults()
    let logger: Logger?
    /// Answers of the read-only routes, encoded once.
    let statics: StaticResponses
    private let bases: Mutex<PredictionEncoder.URLBases>
    private let streamBaseIsPublic: Atomic<Bool>
    /// How far the fake clock runs ahead of the monotonic clock (`advanceClock`).
    private let skew = Atomic<UInt64>(0)

    public init(configuration: FakeReplicateConfiguration = FakeReplicateConfiguration(), logger: Logger? = nil) {
        var c = configuration
        if c.tokens.isEmpty { c.tokens = [FakeReplicateConfiguration.defaultToken] }
        self.configuration = c
        self.logger = logger
        counters = FakeCounters(tokenCount: c.tokens.count)
        catalogue = ModelCatalogue()
        store = PredictionStore(capacity: c.maxPredictions)
        let api = FakeReplicate.trimmedBase(c.publicBaseURL)
        bases = Mutex(.init(api: api, stream: c.streamBaseURL.map(FakeReplicate.trimmedBase) ?? api))
        streamBaseIsPublic = Atomic(c.streamBaseURL == nil)
        let hasher = SHA256Hasher()
        // `GET /v1/webhooks/default/secret`: fixed per token, derived from it.
        let secretJSON = c.tokens.map { token in
            var o = JSONObjectWriter(capacity: 80)
            o.field("key", "whsec_" + Base64.encode(hasher.digest("fake-replicate webhook secret|" + token)))
            return o.finish()
        }
        let accountJSON = c.tokens.indices.map { i in
            let username = i == 0 ? "fake-user" : "fake-user-\(i + 1)"
            var o = JSONObjectWriter(capacity: 160)
            o.field("type", "user")
            o.field("username", username)
            o.field("name", i == 0 ? "Fake User" : "Fake User \(i + 1)")
            o.field("github_url", "https://github.com/" + username)
            return o.finish()
        }
        statics = StaticResponses(catalogue: catalogue, accounts: accountJSON, secrets: secretJSON)
    }

    /// The responder for one loop; call once per loop (e.g. from the server's factory).
    public func makeResponder(loop: EventLoop) -> FakeReplicateResponder {
        FakeReplicateResponder(fake: self, loop: loop)
    }

    /// Sets the base of the absolute URLs handed out (e.g. once the bound port is known).
    /// The stream base follows unless it was configured separately.
    public func setPublicBaseURL(_ url: String) {
        let base = FakeReplicate.trimmedBase(url)
        let followStream = streamBaseIsPublic.load(ordering: .acquiring)
        bases.withLock { b in
            b.api = base
            if followStream { b.stream = base }
        }
    }

    /// Sets the base of `urls.stream` (e.g. a second listener standing for Replicate's
    /// separate streaming host).
    public func setStreamBaseURL(_ url: String) {
        streamBaseIsPublic.store(false, ordering: .releasing)
        bases.withLock { $0.stream = FakeReplicate.trimmedBase(url) }
    }

    public var publicBaseURL: String { bases.withLock { $0.api } }

    /// Moves the fake clock forward: predictions progress as if `d` had passed. Lets tests
    /// step through `starting` → `processing` → terminal without waiting.
    public func advanceClock(by d: Duration) {
        skew.add(d.nanosecondsClamped, ordering: .relaxed)
    }

    /// Forgets every prediction and armed fault and zeroes the counters.
    public func reset() {
        store.removeAll()
        armedFaults.removeAll()
        counters.reset()
    }

    /// Predictions currently held (bounded by `maxPredictions`).
    public var predictionCount: Int { store.count }

    // MARK: - Internal

    var urlBases: PredictionEncoder.URLBases { bases.withLock { $0 } }

    /// The fake clock on `loop` (call on the loop thread).
    func now(on loop: EventLoop) -> UInt64 {
        loop.now &+ skew.load(ordering: .relaxed)
    }

    /// A fake-clock instant as a loop-timer deadline.
    func loopDeadline(forFakeInstant t: UInt64) -> UInt64 {
        let s = skew.load(ordering: .relaxed)
        return t > s ? t - s : 0
    }

    /// The index of `token` in the accepted list.
    func tokenIndex(_ token: Substring) -> Int? {
        configuration.tokens.firstIndex { token == $0 }
    }

    private static func trimmedBase(_ s: String) -> String {
        var t = Substring(s)
        while t.hasSuffix("/") { t = t.dropLast() }
        return String(t)
    }
}
