import HTTPTypes

/// What Reprise does with an API request, decided from its method and normalised path alone.
///
/// Only the prediction routes that Reprise answers or caches are named; everything else is
/// `.passThrough` and is forwarded untouched. A route whose id, owner or name falls outside
/// the safe character set (`SafeName`), or whose path has an empty or dot segment anywhere,
/// is `.passThrough` too: upstream answers it, and no such string reaches a Redis key or a log.
/// The query never changes the route (`GET /v1/predictions?cursor=…` is `.listPredictions`).
///
/// Value type, `Sendable`.
public enum PredictionRoute: Hashable, Sendable {
    /// `POST /v1/predictions` (body names a `version`).
    case createPrediction
    /// `POST /v1/models/{owner}/{name}/predictions` (official models).
    case createModelPrediction(owner: String, name: String)
    /// `POST /v1/deployments/{owner}/{name}/predictions`.
    case createDeploymentPrediction(owner: String, name: String)
    /// `GET /v1/predictions/{id}`.
    case getPrediction(id: String)
    /// `POST /v1/predictions/{id}/cancel`.
    case cancelPrediction(id: String)
    /// `GET /v1/predictions` (per-token, never cached across tokens).
    case listPredictions
    /// `GET /v1/streams/{token}`: Reprise's own relayed or replayed stream (the capability URL
    /// written into `urls.stream`; Replicate's streams live on other hosts).
    case stream(token: String)
    /// Anything else: forwarded as it came.
    case passThrough

    /// Classifies a request.
    public init(method: HTTPMethod, path: APIPath) {
        let segments = path.segments
        guard !segments.contains(where: PredictionRoute.isEmptyOrDotSegment) else {
            self = .passThrough
            return
        }
        self = PredictionRoute.match(method: method, segments: segments) ?? .passThrough
    }

    /// Bounded metric label (`reprise_http_requests_total{route=…}`).
    public var label: String {
        switch self {
        case .createPrediction: return "create"
        case .createModelPrediction: return "create_model"
        case .createDeploymentPrediction: return "create_deployment"
        case .getPrediction: return "get"
        case .cancelPrediction: return "cancel"
        case .listPredictions: return "list"
        case .stream: return "stream"
        case .passThrough: return "other"
        }
    }

    /// Every label `label` can return, for declaring the metric up front.
    public static let allLabels: [String] = [
        "create", "create_model", "create_deployment", "get", "cancel", "list", "stream", "other",
    ]

    /// True for the three create routes (the cacheable ones).
    public var isCreate: Bool {
        switch self {
        case .createPrediction, .createModelPrediction, .createDeploymentPrediction: return true
        default: return false
        }
    }

    // MARK: - Matching

    private static func match(method: HTTPMethod, segments: [Substring]) -> PredictionRoute? {
        switch (method, segments.count) {
        case (.post, 1) where segments[0] == "predictions":
            return .createPrediction
        case (.get, 1) where segments[0] == "predictions":
            return .listPredictions
        case (.get, 2) where segments[0] == "predictions":
            return identifier(segments[1]).map { .getPrediction(id: $0) }
        case (.post, 3) where segments[0] == "predictions" && segments[2] == "cancel":
            return identifier(segments[1]).map { .cancelPrediction(id: $0) }
        case (.get, 2) where segments[0] == "streams":
            return identifier(segments[1]).map { .stream(token: $0) }
        case (.post, 4) where segments[0] == "models" && segments[3] == "predictions":
            return model(segments[1], segments[2]).map { .createModelPrediction(owner: $0.0, name: $0.1) }
        case (.post, 4) where segments[0] == "deployments" && segments[3] == "predictions":
            return model(segments[1], segments[2]).map { .createDeploymentPrediction(owner: $0.0, name: $0.1) }
        default:
            return nil
        }
    }

    private static func identifier(_ s: Substring) -> String? {
        SafeName.isIdentifier(s.utf8) ? String(s) : nil
    }

    private static func model(_ owner: Substring, _ name: Substring) -> (String, String)? {
        guard SafeName.isModelComponent(owner.utf8), SafeName.isModelComponent(name.utf8) else { return nil }
        return (String(owner), String(name))
    }

    private static func isEmptyOrDotSegment(_ s: Substring) -> Bool {
        s.isEmpty || s == "." || s == ".."
    }
}
