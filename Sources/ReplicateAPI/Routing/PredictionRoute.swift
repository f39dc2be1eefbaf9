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

    /// Classifies a request. Walks the path's bytes once, without making a `Substring` per
    /// segment (this runs for every request).
    public init(method: HTTPMethod, path: APIPath) {
        self = path.path.utf8.withContiguousStorageIfAvailable {
            PredictionRoute.classify(method: method, path: UnsafeRawBufferPointer($0))
        } ?? Array(path.path.utf8).withUnsafeBytes { PredictionRoute.classify(method: method, path: $0) }
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

    /// `path` is `/v1` followed by nothing, or by `/` and the segments.
    private static func classify(method: HTTPMethod, path: UnsafeRawBufferPointer) -> PredictionRoute {
        guard path.count > 3 else { return .passThrough }
        var segments = SegmentBounds()
        var start = 4
        while true {
            var end = start
            while end < path.count && path[end] != UInt8(ascii: "/") { end += 1 }
            // Empty and dot segments anywhere make the whole path pass-through.
            let length = end - start
            if length == 0 || (length <= 2 && path[start] == UInt8(ascii: ".") && path[end - 1] == UInt8(ascii: ".")) {
                return .passThrough
            }
            guard segments.append(start..<end) else { return .passThrough }
            guard end < path.count else { break }
            start = end + 1
        }
        return match(method: method, count: segments.count) { UnsafeRawBufferPointer(rebasing: path[segments[$0]]) }
            ?? .passThrough
    }

    private static func match(
        method: HTTPMethod, count: Int, segment: (Int) -> UnsafeRawBufferPointer
    ) -> PredictionRoute? {
        switch (method, count) {
        case (.post, 1) where equals(segment(0), "predictions"):
            return .createPrediction
        case (.get, 1) where equals(segment(0), "predictions"):
            return .listPredictions
        case (.get, 2) where equals(segment(0), "predictions"):
            return identifier(segment(1)).map { .getPrediction(id: $0) }
        case (.post, 3) where equals(segment(0), "predictions") && equals(segment(2), "cancel"):
            return identifier(segment(1)).map { .cancelPrediction(id: $0) }
        case (.get, 2) where equals(segment(0), "streams"):
            return identifier(segment(1)).map { .stream(token: $0) }
        case (.post, 4) where equals(segment(0), "models") && equals(segment(3), "predictions"):
            return model(segment(1), segment(2)).map { .createModelPrediction(owner: $0.0, name: $0.1) }
        case (.post, 4) where equals(segment(0), "deployments") && equals(segment(3), "predictions"):
            return model(segment(1), segment(2)).map { .createDeploymentPrediction(owner: $0.0, name: $0.1) }
        default:
            return nil
        }
    }

    private static func equals(_ bytes: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        literal.withUTF8Buffer { bytes.elementsEqual($0) }
    }

    private static func identifier(_ s: UnsafeRawBufferPointer) -> String? {
        SafeName.isIdentifier(s) ? String(decoding: s, as: UTF8.self) : nil
    }

    private static func model(_ owner: UnsafeRawBufferPointer, _ name: UnsafeRawBufferPointer) -> (String, String)? {
        guard SafeName.isModelComponent(owner), SafeName.isModelComponent(name) else { return nil }
        return (String(decoding: owner, as: UTF8.self), String(decoding: name, as: UTF8.self))
    }
}

/// Where the segments of a routable path are: at most four (no route has more), kept inline.
private struct SegmentBounds {
    private var first = 0..<0, second = 0..<0, third = 0..<0, fourth = 0..<0
    private(set) var count = 0

    /// False when the path has more segments than any route.
    mutating func append(_ bounds: Range<Int>) -> Bool {
        switch count {
        case 0: first = bounds
        case 1: second = bounds
        case 2: third = bounds
        case 3: fourth = bounds
        default: return false
        }
        count += 1
        return true
    }

    subscript(i: Int) -> Range<Int> {
        switch i {
        case 0: return first
        case 1: return second
        case 2: return third
        default: return fourth
        }
    }
}
