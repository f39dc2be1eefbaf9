import Foundation

/// Runs `body`, which blocks (socket reads, latches, thread joins), on a thread of its own while
/// the calling task suspends.
///
/// Why: Swift Testing runs every test on the cooperative pool — one thread per core, two on the
/// machines these tests run on — which all test targets share. A test parking a pool thread on
/// a socket starves other tests' tasks (and breaks the timing windows some of them have).
/// Every blocking helper of this target goes through here; test bodies only ever await.
func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result(catching: body)) }.start()
    }
}

/// Waits for `condition` to hold, re-checking every 20 ms, for at most `timeout`; true if it
/// did. This is how tests wait on Reprise's background work (no fixed sleeps).
func eventually(timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try await condition() { return true }
        if ContinuousClock.now >= deadline { return false }
        try? await Task.sleep(for: .milliseconds(20))
    }
}
