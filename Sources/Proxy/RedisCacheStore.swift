import CacheCore
import RedisKeyspace
import RedisStore

/// `CacheStore` on Redis: the production store, shared by every replica.
///
/// The hit path is one round trip: `GET` of the entry, `EXISTS` of the token hash and (when the
/// request named only a version id) `GET` of the version's model, written in one pipeline.
/// Writes are `SET … EX` without waiting; their failures are reported through `onError` (the
/// proxy counts `reprise_redis_errors_total` and logs) and never fail a request.
///
/// Threading: loop-bound, like the `RedisClient` it wraps.
final class RedisCacheStore: CacheStore {
    private let client: RedisClient
    private let keys: RedisKeySchema
    private let onError: (CacheStoreError) -> Void

    init(client: RedisClient, keys: RedisKeySchema, onError: @escaping (CacheStoreError) -> Void) {
        self.client = client
        self.keys = keys
        self.onError = onError
    }

    func lookup(
        key: CacheKey, tokenHash: SHA256Digest, version: String?,
        completion: @escaping (Result<CacheLookup, CacheStoreError>) -> Void
    ) {
        guard let entryKey = digest(key.hex), let tokenKey = digest(tokenHash.hex) else {
            return client.loop.deferToEndOfTick { completion(.failure(CacheStoreError(.failed, detail: "bad key"))) }
        }
        var commands: [[RedisArgument]] = [
            ["GET", .key(keys.entry(entryKey))],
            ["EXISTS", .key(keys.acceptedToken(tokenKey))],
            ["EXISTS", .key(keys.inFlight(entryKey))],
            ["PTTL", .key(keys.entry(entryKey))],
        ]
        let versionID = version.flatMap { RedisKeySchema.Identifier($0) }
        if let versionID { commands.append(["GET", .key(keys.versionModel(versionID))]) }
        client.pipeline(commands) { results in
            do {
                let entry = try results[0].get()
                let token = try results[1].get()
                let inFlight = try results[2].get()
                let ttl = try results[3].get().integer
                let model = versionID == nil ? nil : try results[4].get().string
                completion(
                    .success(
                        CacheLookup(
                            entry: entry.bytes, tokenAccepted: token.integer == 1, versionModel: model,
                            inFlight: inFlight.integer == 1, entryTTLMillis: ttl.flatMap { $0 >= 0 ? $0 : nil })))
            } catch {
                completion(.failure(Self.storeError(error)))
            }
        }
    }

    func entry(key: CacheKey, completion: @escaping (Result<(entry: [UInt8]?, inFlight: Bool), CacheStoreError>) -> Void) {
        guard let k = digest(key.hex) else {
            return client.loop.deferToEndOfTick { completion(.success((nil, false))) }
        }
        client.pipeline([["GET", .key(keys.entry(k))], ["EXISTS", .key(keys.inFlight(k))]]) { results in
            do {
                completion(.success((try results[0].get().bytes, try results[1].get().integer == 1)))
            } catch {
                completion(.failure(Self.storeError(error)))
            }
        }
    }

    func markInFlight(key: CacheKey, ttlSeconds: Int) {
        guard let k = digest(key.hex) else { return }
        client.send(["SET", .key(keys.inFlight(k)), "1", "NX", "EX", .integer(Int64(max(1, ttlSeconds)))]) { [onError] r in
            if case .failure(let error) = r { onError(Self.storeError(error)) }
        }
    }

    func clearInFlight(key: CacheKey) {
        guard let k = digest(key.hex) else { return }
        client.send(["DEL", .key(keys.inFlight(k))]) { [onError] r in
            if case .failure(let error) = r { onError(Self.storeError(error)) }
        }
    }

    func storeEntry(key: CacheKey, entry: [UInt8], ttlSeconds: Int) {
        guard let k = digest(key.hex) else { return }
        set(keys.entry(k), entry, ttlSeconds: ttlSeconds)
    }

    func putRecord(id: String, record: [UInt8], ttlSeconds: Int) {
        guard let i = RedisKeySchema.Identifier(id) else { return }
        set(keys.prediction(i), record, ttlSeconds: ttlSeconds)
    }

