@preconcurrency import Glibc

/// Wall-clock time for timestamps and entry ages (monotonic time is the loop's business).
/// A value with an injectable source so tests can pin "now". `Sendable`.
public struct WallClock: Sendable {
    private let source: @Sendable () -> Int64

    /// The system's realtime clock.
    public static let system = WallClock {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    public init(unixNanos source: @escaping @Sendable () -> Int64) {
        self.source = source
    }

    public func unixNanos() -> Int64 { source() }
    public func unixMillis() -> Int64 { source() / 1_000_000 }
}
