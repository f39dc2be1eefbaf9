/// A fault to inject into one response, parsed from `X-Fake-Fault` (or armed through
/// `POST /_fake/faults`). Directives, `;`-separated, any order:
/// - `status=N` answer N with a Replicate-shaped error body instead of running the route;
///   `retry_after=S` adds `Retry-After: S`.
/// - `delay_ms=N` wait N ms (loop timer) after the request body before doing anything.
/// - `close` run the route, then drop the connection without sending a byte.
/// - `truncate` run the route, send the head with the full `Content-Length` and half the body,
///   then drop the connection (SSE: the head and the first event).
/// Armed faults also take `count=N` (how many requests it hits, default 1), `path=/prefix` and
/// `method=M` (which requests it hits; default all but `/_fake/…`).
/// Value type, `Sendable`.
struct FaultSpec: Sendable, Equatable {
    var status: Int?
    var retryAfter: String?
    var delayMilliseconds: Int = 0
    var close = false
    var truncate = false
    // Armed-fault selectors.
    var count = 1
    var pathPrefix: String?
    var method: String?

    /// True when the spec changes nothing about the response.
    var isEmpty: Bool { status == nil && delayMilliseconds == 0 && !close && !truncate }

    /// Parses the directives; nil with a reason when one is malformed.
    static func parse(_ text: Substring) -> Result<FaultSpec, FaultSpecError> {
        var spec = FaultSpec()
        for raw in text.split(separator: ";") {
            let part = raw.trimmingASCIISpaces()
            if part.isEmpty { continue }
            let key: Substring
            let value: Substring?
            if let eq = part.firstIndex(of: "=") {
                key = part[..<eq].trimmingASCIISpaces()
                value = part[part.index(after: eq)...].trimmingASCIISpaces()
            } else {
                key = part
                value = nil
            }
            switch (key, value) {
            case ("status", let v?):
                guard let n = Int(v), (100...599).contains(n) else { return .failure(.init(part)) }
                spec.status = n
            case ("retry_after", let v?):
                guard !v.isEmpty else { return .failure(.init(part)) }
                spec.retryAfter = String(v)
            case ("delay_ms", let v?):
                guard let n = Int(v), (0...600_000).contains(n) else { return .failure(.init(part)) }
                spec.delayMilliseconds = n
            case ("count", let v?):
                guard let n = Int(v), n > 0 else { return .failure(.init(part)) }
                spec.count = n
            case ("path", let v?):
                spec.pathPrefix = String(v)
            case ("method", let v?):
                spec.method = String(v)
            case ("close", nil):
                spec.close = true
            case ("truncate", nil):
                spec.truncate = true
            default:
                return .failure(.init(part))
            }
        }
        return .success(spec)
    }

    /// Whether an armed fault applies to this request.
    func matches(method m: String, path: Substring) -> Bool {
        if let want = method, want != m { return false }
        if let prefix = pathPrefix { return path.hasPrefix(prefix) }
        return true
    }
}

/// A malformed fault directive (answered with 400, naming it).
struct FaultSpecError: Error, Equatable {
    var directive: String
    init(_ d: Substring) { directive = String(d) }
}
