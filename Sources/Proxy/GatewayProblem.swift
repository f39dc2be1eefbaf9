import HTTPTypes
import ReplicateAPI
import Upstream

/// The error Reprise answers with when upstream could not be reached or broke off before its
/// response head: 504 for timeouts, 502 for everything else, in Replicate's error shape. The
/// detail names the failure class only — never a URL, header or token.
enum GatewayProblem {
    static func problem(for error: UpstreamError) -> ProblemDetails {
        switch error.kind {
        case .timeout: return ReplicateErrors.gatewayTimeout
        case .connect, .refused: return ReplicateErrors.badGateway("connection failed")
        case .closed: return ReplicateErrors.badGateway("connection closed without an answer")
        case .tls: return ReplicateErrors.badGateway("TLS handshake failed")
        case .protocolError, .other, .canceled: return ReplicateErrors.badGateway("its answer could not be relayed")
        }
    }
}
