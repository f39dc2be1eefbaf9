import HTTPTypes

/// The error answers Reprise gives itself, worded like Replicate's where Replicate's wording is
/// known, in the one `ProblemDetails` shape (`{"title","detail","status"}`) that every client
/// parses (Python `ReplicateError` reads `title`, `detail`, `status`).
///
/// Upstream errors are relayed verbatim, never rebuilt from here. Stateless.
public enum ReplicateErrors {
    /// 401, exactly as Replicate words it (recorded in the Python client's
    /// `run__invalid-token.yaml` cassette).
    public static let unauthenticated = ProblemDetails(
        status: 401, title: "Unauthenticated", detail: "You did not pass a valid authentication token")

    /// 404 for a prediction id Reprise does not know (or that another token created). Neither
    /// the OpenAPI spec nor the recordings give Replicate's wording for this case; this follows
    /// the shape of its documented `{"title":"Not Found","detail":"Model not found: foo/bar"}`.
    public static func predictionNotFound(id: String) -> ProblemDetails {
        ProblemDetails(status: 404, title: "Not Found", detail: "Prediction not found: \(id)")
    }

    /// 503 when Reprise cannot look up what a stream URL stands for (Redis unreachable).
    public static let streamLookupUnavailable = ProblemDetails(
        status: 503, title: "Service Unavailable", detail: "Reprise cannot open this stream right now; retry shortly")

    /// 503 for a prediction read when Reprise could not look the id up (Redis failed or timed
    /// out) and Replicate does not know it: it may be an id Reprise made up for a hit, so "not
    /// found" would be a guess.
    public static func predictionLookupUnavailable(id: String) -> ProblemDetails {
        ProblemDetails(
            status: 503, title: "Service Unavailable", detail: "Reprise cannot look up prediction \(id) right now; retry shortly")
    }

    /// 404 for a stream token that is unknown or expired.
    public static let streamNotFound = ProblemDetails(
        status: 404, title: "Not Found", detail: "Stream not found or expired")

    /// 405 for one of Reprise's own endpoints asked with another method than GET/HEAD.
    public static let methodNotAllowed = ProblemDetails(
        status: 405, title: "Method Not Allowed", detail: "This endpoint only answers GET and HEAD")

    /// 502 when upstream could not be reached or answered with something that is not HTTP.
    /// `reason` is Reprise's short description (never an upstream body, never a header).
    public static func badGateway(_ reason: String) -> ProblemDetails {
        ProblemDetails(status: 502, title: "Bad Gateway", detail: "Replicate could not be reached: \(reason)")
    }

    /// 504 when upstream did not answer within the configured timeout.
    public static let gatewayTimeout = ProblemDetails(
        status: 504, title: "Gateway Timeout", detail: "Replicate did not answer in time")
}
