/// Numbers as people read them on the status page: dollars with sensible precision, grouped
/// counts, percentages, durations and rates. No Foundation (`String(format:)` is Foundation's)
/// and no locale: the page reads the same on every machine, which keeps the renderer
/// deterministic. Pure.
public enum DisplayFormat {
    /// `v` rounded to `decimals` places, with thousands grouped by commas (`1,234.50`).
    public static func fixed(_ v: Double, _ decimals: Int, grouped: Bool = true) -> String {
        guard v.isFinite else { return "–" }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(v) * scale).rounded()
        guard scaled < 9e15 else { return v < 0 ? "-∞" : "∞" }
        let n = UInt64(scaled)
        let unit = UInt64(scale)
        let whole = n / unit
        var s = scaled == 0 || v > 0 ? "" : "-"
        s += grouped ? group(whole) : String(whole)
        if decimals > 0 {
            let frac = String(n % unit)
            s += "." + String(repeating: "0", count: decimals - frac.count) + frac
        }
        return s
    }

    /// Digits of `n` in groups of three.
    public static func group(_ n: UInt64) -> String {
        let digits = Array(String(n))
        var s = ""
        for (i, d) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { s += "," }
            s.append(d)
        }
        return s
    }

    /// US dollars: cents from $1 up, up to four decimals below, and two significant digits
    /// for amounts under a tenth of a cent (a cached token-priced call saves millionths).
    /// Zeros past the cents are dropped (`$0.003`, `$0.1553`, `$12.50`).
    public static func usd(_ v: Double) -> String {
        guard v.isFinite else { return "–" }
        let a = abs(v)
        if a == 0 { return "$0.00" }
        let sign = v < 0 ? "-" : ""
        if a >= 1 { return sign + "$" + fixed(a, 2) }
        var decimals = 4
        var threshold = 0.001
        while a < threshold && decimals < 10 {
            threshold /= 10
            decimals += 1
        }
        var digits = fixed(a, decimals)
        while digits.hasSuffix("0") && digits.count > 4 { digits.removeLast() }
        return sign + "$" + digits
    }

    /// A ratio 0...1 as a percentage with one decimal, dropped when it is 0 (`87.5%`, `50%`).
    public static func percent(_ ratio: Double) -> String {
        guard ratio.isFinite else { return "–" }
        let text = fixed(ratio * 100, 1)
        return (text.hasSuffix(".0") ? String(text.dropLast(2)) : text) + "%"
    }

    /// A count: grouped digits below 100,000 (`12,345`), compact above (`123.4k`, `4.56M`).
    public static func count(_ v: Double) -> String {
        guard v.isFinite else { return "–" }
        if abs(v) < 100_000 { return fixed(v, v == v.rounded() ? 0 : 1) }
        if abs(v) < 1e6 { return fixed(v / 1e3, 1) + "k" }
        if abs(v) < 1e9 { return fixed(v / 1e6, 2) + "M" }
        return fixed(v / 1e9, 2) + "G"
    }

    /// Events per second: two decimals under 10/s, one under 100/s, whole numbers above.
    public static func rate(_ perSecond: Double) -> String {
        guard perSecond.isFinite else { return "–" }
        if perSecond == 0 { return "0/s" }
        if perSecond < 10 { return fixed(perSecond, 2) + "/s" }
        if perSecond < 100 { return fixed(perSecond, 1) + "/s" }
        return fixed(perSecond, 0) + "/s"
    }

    /// A latency: µs below a millisecond, ms below a second, then seconds and minutes
    /// (`250 µs`, `4.20 ms`, `12.5 ms`, `250 ms`, `1.24 s`, `2m 05s`).
    public static func latency(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "–" }
        if seconds == 0 { return "0 ms" }
        if seconds < 0.001 { return fixed(seconds * 1e6, 0) + " µs" }
        if seconds < 0.01 { return fixed(seconds * 1e3, 2) + " ms" }
        if seconds < 0.1 { return fixed(seconds * 1e3, 1) + " ms" }
        if seconds < 1 { return fixed(seconds * 1e3, 0) + " ms" }
        if seconds < 60 { return fixed(seconds, 2) + " s" }
        return duration(seconds)
    }

    /// A span of time for totals such as compute saved or uptime: `42.5 s`, `3m 20s`,
    /// `5h 07m`, `2d 4h`.
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "–" }
        if seconds == 0 { return "0 s" }
        if seconds < 60 { return fixed(seconds, seconds < 10 ? 2 : 1, grouped: false) + " s" }
        let total = UInt64(seconds.rounded())
        let (d, h, m, s) = (total / 86_400, total % 86_400 / 3600, total % 3600 / 60, total % 60)
        if d > 0 { return "\(group(d))d \(h)h" }
        if h > 0 { return "\(h)h \(pad2(m))m" }
        return "\(m)m \(pad2(s))s"
    }

    /// A rounded span for prose: `10 s`, `4 min`, `3 h`.
    public static func span(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "–" }
        if seconds < 90 { return fixed(seconds, 0) + " s" }
        if seconds < 5400 { return fixed(seconds / 60, 0) + " min" }
        return fixed(seconds / 3600, 0) + " h"
    }

    private static func pad2(_ v: UInt64) -> String { v < 10 ? "0\(v)" : "\(v)" }
}
