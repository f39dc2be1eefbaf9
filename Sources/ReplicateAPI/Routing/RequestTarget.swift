import HTTPTypes

/// What a request-target names: one of Reprise's own endpoints, or a Replicate API path.
///
/// Reprise's own endpoints are recognised first, on the raw target, by exact match of the
/// path (`/metrics`, `/healthz`, `/readyz`, and `/` for the status page; any query is
/// ignored). Everything else that is origin-form is an API path (see `APIPath`). In
/// particular `/v1/metrics` is *not* Reprise's: Replicate has no such path today, but the
/// `/v1` namespace belongs to Replicate, so it is forwarded and upstream answers. The same goes
/// for `/metrics/`, `/./metrics`, `/v1/../metrics` and `/%6Detrics`: only the exact spelling is
/// ours, and since Reprise never resolves dot segments or percent-escapes, no other spelling
/// can reach an own route by accident.
///
/// Value type, `Sendable`.
public enum RequestTarget: Hashable, Sendable {
    case own(RepriseEndpoint)
    case api(APIPath)

    /// Classifies a raw request-target (path plus optional `?query`, exactly as received).
    ///
    /// - Throws: `RequestTargetError` for anything but origin-form: absolute-form
    ///   (`http://host/...`), authority-form, asterisk-form (`*`), an empty target, or bytes a
    ///   request-target may not contain (controls, space, `#`, non-ASCII).
    public static func classify(_ raw: String) throws(RequestTargetError) -> RequestTarget {
        try APIPath.validateOriginForm(raw)
        let u = raw.utf8
        let path = u[..<(u.firstIndex(of: UInt8(ascii: "?")) ?? u.endIndex)]
        if let endpoint = RepriseEndpoint(exactPath: path) {
            return .own(endpoint)
        }
        return .api(APIPath(validatedTarget: raw))
    }
}

/// Reprise's own HTTP endpoints (not forwarded). Method checks are the server's business.
public enum RepriseEndpoint: String, Hashable, Sendable, CaseIterable {
    /// `GET /metrics`: Prometheus text exposition.
    case metrics
    /// `GET /healthz`: 200 while serving.
    case healthz
    /// `GET /readyz`: 200 when Redis and config are good, else 503 with the reason.
    case readyz
    /// `GET /`: a small status page.
    case statusPage

    /// The exact path that names this endpoint.
    public var path: String {
        switch self {
        case .metrics: return "/metrics"
        case .healthz: return "/healthz"
        case .readyz: return "/readyz"
        case .statusPage: return "/"
        }
    }

    /// The length of the longest endpoint path.
    static let longestPath = allCases.map { $0.path.utf8.count }.max() ?? 0

    /// Matches raw path bytes exactly (case-sensitive, no decoding, no dot-segment removal).
    init?<C: Collection>(exactPath: C) where C.Element == UInt8 {
        // Endpoint paths are short, API paths are not: most requests are told apart by length.
        guard exactPath.count <= RepriseEndpoint.longestPath else { return nil }
        for endpoint in RepriseEndpoint.allCases where exactPath.elementsEqual(endpoint.path.utf8) {
            self = endpoint
            return
        }
        return nil
    }
}

/// Why a request-target was refused. Each case maps to a 400 answer (`problem`).
public enum RequestTargetError: Error, Hashable, Sendable {
    /// Nothing at all.
    case empty
    /// `scheme://authority/...`: a proxy request; honouring it could change the upstream host.
    case absoluteForm
    /// `*` (only meaningful for `OPTIONS` on a server, never for Replicate's API).
    case asteriskForm
    /// Does not start with `/` (e.g. authority-form `host:port`).
    case notOriginForm
    /// A byte that a request-target may not contain, at this offset.
    case invalidByte(offset: Int)

    /// The answer Reprise gives.
    public var problem: ProblemDetails {
        let detail: String
        switch self {
        case .empty: detail = "The request target is empty."
        case .absoluteForm: detail = "Absolute-form request targets are not accepted; send the path only."
        case .asteriskForm: detail = "The asterisk request target is not accepted."
        case .notOriginForm: detail = "The request target must start with '/'."
        case .invalidByte(let offset): detail = "The request target contains an invalid byte at offset \(offset)."
        }
        return ProblemDetails(status: 400, title: "Bad request", detail: detail)
    }
}
