/// The config file's duration syntax: `500ms`, `30s`, `5m`, `24h`, `7d`, and combinations such as
/// `1h30m`, read into the standard library's `Duration`.
///
/// Rules: whole numbers only; units `ms s m h d`, each at most once, largest first; `0s` is a
/// valid duration (each key decides whether zero makes sense). A bare number is refused with a
/// hint (`write 30s`), because "30" could mean seconds or milliseconds depending on whom you ask.
/// Pure; thread-safe.
public enum DurationSyntax {
    private static let units: [(name: String, milliseconds: Int64)] = [
        ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1),
    ]
    /// Unit indices, longest name first, so that `ms` is tried before `m`.
    private static let longestFirst = units.indices.sorted { units[$0].name.count > units[$1].name.count }
    private static let examples = "e.g. 500ms, 30s, 5m, 1h30m, 7d"

    public static func parse(_ text: String) throws(ConfigValueError) -> Duration {
        if ValueText.isDigits(text) {
            throw ConfigValueError("\(ValueText.quoted(text)) has no unit; write \(text)s (or \(text)ms)")
        }
        let bytes = Array(text.utf8)
        var index = 0
        var total: Int64 = 0
        var lastRank = units.count  // units[rank]; each next one must have a larger rank
        guard !bytes.isEmpty else { throw notADuration(text) }
        while index < bytes.count {
            var number: Int64 = 0
            let start = index
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                let (times10, o1) = number.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(Int64(bytes[index] - UInt8(ascii: "0")))
                guard !o1, !o2 else { throw tooLong(text) }
                number = sum
                index += 1
            }
            guard index > start else { throw notADuration(text) }
            let rank = unitRank(bytes, at: &index)
            guard let rank else {
                if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                    throw ConfigValueError(
                        "\(ValueText.quoted(text)) is not a duration: fractions are not supported (write 1h30m, 1500ms)"
                    )
                }
                throw notADuration(text)
            }
            if lastRank < units.count, rank <= lastRank {
                throw ConfigValueError(
                    "\(ValueText.quoted(text)) is not a duration: give each unit once, largest first (e.g. 1h30m)")
            }
            lastRank = rank
            let (part, o1) = number.multipliedReportingOverflow(by: units[rank].milliseconds)
            let (sum, o2) = total.addingReportingOverflow(part)
            guard !o1, !o2 else { throw tooLong(text) }
            total = sum
        }
        return .milliseconds(total)
    }

    /// The shortest spelling of `duration` in this syntax (`90s` → `1m30s`); sub-millisecond
    /// parts are dropped. `parse(format(d)) == d` for every parsed duration.
    public static func format(_ duration: Duration) -> String {
        var remaining = milliseconds(duration)
        guard remaining > 0 else { return remaining == 0 ? "0s" : "\(remaining)ms" }  // never parsed
        var out = ""
        for unit in units where remaining >= unit.milliseconds {
            out += "\(remaining / unit.milliseconds)\(unit.name)"
            remaining %= unit.milliseconds
        }
        return out
    }

    /// Whole milliseconds in `duration` (truncated toward zero).
    public static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds &* 1000 &+ attoseconds / 1_000_000_000_000_000
    }

    /// Reads a unit name at `index`; returns its rank in `units` and moves past it.
    private static func unitRank(_ bytes: [UInt8], at index: inout Int) -> Int? {
        let rest = bytes[index...]
        for rank in longestFirst where rest.starts(with: units[rank].name.utf8) {
            index += units[rank].name.utf8.count
            return rank
        }
        return nil
    }

    private static func notADuration(_ text: String) -> ConfigValueError {
        ConfigValueError("\(ValueText.quoted(text)) is not a duration; write \(examples)")
    }

    private static func tooLong(_ text: String) -> ConfigValueError {
        ConfigValueError("\(ValueText.quoted(text)) is too long a duration")
    }
}
