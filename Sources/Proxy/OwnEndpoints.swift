import HTTPServer
import HTTPTypes
import JSONCore
import ReplicateAPI

/// Answers Reprise's own endpoints. `/healthz`: 200 while the process serves. `/readyz`: 200
/// when no component reports a problem, else 503 naming each reason (contract.md).
enum OwnEndpoints {
    static func answer(_ endpoint: RepriseEndpoint, exchange: any HTTPExchange, readiness: Readiness) {
        guard exchange.head.method == .get || exchange.head.method == .head else {
            exchange.respond(problem: ReplicateErrors.methodNotAllowed, extraHeaders: ["allow": "GET, HEAD"])
            return
        }
        var headers = HTTPHeaders()
        headers.add(.contentType, "application/json")
        headers.add(.cacheControl, "no-store")
        switch endpoint {
        case .healthz:
            var o = JSONObjectWriter()
            o.field("status", "ok")
            exchange.respond(status: 200, headers: headers, body: o.finish())
        case .readyz:
            let problems = readiness.problems
            var o = JSONObjectWriter()
            o.field("status", problems.isEmpty ? "ready" : "not ready")
            var reasons = JSONWriter()
            reasons.raw("{")
            for (i, p) in problems.enumerated() {
                if i > 0 { reasons.raw(",") }
                reasons.string(p.component)
                reasons.raw(":")
                reasons.string(p.reason)
            }
            reasons.raw("}")
            o.rawField("reasons", json: reasons.bytes)
            exchange.respond(status: problems.isEmpty ? 200 : 503, headers: headers, body: o.finish())
        case .metrics, .statusPage:
            // Served once the metrics module lands; until then say so plainly.
            exchange.respond(
                problem: ProblemDetails(status: 404, title: "Not found", detail: "This Reprise build has no \(endpoint.path) endpoint."))
        }
    }
}
