/// A `CacheStore` in memory, for unit tests of the request flows: same semantics as the Redis
/// store (TTLs, absent keys), a clock the test controls, and switches to make it fail.
///
/// Threading: loop-bound like every store; completions are delivered through `defer`, which the
/// owner wires to `EventLoop.deferToEndOfTick` (or runs itself in tests) so they are never
/// re-entrant.
public final class InMemoryCacheStore: CacheStore {
    private var values: [String: (bytes: [UInt8], expiresAt: Int64?)] = [:]
    /// Milliseconds on the test's clock.
    public var nowMillis: Int64 = 0
    /// When set, every call fails with it (reads through completions; writes are dropped).
    public var failure: CacheStoreError?
    /// Number of round trips made (a lookup is one, whatever it fetches).
    public private(set) var roundTrips = 0
    private let deferCall: (@escaping () -> Void) -> Void

    public init(defer deferCall: @escaping (@escaping () -> Void) -> Void) {
        self.deferCall = deferCall
    }

    private func get(_ k: String) -> [UInt8]? {
        guard let v = values[k] else { return nil }
        if let e = v.expiresAt, e <= nowMillis {
            values[k] = nil
            return nil
        }
        return v.bytes
    }

    /// Time left before `k` expires, as Redis's PTTL reports it (nil: absent or no expiry).
    private func ttlMillis(_ k: String) -> Int64? {
        guard get(k) != nil, let e = values[k]?.expiresAt else { return nil }
        return e - nowMillis
    }

    private func set(_ k: String, _ bytes: [UInt8], ttlSeconds: Int?) {
        guard failure == nil else { return }
        values[k] = (bytes, ttlSeconds.map { nowMillis + Int64($0) * 1000 })
    }

    public func lookup(
        key: CacheKey, tokenHash: SHA256Digest, version: String?,
        completion: @escaping (Result<CacheLookup, CacheStoreError>) -> Void
    ) {
        roundTrips += 1
        let result: Result<CacheLookup, CacheStoreError>
        if let failure {
            result = .failure(failure)
        } else {
            result = .success(
                CacheLookup(
                    entry: get("e:" + key.hex), tokenAccepted: get("t:" + tokenHash.hex) != nil,
                    versionModel: version.flatMap { get("vm:" + $0) }.map { String(decoding: $0, as: UTF8.self) },
                    inFlight: get("f:" + key.hex) != nil, entryTTLMillis: ttlMillis("e:" + key.hex)))
        }
        deferCall { completion(result) }
    }

    public func entry(
        key: CacheKey, completion: @escaping (Result<(entry: [UInt8]?, inFlight: Bool), CacheStoreError>) -> Void
    ) {
        roundTrips += 1
        let result: Result<(entry: [UInt8]?, inFlight: Bool), CacheStoreError> =
            failure.map { .failure($0) } ?? .success((get("e:" + key.hex), get("f:" + key.hex) != nil))
        deferCall { completion(result) }
    }

    public func markInFlight(key: CacheKey, ttlSeconds: Int) {
        if get("f:" + key.hex) == nil { set("f:" + key.hex, [1], ttlSeconds: ttlSeconds) }
    }

    public func clearInFlight(key: CacheKey) {
        values["f:" + key.hex] = nil
    }

    public func storeEntry(key: CacheKey, entry: [UInt8], ttlSeconds: Int) {
        set("e:" + key.hex, entry, ttlSeconds: ttlSeconds)
    }

    public func putRecord(id: String, record: [UInt8], ttlSeconds: Int) {
        set("p:" + id, record, ttlSeconds: ttlSeconds)
    }

    public func record(id: String, completion: @escaping (Result<[UInt8]?, CacheStoreError>) -> Void) {
        roundTrips += 1
        let result: Result<[UInt8]?, CacheStoreError> = failure.map { .failure($0) } ?? .success(get("p:" + id))
        deferCall { completion(result) }
    }

    public func putHitBody(sha256: SHA256Digest, body: [UInt8], ttlSeconds: Int) {
        set("hb:" + sha256.hex, body, ttlSeconds: ttlSeconds)
    }

    public func hitBody(sha256: SHA256Digest, completion: @escaping (Result<[UInt8]?, CacheStoreError>) -> Void) {
        roundTrips += 1
        let result: Result<[UInt8]?, CacheStoreError> = failure.map { .failure($0) } ?? .success(get("hb:" + sha256.hex))
        deferCall { completion(result) }
    }

    public func rememberAcceptedToken(_ tokenHash: SHA256Digest, ttlSeconds: Int) {
        set("t:" + tokenHash.hex, [1], ttlSeconds: ttlSeconds)
    }

    public func rememberVersionModel(version: String, model: String) {
        set("vm:" + version, Array(model.utf8), ttlSeconds: nil)
    }

    public func putStreamCapability(token: String, capability: [UInt8], ttlSeconds: Int) {
        set("c:" + token, capability, ttlSeconds: ttlSeconds)
    }

    public func streamCapability(token: String, completion: @escaping (Result<[UInt8]?, CacheStoreError>) -> Void) {
        roundTrips += 1
        let result: Result<[UInt8]?, CacheStoreError> = failure.map { .failure($0) } ?? .success(get("c:" + token))
        deferCall { completion(result) }
    }

    public func storeRecording(key: CacheKey, recording: [UInt8], ttlSeconds: Int) {
        set("s:" + key.hex, recording, ttlSeconds: ttlSeconds)
    }

    public func replaySource(
        key: CacheKey, completion: @escaping (Result<(recording: [UInt8]?, entry: [UInt8]?), CacheStoreError>) -> Void
    ) {
        roundTrips += 1
        let result: Result<(recording: [UInt8]?, entry: [UInt8]?), CacheStoreError> =
            failure.map { .failure($0) } ?? .success((get("s:" + key.hex), get("e:" + key.hex)))
        deferCall { completion(result) }
    }

    /// The raw entry bytes under `key`, for assertions.
    public func entryBytes(_ key: CacheKey) -> [UInt8]? { get("e:" + key.hex) }

    /// Drops an entry (tests of expiry without waiting).
    public func removeEntry(_ key: CacheKey) { values["e:" + key.hex] = nil }
}
