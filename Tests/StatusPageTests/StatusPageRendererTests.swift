import Metrics
import StatusPage
import Testing

@Suite struct StatusPageRendererTests {
    static let info = StatusPageInfo(version: "1.2.3", generatedAt: "2026-01-02 03:04:05 UTC", uptimeSeconds: 3_725, refreshSeconds: 10)
    static let hostile = "acme/<script>alert('x')</script>&co"

    /// Three samples 10 s apart, then "now" 4 s after the last one.
    static func fixture() -> (current: MetricsSnapshot, history: MetricsHistory, now: UInt64) {
        let s = Fixtures.second
        var history = MetricsHistory(capacity: 60, intervalNanos: 10 * s)
        history.append(Fixtures.snapshot(), at: 100 * s)
        history.append(
            Fixtures.snapshot(
                lookups: [("stability-ai/sdxl", "miss", 4), (hostile, "bypass", 2)], requests: [("create", "201", 20)],
                upstream: [0.02, 0.03]),
            at: 110 * s)
        let current = Fixtures.snapshot(
            lookups: [("stability-ai/sdxl", "hit", 12), ("stability-ai/sdxl", "miss", 4), (hostile, "bypass", 2)],
            saved: [("stability-ai/sdxl", 0.0145, 20)], requests: [("create", "201", 70), ("create", "502", 2)],
            upstream: [0.02, 0.03, 0.04, 0.8])
        history.append(current, at: 120 * s)
        return (current, history, 124 * s)
    }

    static func page(_ f: (current: MetricsSnapshot, history: MetricsHistory, now: UInt64)) -> String {
        String(decoding: StatusPageRenderer.render(current: f.current, history: f.history, now: f.now, info: info), as: UTF8.self)
    }

    @Test func rendersTheKeyFiguresWithSVGChartsAndNoScript() {
        let html = Self.page(Self.fixture())
        #expect(html.hasPrefix("<!doctype html>"))
        #expect(html.contains("<meta http-equiv=\"refresh\" content=\"10\">"))
        #expect(html.contains("v1.2.3 · up 1h 02m · 2026-01-02 03:04:05 UTC"))
        #expect(html.contains("<div class=\"value\">75%</div>"))  // 12 hits of 16 cacheable
        #expect(html.contains("12 hits of 16 cacheable creates"))
        #expect(html.contains("<div class=\"value\">$0.0145</div>"))
        #expect(html.contains("<div class=\"value\">20.0 s</div>"))  // compute saved
        #expect(html.contains("<div class=\"value\">5.20/s</div>"))  // (72 − 20) requests / 10 s
        #expect(html.contains("72 since start · 2 answered 5xx"))
        #expect(html.contains(">stability-ai/sdxl<"))
        #expect(html.ranges(of: "<svg class=\"chart\"").count == 6)
        #expect(html.contains("class=\"bar s-hit\""))
        #expect(html.contains("class=\"line s-p95\""))
        #expect(!html.lowercased().contains("<script"))
        #expect(!html.contains("Collecting data"))
    }

    @Test func escapesEveryDynamicString() {
        var info = Self.info
        info.version = "9<b>"
        let f = Self.fixture()
        let html = String(decoding: StatusPageRenderer.render(current: f.current, history: f.history, now: f.now, info: info), as: UTF8.self)
        #expect(html.contains("acme/&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;co"))
        #expect(html.contains("v9&lt;b&gt;"))
        #expect(!html.contains("<script") && !html.contains("9<b>"))
        #expect(HTMLEscaping.escape("a\"b'c<d>&\u{1}e") == "a&quot;b&#39;c&lt;d&gt;&amp;e")
    }

    @Test func sameInputSameBytesWhateverTheDictionaryOrder() {
        let a = Self.page(Self.fixture())
        // The same values built in another order (dictionaries iterate in insertion-dependent order).
        var f = Self.fixture()
        var reordered = MetricsSnapshot()
        for (k, v) in f.current.scalars.reversed() { reordered.scalars[k] = v }
        for (k, v) in f.current.histograms.reversed() { reordered.histograms[k] = v }
        f.current = reordered
        #expect(Self.page(f) == a)
        #expect(Self.page(Self.fixture()) == a)
    }

    @Test func aFreshProcessShowsPlaceholdersInsteadOfCharts() {
        var history = MetricsHistory(capacity: 60, intervalNanos: 10 * Fixtures.second)
        history.append(MetricsSnapshot(), at: 5)
        let html = String(
            decoding: StatusPageRenderer.render(current: MetricsSnapshot(), history: history, now: 6, info: Self.info), as: UTF8.self)
        #expect(html.contains("Collecting data: the first point appears 10 s after start."))
        #expect(!html.contains("<svg"))
        #expect(html.contains("Nothing yet."))
        #expect(html.contains("<div class=\"value\">–</div>"))  // no hit ratio without lookups
    }

    @Test func chartsRoundTheirAxisAndMarkEveryInterval() {
        #expect(SVGChart.niceCeiling(0) == 1)
        #expect(SVGChart.niceCeiling(0.0031) == 0.004 || SVGChart.niceCeiling(0.0031) == 0.005)
        #expect(SVGChart.niceCeiling(7) == 10 && SVGChart.niceCeiling(180) == 200 && SVGChart.niceCeiling(2.2) == 2.5)
        let s = Fixtures.second
        let axes = SVGChart.Axes(windowStart: 0, windowEnd: 20 * s, now: 20 * s, label: "x", format: DisplayFormat.count)
        let bars = SVGChart.stackedBars(
            [
                .init(start: 0, end: 10 * s, segments: [("s-hit", "hit", 3), ("s-miss", "miss", 1)]),
                .init(start: 10 * s, end: 20 * s, segments: [("s-hit", "hit", 0), ("s-miss", "miss", 0)]),
            ], axes: axes)
        #expect(bars.ranges(of: "class=\"bar ").count == 2)  // empty segments draw nothing
        #expect(bars.contains("<title>−10 s · hit 3 · miss 1</title>"))
        #expect(bars.contains(">5</text>"))  // y axis tops at 5 for a maximum of 4
        let line = SVGChart.lines(
            [SVGChart.Line(seriesClass: "s-rate", name: "r", points: [(0, 1), (10 * s, nil), (20 * s, 2)])], axes: axes)
        #expect(line.contains("d=\"M76.0,"))
        #expect(line.ranges(of: "M").count == 2)  // the nil broke the line
    }
}
