import Foundation

/// Values produced on a loop thread and awaited by a test thread, with a bounded wait.
///
/// Thread-safe: every access holds `condition`'s lock (hence `@unchecked Sendable`).
final class Recorder<Value>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Value] = []

    func append(_ value: Value) {
        condition.lock()
        items.append(value)
        condition.broadcast()
        condition.unlock()
    }

    var values: [Value] {
        condition.lock()
        defer { condition.unlock() }
        return items
    }

    /// Waits until `predicate(values)` holds; false when `timeout` seconds pass first.
    func wait(timeout: Double = 20, until predicate: ([Value]) -> Bool) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        condition.lock()
        defer { condition.unlock() }
        while !predicate(items) {
            if !condition.wait(until: deadline) { return predicate(items) }
        }
        return true
    }
}

/// A value handed to the loop thread and back. Only one thread uses it at a time (the hand-over
/// is ordered by the loop's task queue and a semaphore), hence `@unchecked Sendable`.
struct Handover<T>: @unchecked Sendable {
    var value: T
}

/// A test precondition that does not hold (missing environment, a server that will not start).
struct TestSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
