@preconcurrency import Glibc
import JSONCore

/// Writes one JSON object per line: `ts`, `level`, `msg`, then the given fields.
///
/// Messages are fixed strings and details go into fields, so logs can be searched and counted.
/// Defence in depth against token leaks: any string field that contains something shaped like a
/// Replicate token (`r8_…`) or a `Bearer`/`Token` credential is replaced by `[redacted]`; callers
/// must still never pass a token. Value type, `Sendable`; the sink does the synchronisation.
public struct Logger: Sendable {
    public let sink: LogSink
    public var level: LogLevel
    private var context: [(String, LogValue)]

    public init(sink: LogSink, level: LogLevel = .info) {
        self.sink = sink
        self.level = level
        self.context = []
    }

    /// A logger that adds `fields` to every line.
    public func with(_ fields: KeyValuePairs<String, LogValue>) -> Logger {
        var copy = self
        copy.context.append(contentsOf: fields.map { ($0.key, $0.value) })
        return copy
    }

    @inline(__always) public func isEnabled(_ l: LogLevel) -> Bool { l >= level }

    public func debug(_ msg: String, _ fields: KeyValuePairs<String, LogValue> = [:]) { log(.debug, msg, fields) }
    public func info(_ msg: String, _ fields: KeyValuePairs<String, LogValue> = [:]) { log(.info, msg, fields) }
    public func warn(_ msg: String, _ fields: KeyValuePairs<String, LogValue> = [:]) { log(.warn, msg, fields) }
    public func error(_ msg: String, _ fields: KeyValuePairs<String, LogValue> = [:]) { log(.error, msg, fields) }

    public func log(_ l: LogLevel, _ msg: String, _ fields: KeyValuePairs<String, LogValue>) {
        guard l >= level else { return }
        sink.append(format(l, msg, fields.map { ($0.key, $0.value) }))
    }

    func format(_ l: LogLevel, _ msg: String, _ fields: [(String, LogValue)]) -> [UInt8] {
        var o = JSONObjectWriter(capacity: 256)
        o.field("ts", Logger.timestamp())
        o.field("level", l.name)
        o.field("msg", Logger.scrub(msg))
        for (k, v) in context + fields {
            switch v {
            case .string(let s): o.field(k, Logger.scrub(s))
            case .int(let i): o.field(k, i)
            case .double(let d): o.field(k, d)
            case .bool(let b): o.field(k, b)
            }
        }
        var line = o.finish()
        line.append(0x0A)
        return line
    }

    /// `[redacted]` when `s` looks like it carries a credential.
    static func scrub(_ s: String) -> String {
        let u = Array(s.utf8)
        if u.count < 3 { return s }
        for i in 0..<(u.count - 2) where u[i] == UInt8(ascii: "r") && u[i + 1] == UInt8(ascii: "8")
            && u[i + 2] == UInt8(ascii: "_")
        {
            return "[redacted]"
        }
        if s.hasPrefix("Bearer ") || s.hasPrefix("Token ") || s.contains(" Bearer ") { return "[redacted]" }
        return s
    }

    /// RFC 3339 UTC with milliseconds, e.g. `2026-11-24T01:02:03.456Z`.
    static func timestamp() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var t = ts.tv_sec
        var tmv = tm()
        gmtime_r(&t, &tmv)
        func pad(_ v: Int32, _ w: Int) -> String {
            let s = String(v)
            return s.count >= w ? s : String(repeating: "0", count: w - s.count) + s
        }
        let ms = Int32(ts.tv_nsec / 1_000_000)
        return "\(pad(tmv.tm_year + 1900, 4))-\(pad(tmv.tm_mon + 1, 2))-\(pad(tmv.tm_mday, 2))T"
            + "\(pad(tmv.tm_hour, 2)):\(pad(tmv.tm_min, 2)):\(pad(tmv.tm_sec, 2)).\(pad(ms, 3))Z"
    }
}
