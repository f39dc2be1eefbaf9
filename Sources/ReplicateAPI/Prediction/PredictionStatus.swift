/// A prediction's `status` (OpenAPI `schemas_prediction_response`).
///
/// `aborted` (added with deadlines, 2025-10) means "terminated before it ran". The Python
/// client 1.0.7 rejects it outright (pydantic `Literal`), and the JS and Stainless clients
/// poll forever on it because their wait loops only stop on the classic three terminal
/// states (replicate-api.md §2, §11.12). So Reprise never shows it to a client:
/// `clientFacing` maps it to `canceled`. Value type, `Sendable`.
public enum PredictionStatus: String, Hashable, Sendable, CaseIterable {
    case starting
    case processing
    case succeeded
    case failed
    case canceled
    case aborted

    /// True when the prediction will not change any more (as Replicate sees it: `aborted`
    /// included).
    public var isTerminal: Bool {
        switch self {
        case .starting, .processing: return false
        case .succeeded, .failed, .canceled, .aborted: return true
        }
    }

    /// The status to put in an answer to a client: `aborted` becomes `canceled`.
    public var clientFacing: PredictionStatus {
        self == .aborted ? .canceled : self
    }
}
