/// The row of headline cards at the top of the status page: hit ratio, money and compute
/// saved, request rate, upstream latency, live connections. Totals count since start; the
/// small print adds the history window or the latest interval. Pure.
enum StatusKPIs {
    static func render(totals: StatusFigures, window: StatusFigures?, windowLabel: String, last: MetricsInterval?) -> String {
        var s = "<section class=\"kpis\">"

        let ratio = totals.hitRatio.map(DisplayFormat.percent) ?? "–"
        var ratioSub = "\(DisplayFormat.count(totals.hits)) hits of \(DisplayFormat.count(totals.cacheableLookups)) cacheable creates"
        if let w = window?.hitRatio { ratioSub += " · \(windowLabel): \(DisplayFormat.percent(w))" }
        s += card("Hit ratio", ratio, sub: ratioSub)

        var savedSub = "since start"
        if let w = window { savedSub += " · \(windowLabel): \(DisplayFormat.usd(w.savedUSD))" }
        s += card("Dollars saved", DisplayFormat.usd(totals.savedUSD), sub: savedSub)

        s += card(
            "Compute saved", DisplayFormat.duration(totals.computeSecondsSaved),
            sub: "GPU/CPU predict time not run · \(DisplayFormat.count(totals.hits)) hits")

        let rate = last.map { DisplayFormat.rate($0.rate(StatusFigures($0.delta).requests)) } ?? "–"
        s += card(
            "Requests", rate,
            sub: "\(DisplayFormat.count(totals.requests)) since start · \(DisplayFormat.count(totals.serverErrors)) answered 5xx")

        let p50 = totals.upstreamQuantile(0.5).map(DisplayFormat.latency) ?? "–"
        let p95 = totals.upstreamQuantile(0.95).map(DisplayFormat.latency) ?? "–"
        let calls = totals.upstreamLatency?.count ?? 0
        s += card(
            "Upstream latency", "\(HTMLEscaping.escape(p50)) <small>p50</small>", rawValue: true,
            sub: "p95 \(p95) · \(DisplayFormat.count(Double(calls))) calls · \(DisplayFormat.count(totals.upstreamErrors)) failed")

        s += card(
            "Now", "\(HTMLEscaping.escape(DisplayFormat.count(totals.inflight))) <small>in flight</small>", rawValue: true,
            sub: "\(DisplayFormat.count(totals.streamsActive)) streams open · \(DisplayFormat.count(totals.redisErrors)) Redis errors")
        return s + "</section>"
    }

    /// A card; `value` is escaped unless `rawValue` says it is markup built here from numbers.
    private static func card(_ label: String, _ value: String, rawValue: Bool = false, sub: String) -> String {
        var s = "<div class=\"card kpi\"><div class=\"label\">\(HTMLEscaping.escape(label))</div>"
        s += "<div class=\"value\">\(rawValue ? value : HTMLEscaping.escape(value))</div>"
        return s + "<div class=\"sub\">\(HTMLEscaping.escape(sub))</div></div>"
    }
}
