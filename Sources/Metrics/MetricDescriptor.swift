/// A metric's identity as declared once in `MetricsCatalogue`: name, kind, help and the names
/// of its labels. Value type; `Sendable`.
public struct MetricDescriptor: Sendable, Hashable {
    public enum Kind: String, Sendable {
        case counter, gauge, histogram
    }

    public let name: String
    public let kind: Kind
    public let help: String
    public let labelNames: [String]
    /// Upper bounds of histogram buckets (seconds), ascending; empty for other kinds.
    public let buckets: [Double]

    public init(name: String, kind: Kind, help: String, labelNames: [String] = [], buckets: [Double] = []) {
        precondition(kind == .histogram || buckets.isEmpty, "buckets only for histograms")
        precondition(buckets == buckets.sorted(), "buckets must ascend")
        self.name = name
        self.kind = kind
        self.help = help
        self.labelNames = labelNames
        self.buckets = buckets
    }
}

/// Which metric and which label values: the handle code increments.
///
/// Built through the typed helpers on `MetricsCatalogue` so a call site never spells a metric
/// name or a label name. `values` line up with the descriptor's `labelNames`.
public struct MetricSeries: Sendable, Hashable {
    public let metric: MetricID
    public let values: [String]

    public init(_ metric: MetricID, _ values: [String] = []) {
        precondition(values.count == metric.descriptor.labelNames.count, "label count for \(metric.descriptor.name)")
        self.metric = metric
        self.values = values
    }
}
