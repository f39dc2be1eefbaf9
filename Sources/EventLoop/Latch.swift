@preconcurrency import Glibc

/// A one-shot gate: threads that `wait` sleep until some thread calls `open`.
///
/// For threads that are not event loops (main, signal handling, tests) waiting for work a loop
/// finishes. Never call `wait` on a loop thread: it blocks. Thread-safe.
public final class Latch: @unchecked Sendable {
    // pthread objects must not move in memory, hence heap allocation; access is guarded by them.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let cond = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var isOpen = false

    public init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(cond, nil)
    }

    deinit {
        pthread_cond_destroy(cond)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        cond.deallocate()
    }

    public func open() {
        pthread_mutex_lock(mutex)
        isOpen = true
        pthread_cond_broadcast(cond)
        pthread_mutex_unlock(mutex)
    }

    /// Waits until `open`; returns false if `timeout` passed first.
    @discardableResult
    public func wait(timeout: Duration? = nil) -> Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        guard let timeout else {
            while !isOpen { pthread_cond_wait(cond, mutex) }
            return true
        }
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let total = UInt64(now.tv_nsec) + timeout.nanosecondsClamped
        var deadline = timespec(tv_sec: now.tv_sec + Int(total / 1_000_000_000), tv_nsec: Int(total % 1_000_000_000))
        while !isOpen {
            if pthread_cond_timedwait(cond, mutex, &deadline) == ETIMEDOUT { return isOpen }
        }
        return true
    }
}
