@preconcurrency import Glibc
import Synchronization

/// N event loops, each on its own thread (default: one per core).
///
/// Threading: `start`, `stopAndJoin` and `next` may be called from any thread. Loops are fixed
/// at init; a group is started once.
public final class EventLoopGroup: Sendable {
    public let loops: [EventLoop]
    private let threads = Mutex<[pthread_t]>([])
    private let cursor = Atomic<Int>(0)

    /// Online processor count, the default loop count.
    public static var coreCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    public init(loopCount: Int = EventLoopGroup.coreCount) throws {
        precondition(loopCount > 0)
        loops = try (0..<loopCount).map { try EventLoop(index: $0) }
    }

    /// Starts one thread per loop.
    public func start() {
        for loop in loops {
            let box = Unmanaged.passRetained(LoopBox(loop))
            var tid = pthread_t()
            let rc = pthread_create(&tid, nil, { raw in
                let box = Unmanaged<LoopBox>.fromOpaque(raw!).takeRetainedValue()
                box.loop.run()
                return nil
            }, box.toOpaque())
            precondition(rc == 0, "pthread_create failed: \(rc)")
            threads.withLock { $0.append(tid) }
        }
    }

    /// Stops every loop and waits for its thread to finish.
    public func stopAndJoin() {
        for loop in loops { loop.stop() }
        let ts = threads.withLock { t -> [pthread_t] in
            let out = t
            t.removeAll()
            return out
        }
        for t in ts { pthread_join(t, nil) }
    }

    /// Round-robin choice of a loop for work that has no home yet.
    public func next() -> EventLoop {
        let i = cursor.add(1, ordering: .relaxed).newValue
        return loops[(i &- 1) % loops.count]
    }
}

private final class LoopBox {
    let loop: EventLoop
    init(_ loop: EventLoop) { self.loop = loop }
}
