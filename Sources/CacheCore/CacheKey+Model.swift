extension CacheKey {
    /// What a create request names, as the key encodes it (the model-kind byte and the owner
    /// and name fields). Owner and name are encoded as given: whoever builds this (the
    /// ReplicateAPI layer) decides their normalisation, once. Value type; `Sendable`.
    public enum Model: Hashable, Sendable {
        /// `POST /v1/models/{owner}/{name}/predictions`, or `"version": "owner/name:…"`.
        case named(owner: String, name: String)
        /// `POST /v1/predictions` with a bare version id; the id goes in the version field.
        case versionOnly
        /// `POST /v1/deployments/{owner}/{name}/predictions`.
        case deployment(owner: String, name: String)

        /// The model-kind byte of the key encoding. Never renumber: keys would change.
        var kindByte: UInt8 {
            switch self {
            case .named: 1
            case .versionOnly: 2
            case .deployment: 3
            }
        }

        var owner: String {
            switch self {
            case .named(let owner, _), .deployment(let owner, _): owner
            case .versionOnly: ""
            }
        }

        var name: String {
            switch self {
            case .named(_, let name), .deployment(_, let name): name
            case .versionOnly: ""
            }
        }
    }
}
