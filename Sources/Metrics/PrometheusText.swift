/// Renders a snapshot in the Prometheus text exposition format (version 0.0.4).
///
/// Every declared metric gets its `# HELP` and `# TYPE` lines even before it has a value, so
/// dashboards and alerts can reference it from the start. Series are sorted by label values
/// for stable output (tests compare the whole text). Histogram buckets are cumulative, with
/// `+Inf`, `_sum` and `_count`. Pure.
public enum PrometheusText {
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public static func render(_ snapshot: MetricsSnapshot, extraGauges: [(MetricSeries, Double)] = []) -> String {
        var scalars = snapshot.scalars
        for (series, value) in extraGauges { scalars[series, default: 0] += value }
        var out = ""
        for id in MetricID.allCases {
            let d = id.descriptor
            out += "# HELP \(d.name) \(escapeHelp(d.help))\n# TYPE \(d.name) \(d.kind.rawValue)\n"
            switch d.kind {
            case .counter, .gauge:
                let series = scalars.filter { $0.key.metric == id }.sorted { $0.key.values.lexicographicallyPrecedes($1.key.values) }
                if series.isEmpty && d.labelNames.isEmpty {
                    out += "\(d.name) 0\n"
                }
                for (s, v) in series {
                    out += "\(d.name)\(labels(d.labelNames, s.values)) \(format(v))\n"
                }
            case .histogram:
                let series = snapshot.histograms.filter { $0.key.metric == id }.sorted {
                    $0.key.values.lexicographicallyPrecedes($1.key.values)
                }
                for (s, h) in series {
                    var cumulative: UInt64 = 0
                    for (i, bound) in d.buckets.enumerated() {
                        cumulative += h.counts[i]
                        out += "\(d.name)_bucket\(labels(d.labelNames + ["le"], s.values + [format(bound)])) \(cumulative)\n"
                    }
                    out += "\(d.name)_bucket\(labels(d.labelNames + ["le"], s.values + ["+Inf"])) \(h.count)\n"
                    out += "\(d.name)_sum\(labels(d.labelNames, s.values)) \(format(h.sum))\n"
                    out += "\(d.name)_count\(labels(d.labelNames, s.values)) \(h.count)\n"
                }
            }
        }
        return out
    }

    static func labels(_ names: [String], _ values: [String]) -> String {
        guard !names.isEmpty else { return "" }
        var s = "{"
        for (i, n) in names.enumerated() {
            if i > 0 { s += "," }
            s += n + "=\"" + escapeLabel(values[i]) + "\""
        }
        return s + "}"
    }

    static func escapeLabel(_ v: String) -> String {
        var s = ""
        for c in v {
            switch c {
            case "\\": s += "\\\\"
            case "\"": s += "\\\""
            case "\n": s += "\\n"
            default: s.append(c)
            }
        }
        return s
    }

    static func escapeHelp(_ v: String) -> String {
        v.replacingBackslashesAndNewlines()
    }

    /// Integers without a decimal point; other values in Swift's shortest round-trip form.
    static func format(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e15 { return String(Int64(v)) }
        return String(v)
    }
}

extension String {
    fileprivate func replacingBackslashesAndNewlines() -> String {
        var s = ""
        for c in self {
            switch c {
            case "\\": s += "\\\\"
            case "\n": s += "\\n"
            default: s.append(c)
            }
        }
        return s
    }
}