    func record(id: String, completion: @escaping (Result<[UInt8]?, CacheStoreError>) -> Void) {
        get(RedisKeySchema.Identifier(id).map(keys.prediction), completion: completion)
    }

    func putHitBody(sha256: SHA256Digest, body: [UInt8], ttlSeconds: Int) {
        guard let k = digest(sha256.hex) else { return }
        set(keys.hitBody(k), body, ttlSeconds: ttlSeconds)
    }

    func hitBody(sha256: SHA256Digest, completion: @escaping (Result<[UInt8]?, CacheStoreError>) -> Void) {
        get(digest(sha256.hex).map(keys.hitBody), completion: completion)
    }

    func rememberAcceptedToken(_ tokenHash: SHA256Digest, ttlSeconds: Int) {
        guard let k = digest(tokenHash.hex) else { return }
        set(keys.acceptedToken(k), [0x31], ttlSeconds: ttlSeconds)
    }

    func rememberVersionModel(version: String, model: String) {
        guard let v = RedisKeySchema.Identifier(version) else { return }
        // Version ids never change owner; a long TTL just keeps abandoned ids from piling up.
        set(keys.versionModel(v), Array(model.utf8), ttlSeconds: 30 * 86_400)
    }

    func putStreamCapability(token: String, capability: [UInt8], ttlSeconds: Int) {
        guard let t = RedisKeySchema.Identifier(token) else { return }
        set(keys.streamCapability(t), capability, ttlSeconds: ttlSeconds)
    }

    func streamCapability(token: String, completion: @escaping (Result<[UInt8]?, CacheStoreError>) -> Void) {
        get(RedisKeySchema.Identifier(token).map(keys.streamCapability), completion: completion)
    }

    func storeRecording(key: CacheKey, recording: [UInt8], ttlSeconds: Int) {
        guard let k = digest(key.hex) else { return }
        set(keys.streamRecording(k), recording, ttlSeconds: ttlSeconds)
    }

    func replaySource(
        key: CacheKey, completion: @escaping (Result<(recording: [UInt8]?, entry: [UInt8]?), CacheStoreError>) -> Void
    ) {
        guard let k = digest(key.hex) else {
            return client.loop.deferToEndOfTick { completion(.success((nil, nil))) }
        }
        client.pipeline([["GET", .key(keys.streamRecording(k))], ["GET", .key(keys.entry(k))]]) { results in
            do {
                completion(.success((try results[0].get().bytes, try results[1].get().bytes)))
            } catch {
                completion(.failure(Self.storeError(error)))
            }
        }
    }

    /// GET `key`; a key that could not be built (an id Redis keys cannot hold) reads as absent.
    private func get(_ key: RedisKey?, completion: @escaping (Result<[UInt8]?, CacheStoreError>) -> Void) {
        guard let key else { return client.loop.deferToEndOfTick { completion(.success(nil)) } }
        client.send(["GET", .key(key)]) { result in
            completion(result.map(\.bytes).mapError(Self.storeError))
        }
    }

    private func set(_ key: RedisKey, _ value: [UInt8], ttlSeconds: Int) {
        client.send(["SET", .key(key), .bytes(value), "EX", .integer(Int64(max(1, ttlSeconds)))]) { [onError] result in
            if case .failure(let error) = result { onError(Self.storeError(error)) }
        }
    }

    private func digest(_ hex: String) -> RedisKeySchema.Digest? { RedisKeySchema.Digest(hex: hex) }

    static func storeError(_ error: any Error) -> CacheStoreError {
        guard let e = error as? RedisError else { return CacheStoreError(.failed, detail: "\(error)") }
        switch e.kind {
        case .timeout: return CacheStoreError(.timeout, detail: e.shortDescription)
        case .notConnected, .connectionLost, .connectFailed, .tooManyPending:
            return CacheStoreError(.unavailable, detail: e.shortDescription)
        default: return CacheStoreError(.failed, detail: e.shortDescription)
        }
    }
}
