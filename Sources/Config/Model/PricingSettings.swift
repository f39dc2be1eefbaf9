/// `pricing.*`: list prices, so that a cache hit can be counted as money saved. Value type.
public struct PricingSettings: Sendable, Equatable {
    /// `pricing.hardware`: SKU → USD per second of `predict_time`.
    public var hardware: [String: Double]
    /// `pricing.models`, in file order; every `.hardware` SKU is in `hardware`.
    public var models: [ModelPriceRule]
}

/// One `pricing.models` entry. Value type.
public struct ModelPriceRule: Sendable, Equatable {
    public var model: ModelRef
    public var price: ModelPrice

    public init(model: ModelRef, price: ModelPrice) {
        self.model = model
        self.price = price
    }
}

/// How a model is billed: the three forms Replicate uses. Value type.
public enum ModelPrice: Sendable, Equatable {
    /// By time on a hardware SKU; `usdPerSecond` is that SKU's price, resolved at load time.
    case hardware(sku: String, usdPerSecond: Double)
    /// By tokens (`metrics.input_token_count`, `metrics.output_token_count`).
    case tokens(inputPerMillion: Double, outputPerMillion: Double)
    /// Per item of output (images, videos…).
    case perOutput(Double)
}
