import HTTPTypes
import ReplicateAPI
import Testing

@Suite struct PredictionRouteTests {
    static let table: [(HTTPMethod, String, PredictionRoute)] = [
        (.post, "/v1/predictions", .createPrediction),
        (.post, "/predictions", .createPrediction),
        (.post, "/v1/v1/predictions", .createPrediction),
        (.post, "/v1/predictions?x=1", .createPrediction),
        (.get, "/v1/predictions", .listPredictions),
        (.get, "/predictions?cursor=abc", .listPredictions),
        (.get, "/v1/predictions/gm3qorzdhgbfurvjtvhg6dckhu", .getPrediction(id: "gm3qorzdhgbfurvjtvhg6dckhu")),
        (.get, "/predictions/p1", .getPrediction(id: "p1")),
        (
            .post, "/v1/predictions/gm3qorzdhgbfurvjtvhg6dckhu/cancel",
            .cancelPrediction(id: "gm3qorzdhgbfurvjtvhg6dckhu")
        ),
        (
            .post, "/v1/models/meta/meta-llama-3-8b-instruct/predictions",
            .createModelPrediction(owner: "meta", name: "meta-llama-3-8b-instruct")
        ),
        (
            .post, "/models/black-forest-labs/flux-1.1-pro/predictions",
            .createModelPrediction(owner: "black-forest-labs", name: "flux-1.1-pro")
        ),
        (
            .post, "/v1/deployments/acme/my_deploy/predictions",
            .createDeploymentPrediction(owner: "acme", name: "my_deploy")
        ),
        (.get, "/v1/streams/abcdefghijklmnopqrstuvwxyz", .stream(token: "abcdefghijklmnopqrstuvwxyz")),
        (.get, "/streams/tok_EN-1", .stream(token: "tok_EN-1")),
        // Wrong method.
        (.get, "/v1/models/meta/llama/predictions", .passThrough),
        (.put, "/v1/predictions", .passThrough),
        (.head, "/v1/predictions/abc", .passThrough),
        (.get, "/v1/predictions/abc/cancel", .passThrough),
        (.post, "/v1/streams/abc", .passThrough),
        (.post, "/v1/predictions/abc", .passThrough),
        (.query, "/v1/models", .passThrough),
        // Other resources.
        (.get, "/v1/models/meta/llama/versions/abc", .passThrough),
        (.post, "/v1/models/o/n/versions/v/trainings", .passThrough),
        (.post, "/v1/files", .passThrough),
        (.get, "/v1/metrics", .passThrough),
        (.get, "/v1", .passThrough),
        (.get, "/v1/", .passThrough),
        // Malformed ids, owners, names: upstream answers.
        (.get, "/v1/predictions/ab%2Fc", .passThrough),
        (.get, "/v1/predictions/a.b", .passThrough),
        (.get, "/v1/predictions/" + String(repeating: "a", count: 65), .passThrough),
        (.post, "/v1/predictions/%2E%2E/cancel", .passThrough),
        (.post, "/v1/models/../x/predictions", .passThrough),
        (.post, "/v1/models/./x/predictions", .passThrough),
        (.post, "/v1/models/o/../predictions", .passThrough),
        (.post, "/v1/models/o/n%20x/predictions", .passThrough),
        (.post, "/v1/models/o:x/n/predictions", .passThrough),
        (.get, "/v1/streams/", .passThrough),
        // Empty or dot segments anywhere.
        (.post, "/v1/predictions/", .passThrough),
        (.post, "/v1//predictions", .passThrough),
        (.post, "/v1/x/../predictions", .passThrough),
        (.post, "/v1/./predictions", .passThrough),
        (.get, "/v1/predictions/abc/..", .passThrough),
    ]

    @Test(arguments: table)
    func classifies(method: HTTPMethod, target: String, expected: PredictionRoute) throws {
        let path = try APIPath(target: target)
        #expect(PredictionRoute(method: method, path: path) == expected)
    }

    @Test func labelsAreBoundedAndDeclared() {
        let routes: [PredictionRoute] = [
            .createPrediction, .createModelPrediction(owner: "a", name: "b"),
            .createDeploymentPrediction(owner: "a", name: "b"), .getPrediction(id: "x"), .cancelPrediction(id: "x"),
            .listPredictions, .stream(token: "t"), .passThrough,
        ]
        #expect(routes.map(\.label) == PredictionRoute.allLabels)
        #expect(PredictionRoute.getPrediction(id: "another").label == "get")
        #expect(PredictionRoute.passThrough.label == "other")
    }

    @Test func createRoutes() {
        #expect(PredictionRoute.createPrediction.isCreate)
        #expect(PredictionRoute.createModelPrediction(owner: "a", name: "b").isCreate)
        #expect(PredictionRoute.createDeploymentPrediction(owner: "a", name: "b").isCreate)
        #expect(!PredictionRoute.getPrediction(id: "a").isCreate)
        #expect(!PredictionRoute.passThrough.isCreate)
    }

    /// Every path of up to five segments drawn from route words, ids, dots and empties routes as
    /// the reference does (split on `/`, pass-through on any empty or dot segment, then match).
    @Test func agreesWithTheSplittingReferenceOnEveryPathOfFewSegments() throws {
        let words = ["predictions", "models", "deployments", "streams", "cancel", "p1", "Meta", "a.b", ".", "..", "", "%2E", "x y"]
        var paths = ["/v1", "/v1/"]
        var frontier = [""]
        for _ in 1...4 {
            frontier = frontier.flatMap { prefix in words.map { prefix + "/" + $0 } }
            paths += frontier.map { "/v1" + $0 }
        }
        paths += ["/v1/models/a/b/predictions/x", "/v1/predictions/p1/cancel/"]
        for path in paths where !path.contains(" ") {
            let api = try APIPath(target: path)
            for method in [HTTPMethod.get, .post] {
                #expect(PredictionRoute(method: method, path: api) == Self.reference(method, api), "\(method) \(path)")
            }
        }
    }

    /// The routing rules spelled the slow way, over `APIPath.segments`.
    static func reference(_ method: HTTPMethod, _ path: APIPath) -> PredictionRoute {
        let s = path.segments.map(String.init)
        if s.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) { return .passThrough }
        func id(_ x: String) -> String? {
            x.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D || $0 == 0x5F }
                ? x : nil
        }
        func name(_ x: String) -> String? {
            x.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D || $0 == 0x5F || $0 == 0x2E }
                ? x : nil
        }
        switch (method, s.count) {
        case (.post, 1) where s[0] == "predictions": return .createPrediction
        case (.get, 1) where s[0] == "predictions": return .listPredictions
        case (.get, 2) where s[0] == "predictions": return id(s[1]).map { .getPrediction(id: $0) } ?? .passThrough
        case (.post, 3) where s[0] == "predictions" && s[2] == "cancel":
            return id(s[1]).map { .cancelPrediction(id: $0) } ?? .passThrough
        case (.get, 2) where s[0] == "streams": return id(s[1]).map { .stream(token: $0) } ?? .passThrough
        case (.post, 4) where s[0] == "models" && s[3] == "predictions":
            guard let o = name(s[1]), let n = name(s[2]) else { return .passThrough }
            return .createModelPrediction(owner: o, name: n)
        case (.post, 4) where s[0] == "deployments" && s[3] == "predictions":
            guard let o = name(s[1]), let n = name(s[2]) else { return .passThrough }
            return .createDeploymentPrediction(owner: o, name: n)
        default: return .passThrough
        }
    }
}
