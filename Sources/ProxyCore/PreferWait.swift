import HTTPTypes

/// The `Prefer: wait[=N]` header of a create (replicate-api.md §1.4, §3): the client holds the
/// request open up to N seconds (default 60, at most 60) for a finished prediction. Pure.
public enum PreferWait {
    /// Seconds the client is willing to wait, or nil when it did not ask to wait.
    public static func seconds(_ values: [String]) -> Int? {
        for value in values {
            for part in value.split(separator: ",") {
                let p = part.trimmingASCIISpaces()
                if p == "wait" { return 60 }
                if p.hasPrefix("wait=") {
                    guard let n = Int(p.dropFirst(5)), n >= 1 else { return nil }
                    return min(n, 60)
                }
            }
        }
        return nil
    }
}
