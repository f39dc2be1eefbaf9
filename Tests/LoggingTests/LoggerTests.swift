import Glibc
import JSONCore
import Testing

@testable import Logging

/// The log controls of docs/threat-model.md: a log line is one JSON object on one line whatever
/// the values hold (no log injection), and credential-shaped strings never reach it.
@Suite struct LoggerTests {
    /// Logs through a real sink into a pipe and returns what was written.
    static func written(_ body: (Logger) -> Void) throws -> String {
        var fds: [Int32] = [0, 0]
        try #require(pipe(&fds) == 0)
        defer { close(fds[0]) }
        let logger = Logger(sink: LogSink(fd: fds[1], background: false), level: .debug)
        body(logger)
        close(fds[1])
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
            if n <= 0 { break }
            out += chunk[..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func fields(of line: Substring) throws -> JSONObject {
        try #require(try JSONParser().parse(String(line)).objectValue)
    }

    @Test func valuesCannotBreakTheLineOrAddFields() throws {
        let hostile = "x\"}\n{\"level\":\"error\",\"msg\":\"forged\"}\r\u{1B}[2J\u{0}\u{2028}"
        let text = try Self.written { $0.with(["ctx": .string(hostile)]).warn(hostile, ["route": .string(hostile)]) }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 2 && lines[1].isEmpty, "one line and its newline")
        let line = try Self.fields(of: lines[0])
        #expect(line["level"]?.stringValue == "warn")
        #expect(line["msg"]?.stringValue == hostile)
        #expect(line["route"]?.stringValue == hostile)
        #expect(line["ctx"]?.stringValue == hostile)
        #expect(line.count == 5, "ts, level, msg, ctx, route")
        #expect(!text.utf8.contains { $0 < 0x20 && $0 != 0x0A }, "controls are escaped")
    }

    @Test(arguments: [
        "r8_0123456789abcdefghijABCDEFGHIJ0123456",
        "token=r8_abc in a sentence",
        "Bearer r8_whatever",
        "Bearer sometoken",
        "Token legacytoken",
        "Authorization: Bearer sometoken",
        "authorization: bearer sometoken",
        "BEARER sometoken",
        "header=token legacytoken",
    ])
    func credentialShapedStringsAreRedacted(secret: String) throws {
        let text = try Self.written { $0.with(["ctx": .string(secret)]).info(secret, ["field": .string(secret)]) }
        let line = try Self.fields(of: text.split(separator: "\n")[0])
        #expect(line["msg"]?.stringValue == "[redacted]")
        #expect(line["field"]?.stringValue == "[redacted]")
        #expect(line["ctx"]?.stringValue == "[redacted]")
        #expect(!text.contains(secret))
    }

    @Test func ordinaryValuesAreKept() throws {
        let text = try Self.written { $0.info("request", ["route": "predictions.create", "status": 201]) }
        let line = try Self.fields(of: text.split(separator: "\n")[0])
        #expect(line["msg"]?.stringValue == "request")
        #expect(line["route"]?.stringValue == "predictions.create")
        #expect(line["status"]?.intValue == 201)
    }

    /// What the scrubber does not catch, pinned so the threat model stays true: a bare token
    /// without the `r8_` prefix or a scheme word is not recognisable, so callers must never
    /// log one (and `AuthToken` cannot be printed).
    @Test func aBareTokenWithoutPrefixIsNotRecognised() {
        #expect(Logger.scrub("0123456789abcdef") == "0123456789abcdef")
    }

    /// The access line is built without a JSON tree: it must still be one valid JSON object with
    /// the same fields the generic path writes.
    @Test func accessLineIsValidJSONWithItsFields() throws {
        let text = try Self.written {
            $0.request(route: "predictions.create", status: 201, micros: 12_345, loop: 1)
            $0.with(["redis_port": .int(6379)]).request(route: "a\"b", status: 502, micros: 7, loop: 0)
        }
        let lines = text.split(separator: "\n")
        #expect(lines.count == 2)
        let first = try Self.fields(of: lines[0])
        #expect(first["msg"]?.stringValue == "request")
        #expect(first["level"]?.stringValue == "info")
        #expect(first["route"]?.stringValue == "predictions.create")
        #expect(first["status"]?.intValue == 201)
        #expect(first["duration_ms"]?.doubleValue == 12.345)
        #expect(first["loop"]?.intValue == 1)
        let ts = try #require(first["ts"]?.stringValue)
        #expect(ts.utf8.count == 24 && ts.hasSuffix("Z") && Array(ts.utf8)[10] == UInt8(ascii: "T"))
        let second = try Self.fields(of: lines[1])
        #expect(second["route"]?.stringValue == "a\"b")
        #expect(second["duration_ms"]?.doubleValue == 0.007)
        #expect(second["redis_port"]?.intValue == 6379)
    }

    @Test func accessLineRespectsTheLevel() throws {
        let text = try Self.written { logger in
            var quiet = logger
            quiet.level = .warn
            quiet.request(route: "x", status: 200, micros: 1, loop: 0)
        }
        #expect(text.isEmpty)
    }

    @Test(arguments: [
        (0, 0, "1970-01-01T00:00:00.000Z"),
        (1_732_000_000, 5, "2024-11-19T07:06:40.005Z"),
        (951_782_400, 999, "2000-02-29T00:00:00.999Z"),
    ])
    func timestampCacheFormats(seconds: Int, millis: Int, expected: String) {
        var cache = UTCTimestampCache()
        var out: [UInt8] = []
        cache.append(seconds: seconds, milliseconds: millis, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == expected)
        // Same second again: from the cached prefix.
        out.removeAll()
        cache.append(seconds: seconds, milliseconds: millis, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == expected)
    }
}
