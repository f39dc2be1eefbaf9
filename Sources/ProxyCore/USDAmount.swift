/// Dollar amounts for headers (`X-Reprise-Saved-USD`): plain decimal with up to ten places,
/// never an exponent (`0.0000131`, not `1.31e-05`), trailing zeros trimmed. Pure.
public enum USDAmount {
    public static func string(_ value: Double) -> String {
        guard value.isFinite, value > 0 else { return "0" }
        let scaled = (value * 1e10).rounded()
        guard scaled < 9e18 else { return String(Int64(value.rounded())) }
        let units = Int64(scaled)
        let whole = units / 10_000_000_000
        var frac = String(units % 10_000_000_000)
        frac = String(repeating: "0", count: 10 - frac.count) + frac
        while frac.hasSuffix("0") { frac.removeLast() }
        return frac.isEmpty ? String(whole) : "\(whole).\(frac)"
    }
}
