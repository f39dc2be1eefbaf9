/// "Did you mean …?" for unknown config keys: near-misses among the keys allowed at that level
/// (`timout` → `timeout`, `ttl` → `default_ttl`), then the same name elsewhere in the table
/// (`timeout` at the top → `upstream.timeout`); at most three. Pure.
enum KeySuggestion {
    /// The sentence to append to "unknown key '…'", or "" when nothing is close.
    /// `searchSchema: false` for user-chosen names (SKUs), where the table has nothing to offer.
    static func hint(for key: String, siblings: [String], displayParent: String, searchSchema: Bool = true) -> String {
        var paths = siblings.filter { $0 != "*" && isNearMiss(key, $0) }.map { join(displayParent, $0) }
        if searchSchema {
            for k in ConfigSchema.keys {
                let segments = k.segments
                guard let i = segments.firstIndex(where: { $0 == key }) else { continue }
                let path = segments[...i].map { $0 == "*" ? "<name>" : String($0) }.joined(separator: ".")
                if !paths.contains(path) { paths.append(path) }
            }
        }
        return paths.isEmpty ? "" : "; did you mean \(list(paths))?"
    }

    static func join(_ parent: String, _ key: String) -> String {
        parent.isEmpty ? key : "\(parent).\(key)"
    }

    private static func list(_ paths: [String]) -> String {
        let quoted = paths.prefix(3).map { "'\($0)'" }
        return quoted.count == 1 ? quoted[0] : quoted.dropLast().joined(separator: ", ") + " or " + quoted.last!
    }

    private static func isNearMiss(_ key: String, _ candidate: String) -> Bool {
        let a = Array(key.lowercased().utf8)
        let b = Array(candidate.utf8)
        if editDistance(a, b) <= max(1, min(a.count, b.count) / 3) { return true }
        // A fragment of a longer name: `ttl` for `default_ttl`, `max_body` for `max_body_size`.
        return a.count >= 3 && (candidate.contains(key) || key.contains(candidate) && b.count >= 3)
    }

    /// Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent
    /// transpositions (`listne` → `listen` is 1) each cost 1.
    static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var d = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d = min(d, previous2[j - 2] + 1) }
                current[j] = d
            }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[b.count]
    }
}
