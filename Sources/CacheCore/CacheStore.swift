/// Where the cache keeps its state. Redis in production (`RedisCacheStore`), memory in unit
/// tests (`InMemoryCacheStore`); both pass the same conformance tests.
///
/// Threading: a store instance belongs to one event loop; every method is called on it and
/// every completion runs on it. Completions always run asynchronously (never inside the call),
/// so callers can rely on ordering. Writes are fire-and-forget from the caller's point of view:
/// a failed write is counted and logged by the store, never surfaced as a request failure.
public protocol CacheStore: AnyObject {
    /// One round trip for the hit path: the entry under `key` (raw bytes), whether `tokenHash`
    /// was accepted by Replicate recently, and the model learned for `version` (if asked).
    func lookup(
        key: CacheKey, tokenHash: SHA256Digest, version: String?,
        completion: @escaping (Result<CacheLookup, CacheStoreError>) -> Void)

    /// Reads the entry under `key` alone (a coalesced create waiting for the leader's result).
    func entry(key: CacheKey, completion: @escaping (Result<(entry: [UInt8]?, inFlight: Bool), CacheStoreError>) -> Void)

    /// Marks `key` as being computed upstream right now (so identical creates can wait for it).
    func markInFlight(key: CacheKey, ttlSeconds: Int)

    /// Clears the in-flight mark (the prediction ended, stored or not).
    func clearInFlight(key: CacheKey)

    /// Stores an entry with a time to live.
    func storeEntry(key: CacheKey, entry: [UInt8], ttlSeconds: Int)

    /// Stores (or replaces) the record of a prediction id.
    func putRecord(id: String, record: [UInt8], ttlSeconds: Int)

    /// Reads the record of a prediction id (nil when unknown or expired).
    func record(id: String, completion: @escaping (Result<[UInt8]?, CacheStoreError>) -> Void)

    /// Stores the entry bytes hits answered from, under their SHA-256 (content-addressed: every
    /// replica writes the same bytes under the same key).
    func putHitBody(sha256: SHA256Digest, body: [UInt8], ttlSeconds: Int)

    /// Reads the entry bytes stored under `sha256` (nil when unknown or expired).
    func hitBody(sha256: SHA256Digest, completion: @escaping (Result<[UInt8]?, CacheStoreError>) -> Void)

    /// Remembers that Replicate accepted `tokenHash` (only the hash; never the token).
    func rememberAcceptedToken(_ tokenHash: SHA256Digest, ttlSeconds: Int)

    /// Remembers which `owner/name` a version id belongs to (versions never change owner).
    func rememberVersionModel(version: String, model: String)

    /// Stores what a stream capability token opens.
    func putStreamCapability(token: String, capability: [UInt8], ttlSeconds: Int)

    /// Reads what a stream capability token opens (nil when unknown or expired).
    func streamCapability(token: String, completion: @escaping (Result<[UInt8]?, CacheStoreError>) -> Void)

    /// Stores the recording of a completed stream beside its entry.
    func storeRecording(key: CacheKey, recording: [UInt8], ttlSeconds: Int)

    /// One round trip for a replay: the stream recording and the entry under `key`.
    func replaySource(
        key: CacheKey, completion: @escaping (Result<(recording: [UInt8]?, entry: [UInt8]?), CacheStoreError>) -> Void)
}

/// What `CacheStore.lookup` found.
public struct CacheLookup: Sendable, Equatable {
    public var entry: [UInt8]?
    public var tokenAccepted: Bool
    public var versionModel: String?
    /// An identical create is running upstream right now (another request, maybe another replica).
    public var inFlight: Bool
    /// Milliseconds the entry has left to live in the store (nil: unknown or no entry), so that a
    /// copy kept in memory never outlives it.
    public var entryTTLMillis: Int64?

    public init(
        entry: [UInt8]?, tokenAccepted: Bool, versionModel: String?, inFlight: Bool = false, entryTTLMillis: Int64? = nil
    ) {
        self.entry = entry
        self.tokenAccepted = tokenAccepted
        self.versionModel = versionModel
        self.inFlight = inFlight
        self.entryTTLMillis = entryTTLMillis
    }
}

/// A store that could not answer. The proxy fails open: it forwards the request upstream.
/// `kind` is bounded (safe as a metric label); `detail` is for logs and holds no keys or data.
public struct CacheStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case unavailable
        case timeout
        case failed
    }

    public let kind: Kind
    public let detail: String

    public init(_ kind: Kind, detail: String = "") {
        self.kind = kind
        self.detail = detail
    }

    public var description: String { detail.isEmpty ? kind.rawValue : "\(kind.rawValue): \(detail)" }
}
