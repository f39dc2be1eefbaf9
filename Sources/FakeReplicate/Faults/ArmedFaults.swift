import Synchronization

/// Faults armed ahead of time through `POST /_fake/faults`, for clients that cannot add an
/// `X-Fake-Fault` header (the real Python client behind Reprise). Each fault hits the next
/// `count` matching requests, oldest armed first.
///
/// The request path reads one atomic when nothing is armed, so benchmarks pay no lock.
/// Threading: every method is thread-safe.
final class ArmedFaults: Sendable {
    private let faults = Mutex<[FaultSpec]>([])
    private let armed = Atomic<Int>(0)

    func arm(_ spec: FaultSpec) {
        faults.withLock { f in
            f.append(spec)
            armed.store(f.count, ordering: .releasing)
        }
    }

    /// Takes one use of the first fault matching the request, if any.
    func take(method: String, path: Substring) -> FaultSpec? {
        guard armed.load(ordering: .acquiring) > 0 else { return nil }
        return faults.withLock { f in
            guard let k = f.firstIndex(where: { $0.matches(method: method, path: path) }) else { return nil }
            let spec = f[k]
            f[k].count -= 1
            if f[k].count == 0 { f.remove(at: k) }
            armed.store(f.count, ordering: .releasing)
            return spec
        }
    }

    func removeAll() {
        faults.withLock { f in
            f.removeAll()
            armed.store(0, ordering: .releasing)
        }
    }
}
