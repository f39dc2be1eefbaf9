import Testing

@testable import Config

@Suite struct DurationSyntaxTests {
    @Test(arguments: [
        ("500ms", Duration.milliseconds(500)),
        ("30s", .seconds(30)),
        ("5m", .seconds(300)),
        ("24h", .seconds(86_400)),
        ("7d", .seconds(604_800)),
        ("1h30m", .seconds(5_400)),
        ("1d2h3m4s5ms", .milliseconds(93_784_005)),
        ("0s", .zero),
        ("120s", .seconds(120)),
        ("90m", .seconds(5_400)),
    ])
    func parses(text: String, expected: Duration) throws {
        #expect(try DurationSyntax.parse(text) == expected)
    }

    @Test(arguments: [
        ("30", "'30' has no unit; write 30s (or 30ms)"),
        ("0", "'0' has no unit; write 0s (or 0ms)"),
        ("", "'' is not a duration; write e.g. 500ms, 30s, 5m, 1h30m, 7d"),
        ("5min", "'5min' is not a duration; write e.g. 500ms, 30s, 5m, 1h30m, 7d"),
        ("30S", "'30S' is not a duration; write e.g. 500ms, 30s, 5m, 1h30m, 7d"),
        ("-5s", "'-5s' is not a duration; write e.g. 500ms, 30s, 5m, 1h30m, 7d"),
        ("5 s", "'5 s' is not a duration; write e.g. 500ms, 30s, 5m, 1h30m, 7d"),
        ("h", "'h' is not a duration; write e.g. 500ms, 30s, 5m, 1h30m, 7d"),
        ("1h30", "'1h30' is not a duration; write e.g. 500ms, 30s, 5m, 1h30m, 7d"),
        ("1.5h", "'1.5h' is not a duration: fractions are not supported (write 1h30m, 1500ms)"),
        ("30m1h", "'30m1h' is not a duration: give each unit once, largest first (e.g. 1h30m)"),
        ("1m1m", "'1m1m' is not a duration: give each unit once, largest first (e.g. 1h30m)"),
        ("99999999999999999999s", "'99999999999999999999s' is too long a duration"),
        ("9999999999999999d", "'9999999999999999d' is too long a duration"),
    ])
    func rejects(text: String, message: String) {
        #expect(throws: ConfigValueError(message)) { try DurationSyntax.parse(text) }
    }

    @Test(arguments: [
        (Duration.seconds(120), "2m"), (.milliseconds(1500), "1s500ms"), (.zero, "0s"), (.seconds(86_400 * 7), "7d"),
        (.seconds(5_400), "1h30m"),
    ])
    func formatsTheShortestSpelling(duration: Duration, text: String) throws {
        #expect(DurationSyntax.format(duration) == text)
        #expect(try DurationSyntax.parse(text) == duration)
    }

    @Test func millisecondsTruncateSubMillisecondParts() {
        #expect(DurationSyntax.milliseconds(.microseconds(2_999)) == 2)
        #expect(DurationSyntax.milliseconds(.seconds(3)) == 3_000)
    }
}

@Suite struct ByteSizeTests {
    @Test(arguments: [
        ("8MiB", 8 << 20), ("512KiB", 512 << 10), ("1GiB", 1 << 30), ("64KiB", 65_536), ("100B", 100),
        ("1048576", 1_048_576), ("0", 0), ("2KB", 2_000), ("3MB", 3_000_000), ("1GB", 1_000_000_000),
    ])
    func parses(text: String, bytes: Int) throws {
        #expect(try ByteSize(parsing: text) == ByteSize(bytes: bytes))
    }

    @Test(arguments: ["", "MiB", "8 MiB", "8mib", "8M", "1.5MiB", "-1", "8TiB", "0x10"])
    func rejects(text: String) {
        #expect(throws: ConfigValueError("'\(text)' is not a size; write e.g. 512KiB, 8MiB, 1GiB or a number of bytes"))
        {
            try ByteSize(parsing: text)
        }
    }

    @Test func rejectsOverflow() {
        #expect(throws: ConfigValueError("'99999999999GiB' is too large")) { try ByteSize(parsing: "99999999999GiB") }
        #expect(throws: ConfigValueError("'99999999999999999999' is too large")) {
            try ByteSize(parsing: "99999999999999999999")
        }
    }

    @Test func describesWithTheLargestExactBinaryUnit() {
        #expect(ByteSize(bytes: 8 << 20).description == "8MiB")
        #expect(ByteSize(bytes: 1536).description == "1536B")
        #expect(ByteSize.kibibytes(1536).description == "1536KiB")
        #expect(ByteSize(bytes: 0).description == "0B")
        #expect(ByteSize(bytes: 3_000_000).description == "3000000B")
    }
}
