import HTTPTypes

/// The fake's routes, resolved from method and path without allocating (path parameters are
/// substrings of the request target). Value type.
enum FakeRoute: Equatable {
    case bench
    /// Test-only: `ANY /v1/fake/echo[/…]` describes the request it received.
    case echo
    /// Test-only: `GET /v1/fake/blob?bytes=N` answers N deterministic bytes.
    case blob
    case createPrediction
    case createModelPrediction(owner: Substring, name: Substring)
    case createDeploymentPrediction(owner: Substring, name: Substring)
    case getPrediction(id: Substring)
    case cancelPrediction(id: Substring)
    case listPredictions
    case stream(id: Substring)
    case listModels
    case searchModels
    case getModel(owner: Substring, name: Substring)
    case listVersions(owner: Substring, name: Substring)
    case getVersion(owner: Substring, name: Substring, id: Substring)
    case account
    case hardware
    case listCollections
    case getCollection(slug: Substring)
    case webhookSecret
    case uploadFile
    // Control routes (no auth, not counted).
    case controlReset
    case controlCounters
    case controlFaults
    case controlAdvance
    case delivery
    // Misses.
    case methodNotAllowed
    case notFound
    /// Outside `/v1` and `/_fake`: 404 without asking for a token.
    case outsideAPI

    /// Routes that need no token: control routes, the stream URL (JS sends none), files on
    /// the delivery host, and the test-only echo and blob routes.
    var isPublic: Bool {
        switch self {
        case .stream, .controlReset, .controlCounters, .controlFaults, .controlAdvance, .delivery, .outsideAPI,
            .echo, .blob:
            return true
        default: return false
        }
    }

    var isControl: Bool {
        switch self {
        case .controlReset, .controlCounters, .controlFaults, .controlAdvance: return true
        default: return false
        }
    }

    static func resolve(method: HTTPMethod, path: Substring) -> FakeRoute {
        var s = PathSegments(path)
        switch s.next() {
        case "v1": break
        case "_fake": return resolveControl(method, &s)
        default: return .outsideAPI
        }
        let get = method == .get
        let post = method == .post
        switch s.next() {
        case "predictions":
            guard let id = s.next() else {
                return get ? .listPredictions : post ? .createPrediction : .methodNotAllowed
            }
            guard let action = s.next() else { return get ? .getPrediction(id: id) : .methodNotAllowed }
            guard action == "cancel", s.next() == nil else { return .notFound }
            return post ? .cancelPrediction(id: id) : .methodNotAllowed
        case "models":
            guard let owner = s.next() else {
                return get ? .listModels : method == .query ? .searchModels : .methodNotAllowed
            }
            guard let name = s.next() else { return .notFound }
            switch s.next() {
            case nil: return get ? .getModel(owner: owner, name: name) : .methodNotAllowed
            case "predictions"?:
                guard s.next() == nil else { return .notFound }
                return post ? .createModelPrediction(owner: owner, name: name) : .methodNotAllowed
            case "versions"?:
                guard let id = s.next() else {
                    return get ? .listVersions(owner: owner, name: name) : .methodNotAllowed
                }
                guard s.next() == nil else { return .notFound }
                return get ? .getVersion(owner: owner, name: name, id: id) : .methodNotAllowed
            default: return .notFound
            }
        case "deployments":
            guard let owner = s.next(), let name = s.next(), s.next() == "predictions", s.next() == nil else {
                return .notFound
            }
            return post ? .createDeploymentPrediction(owner: owner, name: name) : .methodNotAllowed
        case "streams":
            guard let id = s.next(), s.next() == nil else { return .notFound }
            return get ? .stream(id: id) : .methodNotAllowed
        case "account": return s.atEnd ? (get ? .account : .methodNotAllowed) : .notFound
        case "hardware": return s.atEnd ? (get ? .hardware : .methodNotAllowed) : .notFound
        case "files": return s.atEnd ? (post ? .uploadFile : .methodNotAllowed) : .notFound
        case "collections":
            guard let slug = s.next() else { return get ? .listCollections : .methodNotAllowed }
            guard s.next() == nil else { return .notFound }
            return get ? .getCollection(slug: slug) : .methodNotAllowed
        case "webhooks":
            guard s.next() == "default", s.next() == "secret", s.next() == nil else { return .notFound }
            return get ? .webhookSecret : .methodNotAllowed
        case "fake":
            switch s.next() {
            case "bench"?: return s.atEnd ? (get ? .bench : .methodNotAllowed) : .notFound
            case "echo"?: return .echo
            case "blob"?: return s.atEnd ? (get ? .blob : .methodNotAllowed) : .notFound
            default: return .notFound
            }
        default:
            return .notFound
        }
    }

    private static func resolveControl(_ method: HTTPMethod, _ s: inout PathSegments) -> FakeRoute {
        let first = s.next()
        if first == "delivery" { return method == .get ? .delivery : .methodNotAllowed }
        guard s.next() == nil else { return .notFound }
        switch first {
        case "reset": return method == .post ? .controlReset : .methodNotAllowed
        case "counters": return method == .get ? .controlCounters : .methodNotAllowed
        case "faults": return method == .post || method == .delete ? .controlFaults : .methodNotAllowed
        case "advance": return method == .post ? .controlAdvance : .methodNotAllowed
        default: return .notFound
        }
    }
}

/// Walks the `/`-separated segments of a path (leading `/` skipped). Allocation-free.
struct PathSegments {
    private let path: Substring
    private var index: Substring.Index
    private var done = false

    init(_ path: Substring) {
        self.path = path
        index = path.utf8.first == UInt8(ascii: "/") ? path.utf8.index(after: path.startIndex) : path.startIndex
        done = path.isEmpty
    }

    var atEnd: Bool { done }

    /// The next segment (possibly empty, for `//` or a trailing `/`), or nil at the end.
    mutating func next() -> Substring? {
        guard !done else { return nil }
        if let slash = path.utf8[index...].firstIndex(of: UInt8(ascii: "/")) {
            let seg = path[index..<slash]
            index = path.utf8.index(after: slash)
            return seg
        }
        done = true
        return path[index...]
    }
}
