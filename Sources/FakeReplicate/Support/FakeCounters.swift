import JSONCore
import Synchronization

/// What the fake counts, so tests can assert on upstream traffic ("exactly one create").
public enum FakeCounter: Int, CaseIterable, Sendable {
    /// Every request except the `/_fake/…` control routes.
    case requests
    case unauthorized
    case createPrediction
    case createModelPrediction
    case createDeploymentPrediction
    case getPrediction
    case cancelPrediction
    case listPredictions
    case streamOpen
    case account
    case getModel
    case getVersion
    case listVersions
    case listModels
    case searchModels
    case hardware
    case collections
    case webhookSecret
    case fileUpload
    case delivery
    case bench
    case notFound
    /// Requests answered by an injected fault (header or armed).
    case faults

    /// Name in the `GET /_fake/counters` JSON.
    public var jsonName: String {
        switch self {
        case .requests: return "requests"
        case .unauthorized: return "unauthorized"
        case .createPrediction: return "predictions"
        case .createModelPrediction: return "models"
        case .createDeploymentPrediction: return "deployments"
        case .getPrediction: return "gets"
        case .cancelPrediction: return "cancels"
        case .listPredictions: return "lists"
        case .streamOpen: return "stream_opens"
        case .account: return "accounts"
        case .getModel: return "model_gets"
        case .getVersion: return "version_gets"
        case .listVersions: return "version_lists"
        case .listModels: return "model_lists"
        case .searchModels: return "model_searches"
        case .hardware: return "hardware"
        case .collections: return "collections"
        case .webhookSecret: return "webhook_secrets"
        case .fileUpload: return "file_uploads"
        case .delivery: return "deliveries"
        case .bench: return "bench"
        case .notFound: return "not_found"
        case .faults: return "faults"
        }
    }

    var isCreate: Bool {
        self == .createPrediction || self == .createModelPrediction || self == .createDeploymentPrediction
    }
}

/// Request counters of the whole fake, shared by every loop's responder.
///
/// One short mutex section per request; per-token figures are kept by token index (never by
/// token). Threading: every method is thread-safe.
public final class FakeCounters: Sendable {
    private struct State {
        var values = [Int](repeating: 0, count: FakeCounter.allCases.count)
        var requestsByToken: [Int]
        var createsByToken: [Int]
    }

    private let state: Mutex<State>
    private let tokenCount: Int

    init(tokenCount: Int) {
        self.tokenCount = tokenCount
        state = Mutex(
            State(
                requestsByToken: [Int](repeating: 0, count: tokenCount),
                createsByToken: [Int](repeating: 0, count: tokenCount)))
    }

    func increment(_ c: FakeCounter, token: Int? = nil) {
        state.withLock { s in
            s.values[c.rawValue] &+= 1
            if let t = token, c.isCreate { s.createsByToken[t] &+= 1 }
        }
    }

    /// Counts a request and, when it carried a valid token, the token's request; and, when
    /// given, the route's counter in the same lock section.
    func countRequest(token: Int?, route: FakeCounter? = nil) {
        state.withLock { s in
            s.values[FakeCounter.requests.rawValue] &+= 1
            if let t = token { s.requestsByToken[t] &+= 1 }
            if let c = route {
                s.values[c.rawValue] &+= 1
                if let t = token, c.isCreate { s.createsByToken[t] &+= 1 }
            }
        }
    }

    public func value(_ c: FakeCounter) -> Int {
        state.withLock { $0.values[c.rawValue] }
    }

    /// Creates through any of the three create routes.
    public var creates: Int {
        value(.createPrediction) + value(.createModelPrediction) + value(.createDeploymentPrediction)
    }

    public func reset() {
        state.withLock { s in
            s = State(
                requestsByToken: [Int](repeating: 0, count: tokenCount),
                createsByToken: [Int](repeating: 0, count: tokenCount))
        }
    }

    /// The `GET /_fake/counters` body: flat counters, `creates` by route with a total, and
    /// `by_token` (index in the configured token list, requests, creates).
    public func jsonBytes() -> [UInt8] {
        let s = state.withLock { $0 }
        var o = JSONObjectWriter(capacity: 1024)
        var creates = JSONObjectWriter(capacity: 96)
        var total = 0
        for c in FakeCounter.allCases {
            if c.isCreate {
                creates.field(c.jsonName, s.values[c.rawValue])
                total += s.values[c.rawValue]
            } else {
                o.field(c.jsonName, s.values[c.rawValue])
            }
        }
        creates.field("total", total)
        o.rawField("creates", json: creates.finish())
        var list = JSONWriter(capacity: 64 * tokenCount + 2)
        list.raw("[")
        for t in 0..<tokenCount {
            if t > 0 { list.raw(",") }
            var e = JSONObjectWriter(capacity: 64)
            e.field("token_index", t)
            e.field("requests", s.requestsByToken[t])
            e.field("creates", s.createsByToken[t])
            list.raw(bytes: e.finish())
        }
        list.raw("]")
        o.rawField("by_token", json: list.bytes)
        return o.finish()
    }
}
