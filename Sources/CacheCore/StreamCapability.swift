import JSONCore

/// What a stream capability token (`urls.stream` = `{public}/v1/streams/{token}`) opens: `c:{token}`
/// in Redis, so that any replica can serve a stream URL another replica handed out.
///
/// - `relay`: a live prediction; Reprise opens `upstreamURL` (which Replicate produced, never a
///   client) and relays it, recording the events under `cacheKey` when `store` is set.
/// - `replay`: a cache hit; Reprise replays the recording stored under `cacheKey`, or, when the
///   original run was never streamed, a stream synthesised from the entry's output.
///
/// The token itself is 130 random bits: the JavaScript client opens stream URLs without its
/// API token, so the URL must be unguessable. It expires with the prediction record. Value type.
public struct StreamCapability: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case relay, replay
    }

    public var kind: Kind
    public var upstreamURL: String?
    public var cacheKey: String?
    /// The upstream prediction a relay belongs to (so its end can prompt a final poll).
    public var predictionID: String?
    public var store: Bool
    public var ttlSeconds: Int

    public init(
        kind: Kind, upstreamURL: String?, cacheKey: String?, predictionID: String? = nil, store: Bool, ttlSeconds: Int
    ) {
        self.kind = kind
        self.upstreamURL = upstreamURL
        self.cacheKey = cacheKey
        self.predictionID = predictionID
        self.store = store
        self.ttlSeconds = ttlSeconds
    }

    public func encoded() -> [UInt8] {
        var o = JSONObject()
        o["kind"] = .string(JSONString(kind.rawValue))
        if let upstreamURL { o["upstream"] = .string(JSONString(upstreamURL)) }
        if let cacheKey { o["key"] = .string(JSONString(cacheKey)) }
        if let predictionID { o["prediction"] = .string(JSONString(predictionID)) }
        o["store"] = .bool(store)
        o["ttl"] = .number(JSONNumber(ttlSeconds))
        return JSONValue.object(o).serialized()
    }

    public static func decode(_ bytes: [UInt8]) -> StreamCapability? {
        guard let v = try? JSONParser().parse(bytes), let o = v.objectValue,
            let k = o["kind"]?.stringValue, let kind = Kind(rawValue: k), let store = o["store"]?.boolValue,
            let ttl = o["ttl"]?.intValue
        else { return nil }
        let c = StreamCapability(
            kind: kind, upstreamURL: o["upstream"]?.stringValue, cacheKey: o["key"]?.stringValue,
            predictionID: o["prediction"]?.stringValue, store: store, ttlSeconds: ttl)
        if kind == .relay && c.upstreamURL == nil { return nil }
        if kind == .replay && c.cacheKey == nil { return nil }
        return c
    }
}
