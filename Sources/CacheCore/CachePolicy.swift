/// Per-model cache rules from the config (`cache.default_ttl`, `cache.models`), resolved for one
/// request.
///
/// A rule for `owner/name:version` beats one for `owner/name`, which beats the default. Pure;
/// built once per config load and shared read-only (value type, `Sendable`).
public struct CachePolicy: Sendable, Equatable {
    /// One configured rule; nil fields inherit from the less specific level.
    public struct Rule: Sendable, Equatable {
        public var ttlSeconds: Int?
        public var enabled: Bool?

        public init(ttlSeconds: Int? = nil, enabled: Bool? = nil) {
            self.ttlSeconds = ttlSeconds
            self.enabled = enabled
        }
    }

    /// What applies to one model (and version).
    public struct Resolved: Sendable, Equatable {
        public var enabled: Bool
        public var ttlSeconds: Int
        /// The configured `owner/name` this request matched, for metric labels (nil: `other`).
        public var configuredModel: String?

        public init(enabled: Bool, ttlSeconds: Int, configuredModel: String?) {
            self.enabled = enabled
            self.ttlSeconds = ttlSeconds
            self.configuredModel = configuredModel
        }
    }

    public var defaultTTLSeconds: Int
    /// Rules keyed by `owner/name` or `owner/name:version`.
    public var rules: [String: Rule]

    public init(defaultTTLSeconds: Int, rules: [String: Rule] = [:]) {
        self.defaultTTLSeconds = defaultTTLSeconds
        self.rules = rules
    }

    /// The rule set for a model. `model` is `owner/name` when known; `version` the version id.
    public func resolve(model: String?, version: String?) -> Resolved {
        var r = Resolved(enabled: true, ttlSeconds: defaultTTLSeconds, configuredModel: nil)
        guard let model else { return r }
        if let m = rules[model] {
            r.configuredModel = model
            if let t = m.ttlSeconds { r.ttlSeconds = t }
            if let e = m.enabled { r.enabled = e }
        }
        if let version, let v = rules[model + ":" + version] {
            r.configuredModel = model
            if let t = v.ttlSeconds { r.ttlSeconds = t }
            if let e = v.enabled { r.enabled = e }
        }
        return r
    }
}

/// What to do with one create, from the model's policy and the client's `Cache-Control`.
///
/// Pure decision table (tested case by case):
/// | policy / header      | look up           | store result |
/// |----------------------|-------------------|--------------|
/// | model disabled       | no                | no           |
/// | `no-store`           | no                | no           |
/// | `no-cache`, max-age=0| no                | yes          |
/// | `max-age=N`          | yes, if age ≤ N   | yes          |
/// | nothing              | yes               | yes          |
public struct CacheDecision: Sendable, Equatable {
    public enum Lookup: Sendable, Equatable {
        case skip
        /// Look up; serve only entries at most `maxAge` seconds old (nil: any age).
        case lookup(maxAge: Int?)
    }

    public var lookup: Lookup
    public var store: Bool
    /// Why nothing is looked up or stored, for the `BYPASS` answer and logs (nil otherwise).
    public var bypassReason: String?

    public init(lookup: Lookup, store: Bool, bypassReason: String?) {
        self.lookup = lookup
        self.store = store
        self.bypassReason = bypassReason
    }

    public static func decide(policy: CachePolicy.Resolved, cacheControl: CacheControl) -> CacheDecision {
        if !policy.enabled {
            return CacheDecision(lookup: .skip, store: false, bypassReason: "model disabled in config")
        }
        if cacheControl.noStore {
            return CacheDecision(lookup: .skip, store: false, bypassReason: "client sent Cache-Control: no-store")
        }
        if cacheControl.noCache || cacheControl.maxAge == 0 {
            return CacheDecision(lookup: .skip, store: true, bypassReason: nil)
        }
        return CacheDecision(lookup: .lookup(maxAge: cacheControl.maxAge), store: true, bypassReason: nil)
    }
}
