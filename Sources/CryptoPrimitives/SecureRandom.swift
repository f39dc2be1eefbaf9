@preconcurrency import Glibc
import COpenSSL
import Synchronization

/// Cryptographically secure random values (OpenSSL's DRBG). Thread-safe.
///
/// Small draws (ids, capability tokens: one per cache hit) come from a per-thread pool refilled
/// 4 KiB at a time: `RAND_bytes` per id cost a lock, a `getpid` and the DRBG's own overhead on
/// every hit. The pool holds bytes OpenSSL produced and each is handed out once. A forked child
/// must not reuse its parent's pool (both would hand out the same ids), so `fork` bumps a
/// generation that makes every pool refill before its next use.
public enum SecureRandom {
    public static func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBytes { fill($0) }
        return out
    }

    /// Fills `buffer` with random bytes.
    public static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        guard buffer.count > 0 else { return }
        if buffer.count <= RandomPool.smallDrawLimit {
            RandomPool.current().take(into: buffer)
        } else {
            RandomPool.drawFromOpenSSL(into: buffer)
        }
    }

    private static let base32: [UInt8] = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)

    /// A 26-character lowercase base32 string carrying 130 random bits: the shape of a
    /// Replicate prediction id, and unguessable enough for a capability URL.
    public static func identifier26() -> String {
        var raw: (UInt64, UInt64, UInt64) = (0, 0, 0)
        return withUnsafeMutableBytes(of: &raw) { rawBytes in
            let seventeen = UnsafeMutableRawBufferPointer(rebasing: rawBytes[0..<17])
            fill(seventeen)
            return String(unsafeUninitializedCapacity: 26) { out in
                var n = 0
                var acc: UInt32 = 0
                var bits = 0
                base32.withUnsafeBufferPointer { alphabet in
                    for b in seventeen {
                        acc = (acc << 8) | UInt32(b)
                        bits += 8
                        while bits >= 5 && n < 26 {
                            bits -= 5
                            out[n] = alphabet[Int((acc >> UInt32(bits)) & 31)]
                            n += 1
                        }
                    }
                }
                return n
            }
        }
    }
}

/// One thread's supply of random bytes (see `SecureRandom`). Reached only through a
/// thread-specific key, so it is never shared; `generation` ties it to the process it was
/// filled in.
private final class RandomPool {
    static let smallDrawLimit = 64
    private static let capacity = 4096

    private let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 8)
    private var offset = capacity
    private var generation = -1

    deinit { bytes.deallocate() }

    func take(into out: UnsafeMutableRawBufferPointer) {
        let current = RandomPool.forkGeneration.load(ordering: .relaxed)
        if generation != current || offset + out.count > Self.capacity {
            RandomPool.drawFromOpenSSL(into: bytes)
            offset = 0
            generation = current
        }
        out.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + out.count)]))
        // Handed out once: wipe what was taken so the pool never holds a past id.
        memset(bytes.baseAddress! + offset, 0, out.count)
        offset += out.count
    }

    static func drawFromOpenSSL(into buffer: UnsafeMutableRawBufferPointer) {
        let rc = RAND_bytes(buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(buffer.count))
        precondition(rc == 1, "RAND_bytes failed")
    }

    static let forkGeneration = Atomic<Int>(0)

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        let rc = pthread_key_create(&key) { raw in
            if let raw { Unmanaged<RandomPool>.fromOpaque(raw).release() }
        }
        precondition(rc == 0, "pthread_key_create failed")
        pthread_atfork(nil, nil) { RandomPool.forkGeneration.add(1, ordering: .relaxed) }
        return key
    }()

    static func current() -> RandomPool {
        if let raw = pthread_getspecific(key) { return Unmanaged<RandomPool>.fromOpaque(raw).takeUnretainedValue() }
        let pool = RandomPool()
        pthread_setspecific(key, Unmanaged.passRetained(pool).toOpaque())
        return pool
    }
}
