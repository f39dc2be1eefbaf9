import JSONCore

/// What Reprise remembers about a prediction id it handed out or relayed: `p:{id}` in Redis.
///
/// It lets any replica answer for the id: `GET`/`cancel` of an id Reprise issued for a hit are
/// answered from `prediction`; a poll of a relayed miss that finally reports `succeeded` is
/// stored under `cacheKey` with `ttlSeconds`, as decided when the create was seen (so every
/// replica stores it the same way). `tokenSHA256` is the SHA-256 of the creating token (never
/// the token): only that token may read the id. Value type; encoded as JSON.
public struct PredictionRecord: Sendable, Equatable {
    public enum Origin: String, Sendable {
        /// Reprise answered the create from the cache and made up this id.
        case hit
        /// The create went upstream; the id is Replicate's.
        case miss
    }

    public var origin: Origin
    public var cacheKey: String
    public var tokenSHA256: String
    public var inputSHA256: String
    /// Store the result when it succeeds (false for `no-store` and disabled models).
    public var store: Bool
    public var ttlSeconds: Int
    /// Upstream's stream URL (misses of streaming models), for the stream relay.
    public var upstreamStreamURL: String?
    /// The full prediction answered for a hit.
    public var prediction: JSONValue?

    public init(
        origin: Origin, cacheKey: String, tokenSHA256: String, inputSHA256: String, store: Bool, ttlSeconds: Int,
        upstreamStreamURL: String? = nil, prediction: JSONValue? = nil
    ) {
        self.origin = origin
        self.cacheKey = cacheKey
        self.tokenSHA256 = tokenSHA256
        self.inputSHA256 = inputSHA256
        self.store = store
        self.ttlSeconds = ttlSeconds
        self.upstreamStreamURL = upstreamStreamURL
        self.prediction = prediction
    }

    public func encoded() -> [UInt8] {
        var o = JSONObject()
        o["origin"] = .string(JSONString(origin.rawValue))
        o["key"] = .string(JSONString(cacheKey))
        o["token_sha256"] = .string(JSONString(tokenSHA256))
        o["input_sha256"] = .string(JSONString(inputSHA256))
        o["store"] = .bool(store)
        o["ttl"] = .number(JSONNumber(ttlSeconds))
        if let upstreamStreamURL { o["stream"] = .string(JSONString(upstreamStreamURL)) }
        if let prediction { o["prediction"] = prediction }
        return JSONValue.object(o).serialized()
    }

    public static func decode(_ bytes: [UInt8]) -> PredictionRecord? {
        guard let value = try? JSONParser().parse(bytes), let o = value.objectValue,
            let originRaw = o["origin"]?.stringValue, let origin = Origin(rawValue: originRaw),
            let key = o["key"]?.stringValue, let token = o["token_sha256"]?.stringValue,
            let input = o["input_sha256"]?.stringValue, let store = o["store"]?.boolValue,
            let ttl = o["ttl"]?.intValue
        else { return nil }
        return PredictionRecord(
            origin: origin, cacheKey: key, tokenSHA256: token, inputSHA256: input, store: store, ttlSeconds: ttl,
            upstreamStreamURL: o["stream"]?.stringValue, prediction: o["prediction"])
    }
}
