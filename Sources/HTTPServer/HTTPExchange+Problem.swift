import HTTPTypes

extension HTTPExchange {
    /// Answers with a Replicate-shaped error body and finishes the exchange.
    public func respond(problem: ProblemDetails, extraHeaders: HTTPHeaders = HTTPHeaders()) {
        var h = extraHeaders
        h.set(.contentType, "application/json")
        respond(status: problem.status, headers: h, body: problem.jsonBytes())
    }
}
