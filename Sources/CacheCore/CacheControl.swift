/// The client's `Cache-Control` directives that Reprise honours on a create (contract.md):
/// `no-cache` (skip the lookup, forward, store the result), `no-store` (skip the lookup, store
/// nothing), `max-age=N` (serve an entry only if its age ≤ N; `max-age=0` acts as `no-cache`).
///
/// Parsing is lenient the way HTTP caches are: unknown directives are ignored, names are
/// case-insensitive, a malformed `max-age` is ignored rather than failing the request, and
/// when `max-age` appears more than once the smallest wins. Pure value type.
public struct CacheControl: Sendable, Equatable {
    public var noCache = false
    public var noStore = false
    public var maxAge: Int?

    public init(noCache: Bool = false, noStore: Bool = false, maxAge: Int? = nil) {
        self.noCache = noCache
        self.noStore = noStore
        self.maxAge = maxAge
    }

    /// Parses every `Cache-Control` field value of a request.
    public init(fieldValues: [String]) {
        for value in fieldValues {
            for rawDirective in value.split(separator: ",") {
                let d = rawDirective.trimmingCharacters(in: " \t")
                let parts = d.split(separator: "=", maxSplits: 1)
                guard let name = parts.first?.lowercasedASCII() else { continue }
                switch name {
                case "no-cache": noCache = true
                case "no-store": noStore = true
                case "max-age":
                    guard parts.count == 2 else { continue }
                    var v = parts[1].trimmingCharacters(in: " \t")
                    if v.hasPrefix("\"") && v.hasSuffix("\"") && v.count >= 2 { v = v.dropFirst().dropLast() }
                    guard !v.isEmpty, v.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { continue }
                    let n = Int(v) ?? Int.max  // an absurdly large age is "any age"
                    maxAge = min(maxAge ?? Int.max, n)
                default: continue
                }
            }
        }
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> Substring {
        var s = self
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return s
    }

    fileprivate func lowercasedASCII() -> String {
        String(decoding: utf8.map { ($0 >= 0x41 && $0 <= 0x5A) ? $0 | 0x20 : $0 }, as: UTF8.self)
    }
}
