/// A handle to a timer scheduled on an `EventLoop`; pass it to `cancel` to drop the timer.
public struct TimerHandle: Hashable, Sendable {
    let id: UInt64
}

/// A min-heap of deadlines with lazy cancellation.
///
/// Cancelling removes the callback from `callbacks`; the heap entry stays until it reaches the
/// top and is then skipped. That keeps cancel O(1), which matters because connections re-arm
/// their timeouts on every request. Not thread-safe: owned by one `EventLoop`.
struct TimerHeap {
    private var heap: [(deadline: UInt64, id: UInt64)] = []
    private(set) var callbacks: [UInt64: () -> Void] = [:]
    private var nextID: UInt64 = 1

    var liveCount: Int { callbacks.count }

    mutating func schedule(at deadline: UInt64, _ body: @escaping () -> Void) -> TimerHandle {
        let id = nextID
        nextID &+= 1
        callbacks[id] = body
        heap.append((deadline, id))
        siftUp(heap.count - 1)
        return TimerHandle(id: id)
    }

    mutating func cancel(_ handle: TimerHandle) {
        callbacks.removeValue(forKey: handle.id)
        // Keep the heap from filling with dead entries when most timers are cancelled.
        if heap.count > 64 && heap.count > 4 * callbacks.count { compact() }
    }

    /// Milliseconds until the earliest live deadline (rounded up), or -1 when there is none.
    mutating func timeoutMillis(now: UInt64) -> Int32 {
        while let top = heap.first, callbacks[top.id] == nil { popTop() }
        guard let top = heap.first else { return -1 }
        if top.deadline <= now { return 0 }
        let ms = (top.deadline - now + 999_999) / 1_000_000
        return Int32(clamping: ms)
    }

    /// Removes and returns the callbacks whose deadline has passed, earliest first.
    mutating func popExpired(now: UInt64) -> [() -> Void] {
        var due: [() -> Void] = []
        while let top = heap.first, top.deadline <= now {
            popTop()
            if let cb = callbacks.removeValue(forKey: top.id) { due.append(cb) }
        }
        return due
    }

    private mutating func compact() {
        heap.removeAll { callbacks[$0.id] == nil }
        // Re-heapify bottom-up.
        var i = heap.count / 2
        while i > 0 {
            i -= 1
            siftDown(i)
        }
    }

    private mutating func popTop() {
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            siftDown(0)
        }
    }

    private mutating func siftUp(_ start: Int) {
        var i = start
        while i > 0 {
            let parent = (i - 1) / 2
            if heap[parent].deadline <= heap[i].deadline { break }
            heap.swapAt(parent, i)
            i = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var i = start
        let n = heap.count
        while true {
            let l = 2 * i + 1
            let r = l + 1
            var m = i
            if l < n && heap[l].deadline < heap[m].deadline { m = l }
            if r < n && heap[r].deadline < heap[m].deadline { m = r }
            if m == i { return }
            heap.swapAt(i, m)
            i = m
        }
    }
}
