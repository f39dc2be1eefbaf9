import CacheCore
import JSONCore
import Testing

/// All 25,029 rows of numbers.csv: IEEE-754 bits → ECMAScript Number::toString.
@Suite("RFC 8785 number serialisation")
struct NumberVectorTests {
    struct Row {
        let line: Int
        let bits: UInt64
        let expected: String
    }

    static func rows() throws -> [Row] {
        let text = String(decoding: try Fixtures.jcs("numbers.csv"), as: UTF8.self)
        return try text.split(separator: "\n").enumerated().map { index, line in
            let fields = line.split(separator: ",")
            let bits = try #require(fields.count == 2 ? UInt64(fields[0], radix: 16) : nil, "line \(index + 1)")
            return Row(line: index + 1, bits: bits, expected: String(fields[1]))
        }
    }

    private static func canonicalNumber(_ number: JSONNumber) throws -> String {
        String(decoding: try CanonicalJSON.bytes(of: .number(number)), as: UTF8.self)
    }

    @Test func everyRowSerialisesAsExpected() throws {
        let rows = try Self.rows()
        #expect(rows.count == 25_029)
        var failures: [String] = []
        for row in rows {
            let value = Double(bitPattern: row.bits)
            // JSONNumber(Double) writes Swift's own spelling; canonicalising re-reads it.
            let got = try Self.canonicalNumber(JSONNumber(value))
            if got != row.expected { failures.append("line \(row.line): \(row.expected) got \(got)") }
        }
        #expect(failures.isEmpty, "\(failures.count) failures, first: \(failures.prefix(10))")
    }

    @Test func everyExpectedStringIsAFixedPoint() throws {
        var failures: [String] = []
        for row in try Self.rows() {
            let number = try #require(JSONNumber(lexeme: row.expected), "line \(row.line)")
            let got = try Self.canonicalNumber(number)
            if got != row.expected { failures.append("line \(row.line): \(row.expected) got \(got)") }
            if number.double?.bitPattern != row.bits && row.bits != 0x8000_0000_0000_0000 {
                failures.append("line \(row.line): \(row.expected) does not parse to bits \(row.bits)")
            }
        }
        #expect(failures.isEmpty, "\(failures.count) failures, first: \(failures.prefix(10))")
    }
}
