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
        sink.appendLine { out, clock in
            out.append(contentsOf: #"{"ts":""#.utf8)
            clock.appendNow(to: &out)
            out.append(contentsOf: #"","level":""#.utf8)
            out.append(contentsOf: l.name.utf8)
            out.append(contentsOf: #"","msg":"#.utf8)
            JSONWriter.appendQuoted(Logger.scrub(msg).utf8, to: &out)
            for (k, v) in context { Self.appendField(k, v, to: &out) }
            for (k, v) in fields { Self.appendField(k, v, to: &out) }
            out.append(contentsOf: "}\n".utf8)
        }
    }

    /// The access line of one finished request, the most frequent line by far, formatted without
    /// any intermediate value: `{"ts","level":"info","msg":"request","route","status",
    /// "duration_ms","loop"}` plus the logger's context. `route` is a label from a fixed
    /// vocabulary, so it is escaped but not scrubbed.
    public func request(route: String, status: Int, micros: Int, loop: Int) {
        guard level <= .info else { return }
        sink.appendLine { out, clock in
            out.append(contentsOf: #"{"ts":""#.utf8)
            clock.appendNow(to: &out)
            out.append(contentsOf: #"","level":"info","msg":"request","route":"#.utf8)
            JSONWriter.appendQuoted(route.utf8, to: &out)
            out.append(contentsOf: #","status":"#.utf8)
            JSONWriter.appendDecimal(Int64(status), width: 1, to: &out)
            out.append(contentsOf: #","duration_ms":"#.utf8)
            JSONWriter.appendDecimal(Int64(micros / 1000), width: 1, to: &out)
            out.append(UInt8(ascii: "."))
            JSONWriter.appendDecimal(Int64(micros % 1000), width: 3, to: &out)
            out.append(contentsOf: #","loop":"#.utf8)
            JSONWriter.appendDecimal(Int64(loop), width: 1, to: &out)
            for (k, v) in context { Self.appendField(k, v, to: &out) }
            out.append(contentsOf: "}\n".utf8)
        }
    }

    private static func appendField(_ k: String, _ v: LogValue, to out: inout [UInt8]) {
        out.append(UInt8(ascii: ","))
        JSONWriter.appendQuoted(k.utf8, to: &out)
        out.append(UInt8(ascii: ":"))
        switch v {
        case .string(let s): JSONWriter.appendQuoted(scrub(s).utf8, to: &out)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .double(let d):
            var w = JSONWriter(capacity: 24)
            w.number(d)
            out.append(contentsOf: w.bytes)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        }
    }

    /// `[redacted]` when `s` looks like it carries a credential: a Replicate token (`r8_`), or
    /// the word `bearer` or `token` (any case) followed by a space, at the start or after a
    /// space, `:` or `=`. One pass over the bytes; most strings are short labels.
    static func scrub(_ s: String) -> String {
        var bytes = s  // withUTF8 may make a bridged or small string contiguous
        let suspicious = bytes.withUTF8 { looksLikeCredential(UnsafeRawBufferPointer($0)) }
        return suspicious ? "[redacted]" : s
    }

    static func looksLikeCredential(_ u: UnsafeRawBufferPointer) -> Bool {
        let n = u.count
        var i = 0
        while i < n {
            let c = u[i] | 0x20  // ASCII lower case (digits and '_' are checked exactly below)
            if u[i] == UInt8(ascii: "r"), i + 2 < n, u[i + 1] == UInt8(ascii: "8"), u[i + 2] == UInt8(ascii: "_") {
                return true
            }
            let atWordStart = i == 0 || u[i - 1] == 0x20 || u[i - 1] == UInt8(ascii: ":") || u[i - 1] == UInt8(ascii: "=")
            if atWordStart && (c == UInt8(ascii: "b") || c == UInt8(ascii: "t")) {
                if matchesWord(u, at: i, "bearer ") || matchesWord(u, at: i, "token ") { return true }
            }
            i += 1
        }
        return false
    }

    /// `word` (lower case ASCII) at `i`, compared case-insensitively.
    private static func matchesWord(_ u: UnsafeRawBufferPointer, at i: Int, _ word: StaticString) -> Bool {
        let w = UnsafeRawBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        guard i + w.count <= u.count else { return false }
        for j in 0..<w.count where (u[i + j] | 0x20) != (w[j] | 0x20) { return false }
        return true
    }
}
