@preconcurrency import Glibc
import JSONCore

/// Writes RFC 3339 UTC timestamps with milliseconds (`2026-11-24T01:02:03.456Z`) into a byte
/// buffer, calling `gmtime_r` only when the second changes.
///
/// A log line per request made the timestamp a measurable share of the request path (seven
/// Strings per line); the date and time of the current second are kept as bytes, and only the
/// milliseconds are written per line. Threading: a value; the `LogSink` keeps one under its lock.
/// Invariant: `prefix` is the 20 bytes `YYYY-MM-DDThh:mm:ss.` of second `second`.
struct UTCTimestampCache {
    private var second: Int = .min
    private var prefix: [UInt8] = []

    /// Appends the current time.
    mutating func appendNow(to out: inout [UInt8]) {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        append(seconds: Int(ts.tv_sec), milliseconds: Int(ts.tv_nsec / 1_000_000), to: &out)
    }

    /// Appends the time `seconds` (since the epoch) plus `milliseconds`.
    mutating func append(seconds: Int, milliseconds: Int, to out: inout [UInt8]) {
        if seconds != second { refresh(seconds) }
        out.append(contentsOf: prefix)
        JSONWriter.appendDecimal(Int64(milliseconds), width: 3, to: &out)
        out.append(UInt8(ascii: "Z"))
    }

    private mutating func refresh(_ seconds: Int) {
        var t = time_t(seconds)
        var tmv = tm()
        gmtime_r(&t, &tmv)
        var p: [UInt8] = []
        p.reserveCapacity(20)
        JSONWriter.appendDecimal(Int64(tmv.tm_year) + 1900, width: 4, to: &p)
        p.append(UInt8(ascii: "-"))
        JSONWriter.appendDecimal(Int64(tmv.tm_mon) + 1, width: 2, to: &p)
        p.append(UInt8(ascii: "-"))
        JSONWriter.appendDecimal(Int64(tmv.tm_mday), width: 2, to: &p)
        p.append(UInt8(ascii: "T"))
        JSONWriter.appendDecimal(Int64(tmv.tm_hour), width: 2, to: &p)
        p.append(UInt8(ascii: ":"))
        JSONWriter.appendDecimal(Int64(tmv.tm_min), width: 2, to: &p)
        p.append(UInt8(ascii: ":"))
        JSONWriter.appendDecimal(Int64(tmv.tm_sec), width: 2, to: &p)
        p.append(UInt8(ascii: "."))
        prefix = p
        second = seconds
    }
}
