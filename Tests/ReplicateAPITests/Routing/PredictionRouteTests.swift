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
}
