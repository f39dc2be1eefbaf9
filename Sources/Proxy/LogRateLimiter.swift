import EventLoop
import Synchronization

/// Thins out a warning that can repeat once per request (a Redis outage fails every lookup and
/// every write): at most one line per `interval` per kind, the next written line carrying how
/// many were left out meanwhile, so an outage under load costs a few lines a second instead of
/// one per request, and no failure goes uncounted.
///
/// Only error paths call it; request lines never go through it. Threading: thread-safe (one
/// instance is shared by every loop of a `RepriseApp`, so the bound holds for the process, not
/// per loop); the lock is held for a dictionary update.
final class LogRateLimiter: Sendable {
    private struct Slot {
        var lastWrittenAt: UInt64
        var suppressed: Int
    }

    private let interval: UInt64
    private let slots = Mutex<[String: Slot]>([:])

    init(interval: Duration = .seconds(1)) {
        self.interval = interval.nanosecondsClamped
    }

    /// Whether a line of `kind` may be written at `nowNanos` (a monotonic clock): nil when it
    /// is to be left out (and counted), otherwise the number left out since the last line of
    /// that kind, which the line should carry.
    func admit(_ kind: String, nowNanos: UInt64) -> Int? {
        slots.withLock { slots -> Int? in
            guard var slot = slots[kind] else {
                slots[kind] = Slot(lastWrittenAt: nowNanos, suppressed: 0)
                return 0
            }
            if nowNanos &- slot.lastWrittenAt < interval {
                slot.suppressed += 1
                slots[kind] = slot
                return nil
            }
            let left = slot.suppressed
            slots[kind] = Slot(lastWrittenAt: nowNanos, suppressed: 0)
            return left
        }
    }
}
