@preconcurrency import Glibc

/// Wall-clock time for the ISO-8601 timestamps of predictions (`created_at` …).
///
/// Only timestamps use it; every duration and deadline is on the monotonic clock. Thread-safe.
enum WallClock {
    /// Nanoseconds since the Unix epoch.
    static func nowNanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// `2023-09-08T16:19:34.765994Z` (UTC, microseconds), Replicate's format.
    static func iso8601(_ nanoseconds: Int64) -> String {
        var seconds = time_t(nanoseconds / 1_000_000_000)
        let micros = Int((nanoseconds % 1_000_000_000) / 1000)
        var t = tm()
        gmtime_r(&seconds, &t)
        var out = ""
        out.reserveCapacity(27)
        out += pad(Int(t.tm_year) + 1900, 4) + "-" + pad(Int(t.tm_mon) + 1, 2) + "-" + pad(Int(t.tm_mday), 2)
        out += "T" + pad(Int(t.tm_hour), 2) + ":" + pad(Int(t.tm_min), 2) + ":" + pad(Int(t.tm_sec), 2)
        out += "." + pad(micros, 6) + "Z"
        return out
    }

    private static func pad(_ v: Int, _ width: Int) -> String {
        var s = String(v)
        while s.utf8.count < width { s = "0" + s }
        return s
    }
}
