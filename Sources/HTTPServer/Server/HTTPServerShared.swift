import Synchronization

/// Server-wide state that every loop touches: the connection count and the drain hand-off.
///
/// Threading: thread-safe (atomics and a mutex); shared by all of a server's loop contexts.
final class HTTPServerShared: Sendable {
    private enum DrainState {
        case serving
        case draining([@Sendable () -> Void])
        case drained
    }

    let maxConnections: Int
    let connectionCount = Atomic<Int>(0)
    /// Loops that have not yet stopped accepting and closed their idle connections.
    private let loopsPending = Atomic<Int>(Int.max)
    private let drain = Mutex(DrainState.serving)

    init(maxConnections: Int) {
        self.maxConnections = maxConnections
    }

    /// Counts a new connection; false (and not counted) when that would pass the limit.
    func reserveConnection() -> Bool {
        let n = connectionCount.add(1, ordering: .relaxed).newValue
        if n > maxConnections {
            connectionCount.subtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    func releaseConnection() {
        let n = connectionCount.subtract(1, ordering: .acquiringAndReleasing).newValue
        if n == 0 { completeDrainIfDone() }
    }

    /// Registers `completion` to run once the drain is done. Returns true for the first call
    /// (the caller then starts the drain on every loop); a later call only adds its completion,
    /// or runs it at once when the drain already finished.
    func beginDrain(loops: Int, completion: @escaping @Sendable () -> Void) -> Bool {
        enum Outcome { case start, joined, alreadyDone }
        let outcome = drain.withLock { state -> Outcome in
            switch state {
            case .serving:
                state = .draining([completion])
                return .start
            case .draining(let list):
                state = .draining(list + [completion])
                return .joined
            case .drained:
                return .alreadyDone
            }
        }
        switch outcome {
        case .start: loopsPending.store(loops, ordering: .releasing)
        case .joined: break
        case .alreadyDone: completion()
        }
        return outcome == .start
    }

    /// One loop has stopped accepting and closed its idle connections.
    func loopBeganDraining() {
        loopsPending.subtract(1, ordering: .acquiringAndReleasing)
        completeDrainIfDone()
    }

    /// The drain timeout passed and every loop closed what remained: complete now.
    func forceComplete() {
        fireCompletions()
    }

    private func completeDrainIfDone() {
        guard loopsPending.load(ordering: .acquiring) <= 0, connectionCount.load(ordering: .acquiring) == 0 else {
            return
        }
        fireCompletions()
    }

    private func fireCompletions() {
        let list = drain.withLock { state -> [@Sendable () -> Void] in
            guard case .draining(let list) = state else { return [] }
            state = .drained
            return list
        }
        for c in list { c() }
    }
}
