import CacheCore
import JSONCore
import Testing

/// RFC 8785's reference vectors, from the reference implementation (Fixtures/jcs/README.md).
@Suite("RFC 8785 vectors")
struct JCSVectorTests {
    static let names = ["arrays", "french", "structures", "unicode", "values", "weird"]

    @Test(arguments: names)
    func canonicalFormMatchesTheReferenceOutput(name: String) throws {
        let input = try Fixtures.jcs("input/\(name).json")
        let expected = try Fixtures.jcs("output/\(name).json")
        let hexDump = String(decoding: try Fixtures.jcs("outhex/\(name).txt"), as: UTF8.self)
        #expect(expected == bytes(fromHexDump: hexDump))

        let output = try CanonicalJSON.bytes(of: try JSONParser().parse(input))
        #expect(output == expected, "\(String(decoding: output, as: UTF8.self))")
        // Canonical output is a fixed point.
        #expect(try CanonicalJSON.bytes(of: try JSONParser().parse(output)) == expected)
    }
}
