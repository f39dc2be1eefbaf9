import HTTPTypes
import JSONCore

/// A complete response encoded once: head (with `Content-Length`) and body.
struct StaticResponse: Sendable {
    let head: HTTPResponseHead
    let body: [UInt8]

    init(status: Int = 200, body: [UInt8], extraHeaders: [(HTTPHeaderName, String)] = []) {
        self.head = HTTPResponseHead(
            status: status, headers: JSONHeaders.make(length: body.count, rateLimitRemaining: 2999, extra: extraHeaders)
        )
        self.body = body
    }
}

/// Headers of the fake's JSON answers: content type and length, plus the rate-limit headers
/// Replicate sends (599 remaining on creates, 2999 elsewhere in the recordings).
enum JSONHeaders {
    static let rateLimitRemaining = HTTPHeaderName("ratelimit-remaining")
    static let rateLimitReset = HTTPHeaderName("ratelimit-reset")
    static let preferenceApplied = HTTPHeaderName("preference-applied")
    static let fakeFault = HTTPHeaderName("x-fake-fault")

    static func make(length: Int, rateLimitRemaining remaining: Int, extra: [(HTTPHeaderName, String)] = [])
        -> HTTPHeaders
    {
        var h = HTTPHeaders()
        h.add(.contentType, "application/json")
        h.add(.contentLength, String(length))
        h.add(rateLimitRemaining, String(remaining))
        h.add(rateLimitReset, "1")
        for (n, v) in extra { h.add(n, v) }
        return h
    }
}

/// The answers of the read-only routes, encoded once for the whole fake so that those routes
/// (and the benchmark route) cost no encoding and no allocation beyond the server's own.
/// Immutable, `Sendable`.
struct StaticResponses: Sendable {
    /// `GET /v1/fake/bench`.
    let bench: StaticResponse
    let models: [StaticResponse]
    let versions: [StaticResponse]
    let versionLists: [StaticResponse]
    let hardware: StaticResponse
    let collectionList: StaticResponse
    let collections: [StaticResponse]
    let accounts: [StaticResponse]
    let secrets: [StaticResponse]
    /// 401 with Replicate's recorded body.
    let unauthorized: StaticResponse

    init(catalogue c: ModelCatalogue, accounts: [[UInt8]], secrets: [[UInt8]]) {
        bench = StaticResponse(body: Array(#"{"ok":true,"service":"fake-replicate"}"#.utf8))
        models = c.modelJSON.map { StaticResponse(body: $0) }
        versions = c.versionJSON.map { StaticResponse(body: $0) }
        versionLists = c.versionListJSON.map { StaticResponse(body: $0) }
        hardware = StaticResponse(body: c.hardwareJSON)
        collectionList = StaticResponse(body: c.collectionListJSON)
        collections = c.collectionJSON.map { StaticResponse(body: $0) }
        self.accounts = accounts.map { StaticResponse(body: $0) }
        self.secrets = secrets.map { StaticResponse(body: $0) }
        unauthorized = StaticResponse(
            status: 401,
            body: ProblemDetails(
                status: 401, title: "Unauthenticated", detail: "You did not pass a valid authentication token"
            ).jsonBytes())
    }
}
