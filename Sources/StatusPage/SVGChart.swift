/// Inline SVG time-series charts for the status page: lines (with gaps) and stacked bars, on a
/// fixed time window that ends at "now", with a y axis rounded to a readable maximum.
///
/// Charts carry CSS classes (`line`, `bar`, `s-<series>`), never colours, so the page's
/// stylesheet themes them (light and dark). Hover tooltips are SVG `<title>` elements: no
/// script. Output is a pure function of the input, with coordinates rounded to 0.1 px. Pure.
public enum SVGChart {
    /// One line: values at instants (monotonic ns); a nil value breaks the line.
    public struct Line: Sendable {
        public var seriesClass: String
        public var name: String
        public var points: [(at: UInt64, value: Double?)]

        public init(seriesClass: String, name: String, points: [(at: UInt64, value: Double?)]) {
            self.seriesClass = seriesClass
            self.name = name
            self.points = points
        }
    }

    /// One bar spanning an interval, made of stacked segments (bottom first).
    public struct Bar: Sendable {
        public var start: UInt64
        public var end: UInt64
        public var segments: [(seriesClass: String, name: String, value: Double)]

        public init(start: UInt64, end: UInt64, segments: [(seriesClass: String, name: String, value: Double)]) {
            self.start = start
            self.end = end
            self.segments = segments
        }
    }

    /// The time window and value axis shared by a chart's marks.
    public struct Axes: Sendable {
        /// The x axis runs from `windowStart` to `windowEnd` (the newest sample); labels and
        /// tooltips say how long before `now` each instant was.
        public var windowStart: UInt64
        public var windowEnd: UInt64
        public var now: UInt64
        /// Fixed top of the y axis (e.g. 1 for ratios); nil: a readable ceiling of the data.
        public var yMax: Double?
        /// Units the readable ceiling is rounded in, the largest one not above the data
        /// (`[1, 60, 3600]` gives 5 min rather than 250 s); `[1]` for plain numbers.
        public var niceUnits: [Double]
        public var format: @Sendable (Double) -> String
        public var label: String

        public init(
            windowStart: UInt64, windowEnd: UInt64, now: UInt64, yMax: Double? = nil, niceUnits: [Double] = [1],
            label: String, format: @escaping @Sendable (Double) -> String
        ) {
            self.windowStart = windowStart
            self.windowEnd = max(windowEnd, windowStart)
            self.now = max(now, self.windowEnd)
            self.yMax = yMax
            self.niceUnits = niceUnits
            self.label = label
            self.format = format
        }

        /// The top of the y axis for data reaching `dataMax`.
        func top(for dataMax: Double) -> Double {
            if let yMax { return yMax }
            let unit = niceUnits.filter { $0 <= dataMax }.max() ?? 1
            return SVGChart.niceCeiling(dataMax / unit) * unit
        }
    }

    static let width = 600.0
    static let height = 190.0
    static let left = 76.0
    static let right = 14.0
    static let top = 12.0
    static let bottom = 24.0

    public static func lines(_ lines: [Line], axes: Axes) -> String {
        let dataMax = lines.flatMap { $0.points.compactMap(\.value) }.max() ?? 0
        let frame = Frame(axes: axes, yMax: axes.top(for: dataMax))
        var s = frame.open()
        for line in lines {
            let cls = HTMLEscaping.escape(line.seriesClass)
            var path = ""
            var pen = false
            var dots = ""
            for p in line.points where p.at >= axes.windowStart {
                guard let v = p.value else {
                    pen = false
                    continue
                }
                let (x, y) = (frame.x(p.at), frame.y(v))
                path += (pen ? "L" : "M") + coord(x) + "," + coord(y)
                pen = true
                dots += "<circle class=\"dot \(cls)\" cx=\"\(coord(x))\" cy=\"\(coord(y))\" r=\"3\"><title>"
                dots += HTMLEscaping.escape("\(line.name) \(axes.format(v)) · \(frame.ago(p.at))") + "</title></circle>"
            }
            if !path.isEmpty { s += "<path class=\"line \(cls)\" d=\"\(path)\"/>" }
            s += dots
        }
        return s + "</svg>"
    }

