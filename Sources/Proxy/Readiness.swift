import Synchronization

/// Why Reprise is or is not ready for traffic, as `/readyz` reports it.
///
/// Components (Redis, config) set or clear their own reason; `/readyz` is 200 when there is
/// none. Threading: thread-safe; read once per `/readyz` request, written on state changes.
public final class Readiness: Sendable {
    private let reasons = Mutex<[String: String]>([:])

    public init() {}

    /// Marks `component` not ready, with a human-readable reason (no secrets).
    public func setProblem(_ component: String, _ reason: String) {
        reasons.withLock { $0[component] = reason }
    }

    public func clearProblem(_ component: String) {
        _ = reasons.withLock { $0.removeValue(forKey: component) }
    }

    /// Current problems, sorted by component for stable output.
    public var problems: [(component: String, reason: String)] {
        reasons.withLock { r in r.sorted { $0.key < $1.key }.map { (component: $0.key, reason: $0.value) } }
    }
}
