import JSONCore

/// What one run of a model costs, from its prediction and the configured price (replicate-api.md
/// §9): time-billed models pay `metrics.predict_time` × the hardware's price per second;
/// token-priced models pay input and output token counts × their per-million prices;
/// per-output models pay a price × the number of outputs (items of a list output, else one).
/// An unpriced model costs 0 dollars but still reports its compute seconds. Pure.
public enum CostModel {
    /// How a model is priced (from `pricing.models` in the config).
    public enum Price: Sendable, Equatable {
        case perSecond(usd: Double)
        case tokens(inputPerMillion: Double, outputPerMillion: Double)
        case perOutput(usd: Double)
    }

    public struct Cost: Sendable, Equatable {
        public var usd: Double
        public var computeSeconds: Double?

        public init(usd: Double, computeSeconds: Double?) {
            self.usd = usd
            self.computeSeconds = computeSeconds
        }
    }

    public static func cost(of prediction: JSONValue, price: Price?) -> Cost {
        let metrics = prediction["metrics"]
        let seconds = metrics?["predict_time"]?.doubleValue.flatMap { $0 >= 0 ? $0 : nil }
        guard let price else { return Cost(usd: 0, computeSeconds: seconds) }
        switch price {
        case .perSecond(let usd):
            return Cost(usd: (seconds ?? 0) * usd, computeSeconds: seconds)
        case .tokens(let inPrice, let outPrice):
            let input = max(0, metrics?["input_token_count"]?.doubleValue ?? 0)
            let output = max(0, metrics?["output_token_count"]?.doubleValue ?? 0)
            return Cost(usd: (input * inPrice + output * outPrice) / 1_000_000, computeSeconds: seconds)
        case .perOutput(let usd):
            let count: Int
            switch prediction["output"] {
            case .none, .some(.null): count = 0
            case .some(.array(let items)): count = items.count
            case .some: count = 1
            }
            return Cost(usd: Double(count) * usd, computeSeconds: seconds)
        }
    }
}