    public static func stackedBars(_ bars: [Bar], axes: Axes) -> String {
        let dataMax = bars.map { $0.segments.reduce(0) { $0 + $1.value } }.max() ?? 0
        let frame = Frame(axes: axes, yMax: axes.top(for: dataMax))
        var s = frame.open()
        for bar in bars where bar.start >= axes.windowStart {
            let x0 = frame.x(bar.start)
            let w = max(1, frame.x(bar.end) - x0 - 2)
            var base = 0.0
            var title = frame.ago(bar.end)
            for seg in bar.segments where seg.value > 0 {
                let (y1, y0) = (frame.y(base + seg.value), frame.y(base))
                s += "<rect class=\"bar \(HTMLEscaping.escape(seg.seriesClass))\" x=\"\(coord(x0 + 1))\" y=\"\(coord(y1))\" "
                s += "width=\"\(coord(w))\" height=\"\(coord(max(0.5, y0 - y1)))\"/>"
                base += seg.value
                title += " · \(seg.name) \(axes.format(seg.value))"
            }
            if base > 0 {
                // A transparent column over the whole bar carries the tooltip.
                s += "<rect class=\"hover\" x=\"\(coord(x0))\" y=\"\(coord(top))\" width=\"\(coord(w + 2))\" "
                s += "height=\"\(coord(height - top - bottom))\"><title>\(HTMLEscaping.escape(title))</title></rect>"
            }
        }
        return s + "</svg>"
    }

    /// The smallest of 1, 2, 2.5, 5 × 10ⁿ that is ≥ `v` (1 for nothing to show).
    public static func niceCeiling(_ v: Double) -> Double {
        guard v.isFinite, v > 0 else { return 1 }
        var p = 1.0
        while p > v { p /= 10 }
        while p * 10 <= v { p *= 10 }
        for m in [1.0, 2, 2.5, 5, 10] where m * p >= v * (1 - 1e-12) { return m * p }
        return 10 * p
    }

    static func coord(_ v: Double) -> String { DisplayFormat.fixed(v, 1, grouped: false) }

    /// Maps time and value to the plot area, and draws the grid and axis labels.
    struct Frame {
        let axes: Axes
        let yMax: Double

        var span: Double { Double(max(1, axes.windowEnd &- axes.windowStart)) }

        func x(_ t: UInt64) -> Double {
            let clamped = min(max(t, axes.windowStart), axes.windowEnd)
            return left + (width - left - right) * Double(clamped - axes.windowStart) / span
        }

        func y(_ v: Double) -> Double {
            let ratio = yMax > 0 ? min(max(v / yMax, 0), 1) : 0
            return height - bottom - (height - top - bottom) * ratio
        }

        /// How long before now `t` was, for axis labels and tooltips: `−2 min`, `−40 s`, `now`.
        func ago(_ t: UInt64) -> String {
            let seconds = Double(axes.now &- min(t, axes.now)) / 1e9
            return seconds < 0.5 ? "now" : "−" + DisplayFormat.span(seconds)
        }

        func open() -> String {
            var s = "<svg class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" "
            s += "aria-label=\"\(HTMLEscaping.escape(axes.label))\" xmlns=\"http://www.w3.org/2000/svg\">"
            for i in 0...4 {
                let v = yMax * Double(i) / 4
                let yy = coord(y(v))
                s += "<line class=\"grid\" x1=\"\(coord(left))\" x2=\"\(coord(width - right))\" y1=\"\(yy)\" y2=\"\(yy)\"/>"
                if i % 2 == 0 {
                    s += "<text class=\"ylabel\" x=\"\(coord(left - 8))\" y=\"\(coord(y(v) + 4))\">"
                    s += HTMLEscaping.escape(axes.format(v)) + "</text>"
                }
            }
            let labels = [
                (0.0, ago(axes.windowStart), "start"), (0.5, ago(axes.windowStart + (axes.windowEnd - axes.windowStart) / 2), "middle"),
                (1.0, ago(axes.windowEnd), "end"),
            ]
            for (fraction, text, anchor) in labels {
                let xx = left + (width - left - right) * fraction
                s += "<text class=\"xlabel\" x=\"\(coord(xx))\" y=\"\(coord(height - 6))\" text-anchor=\"\(anchor)\">\(HTMLEscaping.escape(text))</text>"
            }
            return s
        }
    }
}
