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
}
