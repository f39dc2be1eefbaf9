import HTTPTypes
import Upstream

/// The error Reprise answers with when upstream could not be reached or broke off before its
/// response head: 504 for timeouts, 502 for everything else, in Replicate's error shape. The
/// detail names the failure class only — never a URL, header or token.
enum GatewayProblem {
    static func problem(for error: UpstreamError) -> ProblemDetails {
        switch error.kind {
        case .timeout:
            return ProblemDetails(
                status: 504, title: "Gateway timeout",
                detail: "Reprise did not get an answer from the Replicate API in time.")
        case .connect, .refused:
            return ProblemDetails(
                status: 502, title: "Bad gateway", detail: "Reprise could not connect to the Replicate API.")
        case .tls:
            return ProblemDetails(
                status: 502, title: "Bad gateway", detail: "TLS with the Replicate API failed.")
        case .protocolError, .other, .canceled:
            return ProblemDetails(
                status: 502, title: "Bad gateway", detail: "The Replicate API's answer could not be relayed.")
        }
    }
}
