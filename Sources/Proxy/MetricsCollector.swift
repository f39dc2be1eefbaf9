import EventLoop
import Metrics
import Synchronization

/// Gathers every loop's metric shard for a `/metrics` scrape, the status page, and the status
/// page's history.
///
/// Shards are only touched by their own loop, so the collector asks each loop for a snapshot
/// through `execute`, merges them as they come back, and hands the merged snapshot to the loop
/// that asked. The hot path never takes a lock; a collection costs one hop per loop.
/// Threading: `register` before serving; `collect`/`collectSnapshot` from any loop.
final class MetricsCollector: Sendable {
    private let shards = Mutex<[ShardRef]>([])
    /// The status page's sampled history (`RepriseApp.start` starts the sampling).
    let history = StatusHistoryRecorder()

    init() {}

    /// Adds a loop's shard (called on that loop when its responder is created).
    func register(_ shard: MetricsShard, loop: EventLoop) {
        shards.withLock { $0.append(ShardRef(shard: shard, loop: loop)) }
    }

    /// Merges all shards and calls `completion` with the exposition text on `replyLoop`.
    func collect(replyOn replyLoop: EventLoop, completion: @escaping (String) -> Void) {
        collectSnapshot(replyOn: replyLoop) { completion(PrometheusText.render($0)) }
    }

    /// Merges all shards and calls `completion` with the merged snapshot on `replyLoop`.
    func collectSnapshot(replyOn replyLoop: EventLoop, completion: @escaping (MetricsSnapshot) -> Void) {
        let refs = shards.withLock { $0 }
        let merge = MergeState(remaining: refs.count)
        let deliver = UncheckedBox(completion)
        let finish: @Sendable (MetricsSnapshot) -> Void = { snapshot in
            replyLoop.execute { deliver.value(snapshot) }
        }
        guard !refs.isEmpty else { return finish(MetricsSnapshot()) }
        for ref in refs {
            ref.loop.execute {
                let snapshot = ref.shard.snapshot()
                if let all = merge.add(snapshot) { finish(all) }
            }
        }
    }
}

/// A shard and the loop that owns it. The shard is only used inside `loop.execute`.
private struct ShardRef: @unchecked Sendable {
    let shard: MetricsShard
    let loop: EventLoop
}

/// Collects snapshots from several loops; the last one to arrive gets the merged result.
private final class MergeState: Sendable {
    private let state: Mutex<(MetricsSnapshot, Int)>

    init(remaining: Int) { state = Mutex((MetricsSnapshot(), remaining)) }

    func add(_ s: MetricsSnapshot) -> MetricsSnapshot? {
        state.withLock { st in
            st.0.merge(s)
            st.1 -= 1
            return st.1 == 0 ? st.0 : nil
        }
    }
}

/// Moves a loop-bound closure to another thread and back to its own loop, where it runs.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
