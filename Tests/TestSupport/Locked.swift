import Synchronization

/// A value shared between a test and loop threads, behind a mutex (tests only).
///
/// Threading: thread-safe; `withLock` must not block.
public final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    public init(_ value: Value) { mutex = Mutex(value) }

    public func withLock<R: Sendable>(_ body: (inout Value) -> R) -> R { mutex.withLock { body(&$0) } }

    public var value: Value { mutex.withLock { $0 } }
}
