import CacheCore
import CryptoPrimitives
import JSONCore
import Testing

@Suite("InputDigest and SHA256Digest")
struct InputDigestTests {
    @Test func streamedDigestEqualsTheDigestOfTheMaterialisedCanonicalBytes() throws {
        let hasher = SHA256Hasher()
        var canonicalizer = CanonicalJSON(chunkCapacity: 16)
        for fixture in JCSVectorTests.names {
            let value = try JSONParser().parse(try Fixtures.jcs("input/\(fixture).json"))
            let streamed = try InputDigest(canonicalizing: value, with: &canonicalizer, hasher: hasher)
            #expect(streamed.digest == sha256(try Fixtures.jcs("output/\(fixture).json")))
        }
    }

    @Test func knownDigest() throws {
        var canonicalizer = CanonicalJSON()
        let digest = try InputDigest(
            canonicalizing: try JSONParser().parse(#"{"b":2,"a":1}"#), with: &canonicalizer, hasher: SHA256Hasher())
        // printf '{"a":1,"b":2}' | sha256sum
        #expect(digest.hex == "43258cff783fe7036d8a43033f830adfc60ec037382473548ac742b888292777")
        #expect(digest.description == digest.hex)
    }

    @Test func errorsLeaveTheHasherUsable() throws {
        let hasher = SHA256Hasher()
        var canonicalizer = CanonicalJSON()
        #expect(throws: CanonicalJSONError(.numberOutOfRange)) {
            try InputDigest(canonicalizing: try JSONParser().parse("[1e999]"), with: &canonicalizer, hasher: hasher)
        }
        let digest = try InputDigest(canonicalizing: [], with: &canonicalizer, hasher: hasher)
        #expect(digest.digest == sha256(Array("[]".utf8)))
    }

    @Test func digestBytesAndHexRoundTrip() throws {
        let bytes = (0..<32).map { UInt8($0 * 7 + 1) }
        let digest = try #require(SHA256Digest(bytes: bytes))
        #expect(digest.bytes == bytes)
        #expect(digest.hex == bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined())
        #expect(SHA256Digest(hex: digest.hex) == digest)
        #expect(SHA256Digest(bytes: bytes.dropLast()) == nil)
        #expect(SHA256Digest(bytes: bytes + [0]) == nil)
        #expect(SHA256Digest(hex: "zz" + String(digest.hex.dropFirst(2))) == nil)
    }
}
