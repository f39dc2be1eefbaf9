import EventLoop

/// The delays between reconnection attempts: exponential from `minimum` to `maximum`, each
/// jittered into its upper half so that many replicas restarted together do not reconnect in
/// lockstep.
///
/// Pure: the random source is passed in, so tests pin it. Value type owned by one client.
struct ReconnectBackoff {
    let minimum: UInt64
    let maximum: UInt64
    /// Failed attempts since the last successful connection.
    private(set) var failures = 0

    init(minimum: Duration, maximum: Duration) {
        self.minimum = max(1, minimum.nanosecondsClamped)
        self.maximum = max(self.minimum, maximum.nanosecondsClamped)
    }

    /// The delay before the next attempt, in nanoseconds. `unit` is a uniform random value in
    /// 0...1; the result lies in `[base/2, base]` where `base` doubles per call up to `maximum`.
    mutating func nextDelay(unit: Double) -> UInt64 {
        let shift = min(failures, 62)
        let (scaled, overflow) = minimum.multipliedReportingOverflow(by: 1 << UInt64(shift))
        let base = overflow ? maximum : min(scaled, maximum)
        failures += 1
        let half = base / 2
        let jitter = UInt64(Double(base - half) * min(max(unit, 0), 1))
        return half + jitter
    }

    mutating func reset() {
        failures = 0
    }
}
