import Metrics

/// What the page says about the process itself, supplied by the caller so that rendering
/// stays a pure function (no clock, no globals). Value type.
public struct StatusPageInfo: Sendable {
    public var version: String
    /// When the page was generated, already formatted (e.g. an ISO-8601 UTC timestamp).
    public var generatedAt: String
    /// Seconds since the process started serving, if known.
    public var uptimeSeconds: Double?
    /// The `<meta http-equiv="refresh">` period; 0 turns reloading off.
    public var refreshSeconds: Int

    public init(version: String, generatedAt: String, uptimeSeconds: Double? = nil, refreshSeconds: Int = 10) {
        self.version = version
        self.generatedAt = generatedAt
        self.uptimeSeconds = uptimeSeconds
        self.refreshSeconds = refreshSeconds
    }
}

/// Renders `GET /`: a self-contained HTML page (inline CSS and SVG, no script) with headline
/// figures since start, charts over the history window, and the top models.
///
/// Pure and deterministic: the same snapshot, history, `now` and info give the same bytes
/// (series are ordered explicitly, never by dictionary order). Every dynamic string is
/// escaped. `now` is the monotonic instant (ns) the history's times are measured against.
public enum StatusPageRenderer {
    public static let contentType = "text/html; charset=utf-8"
    static let topModelCount = 10

    public static func render(current: MetricsSnapshot, history: MetricsHistory, now: UInt64, info: StatusPageInfo) -> [UInt8] {
        let totals = StatusFigures(current)
        let intervals = history.intervals
        // The charts span the history, oldest to newest sample: a young process (whose
        // oldest sample is its start) gets full-width charts too.
        let oldest = history.points.first
        let windowStart = min(oldest?.atNanos ?? now, now)
        var windowFigures: StatusFigures?
        if let oldest, intervals.count > 0 {
            windowFigures = StatusFigures(MetricsInterval.difference(current, minus: oldest.snapshot))
        }
        let windowLabel = "last " + DisplayFormat.span(Double(now &- windowStart) / 1e9)

        var h = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        if info.refreshSeconds > 0 { h += "<meta http-equiv=\"refresh\" content=\"\(info.refreshSeconds)\">" }
        h += "<title>Reprise status</title><style>\(StatusPageStyle.css)</style></head><body>"
        h += header(info)
        h += "<main>"
        h += StatusKPIs.render(totals: totals, window: windowFigures, windowLabel: windowLabel, last: intervals.last)
        h += "<section class=\"charts\">"
        let charts = StatusCharts(history: history, intervals: intervals, windowStart: windowStart, now: now)
        h += charts.lookups(totals: totals)
        h += charts.hitRatio(totals: totals)
        h += charts.savedUSD(totals: totals)
        h += charts.computeSaved(totals: totals)
        h += charts.upstreamLatency(totals: totals)
        h += charts.requestRate(totals: totals)
        h += "</section><section class=\"tables\">"
        h += modelTable(
            title: "Top models by lookups", hint: "Prediction creates since start, by configured model.",
            rows: totals.topModels(by: [\.lookups, \.hits], limit: topModelCount), meterOf: \.lookups, meterClass: "s-rate",
            columns: [
                ("Lookups", { DisplayFormat.count($0.lookups) }), ("Hits", { DisplayFormat.count($0.hits) }),
                ("Hit ratio", { $0.lookups > 0 ? DisplayFormat.percent($0.hits / $0.lookups) : "–" }),
            ])
        h += modelTable(
            title: "Top models by savings", hint: "Dollars and model compute time not spent, since start.",
            rows: totals.topModels(by: [\.savedUSD, \.computeSecondsSaved], limit: topModelCount),
            meterOf: \.savedUSD, meterClass: "s-usd",
            columns: [
                ("Saved", { DisplayFormat.usd($0.savedUSD) }), ("Compute", { DisplayFormat.duration($0.computeSecondsSaved) }),
                ("Hits", { DisplayFormat.count($0.hits) }),
            ])
        h += "</section>"
        h += "<footer>Machine-readable: <a href=\"/metrics\">/metrics</a> (Prometheus) · <a href=\"/healthz\">/healthz</a> · "
        h += "<a href=\"/readyz\">/readyz</a>. Charts show up to the last "
        h += "\(HTMLEscaping.escape(DisplayFormat.span(Double(history.windowNanos) / 1e9))), one point every "
        h += "\(HTMLEscaping.escape(DisplayFormat.span(Double(history.intervalNanos) / 1e9))), kept in memory; "
        h += "totals count since this process started.</footer>"
        h += "</main></body></html>\n"
        return Array(h.utf8)
    }

    static func header(_ info: StatusPageInfo) -> String {
        var meta = "v" + info.version
        if let up = info.uptimeSeconds { meta += " · up " + DisplayFormat.duration(up) }
        meta += " · " + info.generatedAt
        if info.refreshSeconds > 0 { meta += " · refreshes every \(info.refreshSeconds) s" }
        return "<header><h1>Reprise <span>status</span></h1><div class=\"meta\">\(HTMLEscaping.escape(meta))</div></header>"
    }

    typealias Column = (title: String, value: (StatusFigures.ModelFigures) -> String)

    static func modelTable(
        title: String, hint: String, rows: [(name: String, figures: StatusFigures.ModelFigures)],
        meterOf: (StatusFigures.ModelFigures) -> Double, meterClass: String, columns: [Column]
    ) -> String {
        var s = "<div class=\"card\"><h2>\(HTMLEscaping.escape(title))</h2><p class=\"hint\">\(HTMLEscaping.escape(hint))</p>"
        guard !rows.isEmpty else { return s + "<div class=\"none\">Nothing yet.</div></div>" }
        s += "<table><thead><tr><th>Model</th>"
        for c in columns { s += "<th class=\"num\">\(HTMLEscaping.escape(c.title))</th>" }
        s += "</tr></thead><tbody>"
        let top = rows.map { meterOf($0.figures) }.max() ?? 0
        for row in rows {
            let share = top > 0 ? meterOf(row.figures) / top : 0
            s += "<tr><td class=\"model\">\(HTMLEscaping.escape(row.name))"
            s += "<div class=\"meter \(meterClass)\"><i style=\"width:\(DisplayFormat.fixed(share * 100, 1, grouped: false))%\"></i></div></td>"
            for c in columns { s += "<td class=\"num\">\(HTMLEscaping.escape(c.value(row.figures)))</td>" }
            s += "</tr>"
        }
        return s + "</tbody></table></div>"
    }
}
