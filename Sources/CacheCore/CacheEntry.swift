import JSONCore

/// A stored succeeded prediction: what `e:{key}` holds in Redis.
///
/// Besides the prediction itself it keeps what a hit must check and report: the model and
/// version upstream reported, the SHA-256 of the canonical input (compared on every hit, so a
/// hash collision or a key-schema bug can never serve another input's output), when it was
/// stored (for `Age` and `max-age`), and what the original run cost (for the savings metrics).
///
/// Encoded as a JSON object with a `format` number; an entry of another format, or one that
/// does not decode, is treated as a miss (and overwritten), never served. Value type.
public struct CacheEntry: Sendable, Equatable {
    public static let format = 1

    public var model: String
    public var version: String
    public var inputSHA256: String
    public var storedAtMillis: Int64
    /// USD the original run cost under the pricing in force when it was stored (nil: unpriced).
    public var costUSD: Double?
    /// `metrics.predict_time` of the original run, seconds (nil when upstream gave none).
    public var computeSeconds: Double?
    /// The succeeded prediction as upstream returned it.
    public var prediction: JSONValue

    public init(
        model: String, version: String, inputSHA256: String, storedAtMillis: Int64, costUSD: Double?,
        computeSeconds: Double?, prediction: JSONValue
    ) {
        self.model = model
        self.version = version
        self.inputSHA256 = inputSHA256
        self.storedAtMillis = storedAtMillis
        self.costUSD = costUSD
        self.computeSeconds = computeSeconds
        self.prediction = prediction
    }

    public func encoded() -> [UInt8] {
        var o = JSONObject()
        o["format"] = .number(JSONNumber(CacheEntry.format))
        o["model"] = .string(JSONString(model))
        o["version"] = .string(JSONString(version))
        o["input_sha256"] = .string(JSONString(inputSHA256))
        o["stored_at_ms"] = .number(JSONNumber(Int(storedAtMillis)))
        if let costUSD { o["cost_usd"] = .number(JSONNumber(costUSD)) }
        if let computeSeconds { o["compute_seconds"] = .number(JSONNumber(computeSeconds)) }
        o["prediction"] = prediction
        return JSONValue.object(o).serialized()
    }

    /// Decodes an entry; nil for anything malformed or of another format.
    public static func decode(_ bytes: [UInt8]) -> CacheEntry? {
        guard let value = try? JSONParser().parse(bytes), let o = value.objectValue,
            o["format"]?.intValue == format,
            let model = o["model"]?.stringValue, let version = o["version"]?.stringValue,
            let input = o["input_sha256"]?.stringValue, let stored = o["stored_at_ms"]?.intValue,
            let prediction = o["prediction"], prediction.objectValue != nil
        else { return nil }
        return CacheEntry(
            model: model, version: version, inputSHA256: input, storedAtMillis: Int64(stored),
            costUSD: o["cost_usd"]?.doubleValue, computeSeconds: o["compute_seconds"]?.doubleValue,
            prediction: prediction)
    }

    /// Whole seconds since the entry was stored (never negative: clocks of replicas differ).
    public func ageSeconds(nowMillis: Int64) -> Int {
        max(0, Int((nowMillis - storedAtMillis) / 1000))
    }
}
