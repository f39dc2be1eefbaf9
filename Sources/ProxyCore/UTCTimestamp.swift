import JSONCore

/// ISO-8601 UTC timestamps in Replicate's style (`2023-09-08T16:19:34.765994Z`), from Unix
/// time, without Foundation or libc (days-to-civil conversion after H. Hinnant). Pure.
public enum UTCTimestamp {
    /// Formats Unix time in nanoseconds with microsecond precision.
    public static func iso8601(unixNanos: Int64) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(27)
        appendISO8601(unixNanos: unixNanos, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the same 27 bytes as `iso8601` (a hit writes three per answer).
    public static func appendISO8601(unixNanos: Int64, to out: inout [UInt8]) {
        let micros = unixNanos / 1_000
        var secs = micros / 1_000_000
        var frac = micros % 1_000_000
        if frac < 0 {
            frac += 1_000_000
            secs -= 1
        }
        var days = secs / 86_400
        var rem = secs % 86_400
        if rem < 0 {
            rem += 86_400
            days -= 1
        }
        let (y, m, d) = civil(fromDays: days)
        JSONWriter.appendDecimal(y, width: 4, to: &out)
        out.append(UInt8(ascii: "-"))
        JSONWriter.appendDecimal(m, width: 2, to: &out)
        out.append(UInt8(ascii: "-"))
        JSONWriter.appendDecimal(d, width: 2, to: &out)
        out.append(UInt8(ascii: "T"))
        JSONWriter.appendDecimal(rem / 3600, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        JSONWriter.appendDecimal(rem % 3600 / 60, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        JSONWriter.appendDecimal(rem % 60, width: 2, to: &out)
        out.append(UInt8(ascii: "."))
        JSONWriter.appendDecimal(frac, width: 6, to: &out)
        out.append(UInt8(ascii: "Z"))
    }

    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }
}
