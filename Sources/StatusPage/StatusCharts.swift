/// The status page's chart cards, each a title, a legend with the totals since start, and an
/// inline SVG over the history window (or a placeholder until two samples exist).
///
/// Rates and per-interval figures come from the differences between neighbouring history
/// points; cumulative charts (money and compute saved) plot each point's own totals. Pure.
struct StatusCharts {
    let history: MetricsHistory
    let intervals: [MetricsInterval]
    let windowStart: UInt64
    let now: UInt64
    /// The newest sample: where the x axis ends.
    let windowEnd: UInt64

    init(history: MetricsHistory, intervals: [MetricsInterval], windowStart: UInt64, now: UInt64) {
        self.history = history
        self.intervals = intervals
        self.windowStart = windowStart
        self.now = now
        windowEnd = intervals.last?.endNanos ?? now
        figures = intervals.map { StatusFigures($0.delta) }
    }

    /// `StatusFigures` of each interval, parallel to `intervals`.
    private let figures: [StatusFigures]

    private static let resultClasses = StatusFigures.resultOrder.map { (result: $0, cls: "s-" + $0) }

    func lookups(totals: StatusFigures) -> String {
        let legend = Self.resultClasses.map { (cls: $0.cls, name: $0.result, value: DisplayFormat.count(totals.lookups[$0.result] ?? 0)) }
        let bars = zip(intervals, figures).map { interval, f in
            SVGChart.Bar(
                start: interval.startNanos, end: interval.endNanos,
                segments: Self.resultClasses.map { (seriesClass: $0.cls, name: $0.result, value: f.lookups[$0.result] ?? 0) })
        }
        return card(
            "Lookups by result", hint: "Prediction creates per \(intervalText), stacked by cache outcome; legend: totals since start.",
            legend: legend, chart: SVGChart.stackedBars(bars, axes: axes("Lookups by result", format: DisplayFormat.count)))
    }

    func hitRatio(totals: StatusFigures) -> String {
        let line = SVGChart.Line(
            seriesClass: "s-ratio", name: "hit ratio", points: zip(intervals, figures).map { ($0.endNanos, $1.hitRatio) })
        return card(
            "Hit ratio", hint: "Hits ÷ cacheable creates (bypass excluded) per \(intervalText).",
            legend: [("s-ratio", "since start", totals.hitRatio.map(DisplayFormat.percent) ?? "–")],
            chart: SVGChart.lines([line], axes: axes("Hit ratio", yMax: 1, format: DisplayFormat.percent)))
    }

    func savedUSD(totals: StatusFigures) -> String {
        let line = SVGChart.Line(
            seriesClass: "s-usd", name: "saved", points: history.points.map { ($0.atNanos, StatusFigures($0.snapshot).savedUSD) })
        return card(
            "Dollars saved", hint: "Cumulative US dollars not spent on Replicate (cost of the cached run × hits).",
            legend: [("s-usd", "since start", DisplayFormat.usd(totals.savedUSD))],
            chart: SVGChart.lines([line], axes: axes("Dollars saved", format: DisplayFormat.usd)))
    }

    func computeSaved(totals: StatusFigures) -> String {
        let line = SVGChart.Line(
            seriesClass: "s-compute", name: "compute saved",
            points: history.points.map { ($0.atNanos, StatusFigures($0.snapshot).computeSecondsSaved) })
        return card(
            "GPU/compute time saved", hint: "Cumulative predict_time of cached runs, priced or not.",
            legend: [("s-compute", "since start", DisplayFormat.duration(totals.computeSecondsSaved))],
            chart: SVGChart.lines([line], axes: axes("Compute seconds saved", niceUnits: [1, 60, 3600, 86_400], format: DisplayFormat.duration)))
    }

    func upstreamLatency(totals: StatusFigures) -> String {
        let quantiles: [(q: Double, cls: String, name: String)] = [(0.5, "s-p50", "p50"), (0.95, "s-p95", "p95")]
        let lines = quantiles.map { q in
            SVGChart.Line(
                seriesClass: q.cls, name: q.name, points: zip(intervals, figures).map { ($0.endNanos, $1.upstreamQuantile(q.q)) })
        }
        let legend = quantiles.map { q in (q.cls, q.name + " since start", totals.upstreamQuantile(q.q).map(DisplayFormat.latency) ?? "–") }
        return card(
            "Upstream latency", hint: "Time to Replicate's response head, estimated from the histogram buckets per \(intervalText).",
            legend: legend, chart: SVGChart.lines(lines, axes: axes("Upstream latency", format: DisplayFormat.latency)))
    }

    func requestRate(totals: StatusFigures) -> String {
        let line = SVGChart.Line(
            seriesClass: "s-rate", name: "requests", points: zip(intervals, figures).map { ($0.endNanos, $0.rate($1.requests)) })
        let errors = SVGChart.Line(
            seriesClass: "s-error", name: "5xx", points: zip(intervals, figures).map { ($0.endNanos, $0.rate($1.serverErrors)) })
        return card(
            "Request rate", hint: "Requests answered per second (every route), and those answered 5xx.",
            legend: [("s-rate", "requests since start", DisplayFormat.count(totals.requests)), ("s-error", "5xx", DisplayFormat.count(totals.serverErrors))],
            chart: SVGChart.lines([line, errors], axes: axes("Request rate", format: DisplayFormat.rate)))
    }

    // MARK: - Parts

    private var intervalText: String { DisplayFormat.span(Double(history.intervalNanos) / 1e9) }

    private func axes(
        _ label: String, yMax: Double? = nil, niceUnits: [Double] = [1], format: @escaping @Sendable (Double) -> String
    ) -> SVGChart.Axes {
        SVGChart.Axes(
            windowStart: windowStart, windowEnd: windowEnd, now: now, yMax: yMax, niceUnits: niceUnits, label: label,
            format: format)
    }

    private func card(_ title: String, hint: String, legend: [(cls: String, name: String, value: String)], chart: String) -> String {
        var s = "<div class=\"card\"><h2>\(HTMLEscaping.escape(title))</h2><p class=\"hint\">\(HTMLEscaping.escape(hint))</p>"
        s += "<div class=\"legend\">"
        for item in legend {
            s += "<span><span class=\"swatch \(HTMLEscaping.escape(item.cls))\"></span>\(HTMLEscaping.escape(item.name)) "
            s += "<b>\(HTMLEscaping.escape(item.value))</b></span>"
        }
        s += "</div>"
        if intervals.isEmpty {
            return s + "<div class=\"empty\">Collecting data: the first point appears \(HTMLEscaping.escape(intervalText)) after start.</div></div>"
        }
        return s + chart + "</div>"
    }
}
