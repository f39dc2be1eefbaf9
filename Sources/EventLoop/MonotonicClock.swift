@preconcurrency import Glibc

/// Monotonic time in nanoseconds (CLOCK_MONOTONIC). Loop timers and timeouts use it; it never
/// jumps with wall-clock changes.
public enum MonotonicClock {
    @inline(__always)
    public static func nanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }
}

extension Duration {
    /// Whole nanoseconds, clamped at zero.
    public var nanosecondsClamped: UInt64 {
        let c = components
        if c.seconds < 0 { return 0 }
        return UInt64(c.seconds) &* 1_000_000_000 &+ UInt64(c.attoseconds / 1_000_000_000)
    }
}
