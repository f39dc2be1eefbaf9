/// Which model a create body's `version` field names, in one of the three forms Replicate's
/// API accepts (OpenAPI `version` description; replicate-api.md §1.1):
///
/// - `"{version_id}"`: a bare 64-hex version id (`POST /v1/predictions` from the Python and JS
///   clients' `run("owner/name:ver")`, which split the reference themselves);
/// - `"{owner}/{name}:{version_id}"`: sent verbatim by `predictions.create(version=…)`;
/// - `"{owner}/{name}"`: official models only.
///
/// The same parser reads config keys (`owner/name` or `owner/name:version`). Anything else
/// (empty parts, extra `/`, characters outside `SafeName`, a bare id that is not 64 lowercase
/// hex digits) is not a model identity: the request is forwarded uncached and upstream judges.
///
/// Value type, `Sendable`.
public enum ModelIdentity: Hashable, Sendable, CustomStringConvertible {
    /// A bare version id; the model is unknown until upstream's answer names it.
    case version(id: String)
    /// `owner/name:version`.
    case modelVersion(owner: String, name: String, version: String)
    /// `owner/name` with no version (official models, whose `version` is `"hidden"`).
    case model(owner: String, name: String)

    /// Parses the already-extracted string value of `version` (or a config key).
    public init?(versionField s: String) {
        let u = s.utf8
        guard let slash = u.firstIndex(of: UInt8(ascii: "/")) else {
            guard SafeName.isVersionID(u) else { return nil }
            self = .version(id: s)
            return
        }
        let owner = u[..<slash]
        let afterSlash = u[u.index(after: slash)...]
        let colon = afterSlash.firstIndex(of: UInt8(ascii: ":"))
        let name = afterSlash[..<(colon ?? afterSlash.endIndex)]
        guard SafeName.isModelComponent(owner), SafeName.isModelComponent(name) else { return nil }
        let ownerString = String(s[..<slash])
        let nameString = String(s[name.startIndex..<name.endIndex])
        guard let colon else {
            self = .model(owner: ownerString, name: nameString)
            return
        }
        let version = afterSlash[afterSlash.index(after: colon)...]
        guard SafeName.isVersionReference(version) else { return nil }
        self = .modelVersion(owner: ownerString, name: nameString, version: String(s[version.startIndex...]))
    }

    /// `owner/name`, when the identity names the model.
    public var modelName: String? {
        switch self {
        case .version: return nil
        case .modelVersion(let owner, let name, _), .model(let owner, let name): return owner + "/" + name
        }
    }

    /// The version id, when the identity names one.
    public var versionID: String? {
        switch self {
        case .version(let id): return id
        case .modelVersion(_, _, let version): return version
        case .model: return nil
        }
    }

    /// The canonical spelling, which parses back to the same value.
    public var description: String {
        switch self {
        case .version(let id): return id
        case .modelVersion(let owner, let name, let version): return owner + "/" + name + ":" + version
        case .model(let owner, let name): return owner + "/" + name
        }
    }
}
