import HTTPServer
import HTTPTypes
import JSONCore

/// The bodies of Reprise's health endpoints (method checks are done by the caller).
/// `/healthz`: 200 while the process serves. `/readyz`: 200 when no component reports a
/// problem, else 503 naming each reason (contract.md).
enum OwnEndpoints {
    static func healthz(_ exchange: any HTTPExchange) {
        var o = JSONObjectWriter()
        o.field("status", "ok")
        exchange.respond(status: 200, headers: jsonHeaders, body: o.finish())
    }

    static func readyz(_ exchange: any HTTPExchange, readiness: Readiness) {
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
        exchange.respond(status: problems.isEmpty ? 200 : 503, headers: jsonHeaders, body: o.finish())
    }

    private static var jsonHeaders: HTTPHeaders {
        var headers = HTTPHeaders()
        headers.add(.contentType, "application/json")
        headers.add(.cacheControl, "no-store")
        return headers
    }
}
