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
    /// The full prediction answered for a hit (records written before hits were stored by
    /// reference; new hits carry `hit` instead).
    public var prediction: JSONValue?
    /// A hit's answer by reference: rendered again from the entry it came from.
    public var hit: HitReference?

    /// What a hit added to the entry it answered from, so that its answer can be rendered again
    /// byte for byte (`HitTemplate`) without the record carrying a copy of the prediction: a
    /// few hundred bytes per hit in Redis instead of the whole answer.
    public struct HitReference: Sendable, Equatable {
        /// SHA-256 (hex) of the entry's bytes, stored under `hb:{…}` for as long as records live.
        public var bodySHA256: String
        /// When the hit was answered (its `created_at`, `started_at`, `completed_at`).
        public var createdUnixNanos: Int64
        /// The public base its URLs were written with.
        public var publicBase: String
        /// The client's input as JSON; nil when it is byte for byte the entry's stored input.
        public var inputJSON: [UInt8]?
        public var streamURL: String?

        public init(
            bodySHA256: String, createdUnixNanos: Int64, publicBase: String, inputJSON: [UInt8]?, streamURL: String?
        ) {
            self.bodySHA256 = bodySHA256
            self.createdUnixNanos = createdUnixNanos
            self.publicBase = publicBase
            self.inputJSON = inputJSON
            self.streamURL = streamURL
        }
    }

    public init(
        origin: Origin, cacheKey: String, tokenSHA256: String, inputSHA256: String, store: Bool, ttlSeconds: Int,
        upstreamStreamURL: String? = nil, prediction: JSONValue? = nil, hit: HitReference? = nil
    ) {
        self.origin = origin
        self.cacheKey = cacheKey
        self.tokenSHA256 = tokenSHA256
        self.inputSHA256 = inputSHA256
        self.store = store
        self.ttlSeconds = ttlSeconds
        self.upstreamStreamURL = upstreamStreamURL
        self.prediction = prediction
        self.hit = hit
    }

    /// The record as JSON. `predictionJSON`, when given, is `prediction` already serialised
    /// (a hit serialises its prediction once for the client and reuses the bytes here).
    public func encoded(predictionJSON: [UInt8]? = nil) -> [UInt8] {
        var o = JSONObjectWriter(capacity: 256 + (predictionJSON?.count ?? 0))
        o.field("origin", origin.rawValue)
        o.field("key", cacheKey)
        o.field("token_sha256", tokenSHA256)
        o.field("input_sha256", inputSHA256)
        o.field("store", store)
        o.field("ttl", ttlSeconds)
        if let upstreamStreamURL { o.field("stream", upstreamStreamURL) }
        if let predictionJSON {
            o.rawField("prediction", json: predictionJSON)
        } else if let prediction {
            o.rawField("prediction", json: prediction.serialized())
        }
        if let hit {
            var h = JSONObjectWriter(capacity: 160 + (hit.inputJSON?.count ?? 0))
            h.field("body", hit.bodySHA256)
            h.field("created_ns", Int(hit.createdUnixNanos))
            h.field("base", hit.publicBase)
            if let input = hit.inputJSON { h.rawField("input", json: input) }
            if let stream = hit.streamURL { h.field("stream", stream) }
            o.rawField("hit", json: h.finish())
        }
        return o.finish()
    }

    public static func decode(_ bytes: [UInt8]) -> PredictionRecord? {
        guard let value = try? JSONParser().parse(bytes), let o = value.objectValue,
            let originRaw = o["origin"]?.stringValue, let origin = Origin(rawValue: originRaw),
            let key = o["key"]?.stringValue, let token = o["token_sha256"]?.stringValue,
            let input = o["input_sha256"]?.stringValue, let store = o["store"]?.boolValue,
            let ttl = o["ttl"]?.intValue
        else { return nil }
        var hit: HitReference?
        if let h = o["hit"]?.objectValue {
            guard let body = h["body"]?.stringValue, let created = h["created_ns"]?.intValue,
                let base = h["base"]?.stringValue
            else { return nil }
            hit = HitReference(
                bodySHA256: body, createdUnixNanos: Int64(created), publicBase: base,
                inputJSON: h["input"]?.serialized(), streamURL: h["stream"]?.stringValue)
        }
        return PredictionRecord(
            origin: origin, cacheKey: key, tokenSHA256: token, inputSHA256: input, store: store, ttlSeconds: ttl,
            upstreamStreamURL: o["stream"]?.stringValue, prediction: o["prediction"], hit: hit)
    }
}
