import Testing

@testable import RedisKeyspace

@Suite struct RedisKeySchemaTests {
    static let hexKey = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    static let digest = RedisKeySchema.Digest(hex: hexKey)!

    @Test func defaultPrefixVectors() throws {
        let schema = try RedisKeySchema()
        let id = try #require(RedisKeySchema.Identifier("q8n3zv7k1hrm80cf1sbrqjt0xg"))
        let versionHex = "5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa"
        let version = try #require(RedisKeySchema.Identifier(versionHex))
        #expect(schema.entry(Self.digest).description == "reprise:v1:e:{\(Self.hexKey)}")
        #expect(schema.streamRecording(Self.digest).description == "reprise:v1:s:{\(Self.hexKey)}")
        #expect(schema.inFlight(Self.digest).description == "reprise:v1:f:{\(Self.hexKey)}")
        #expect(schema.hitBody(Self.digest).description == "reprise:v1:hb:{\(Self.hexKey)}")
        #expect(schema.prediction(id).description == "reprise:v1:p:{q8n3zv7k1hrm80cf1sbrqjt0xg}")
        #expect(schema.streamCapability(id).description == "reprise:v1:c:{q8n3zv7k1hrm80cf1sbrqjt0xg}")
        #expect(
            schema.versionModel(version).description
                == "reprise:v1:vm:5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa")
        #expect(schema.acceptedToken(Self.digest).description == "reprise:v1:t:\(Self.hexKey)")
    }

    @Test func keyBytesAreTheDescription() throws {
        let key = try RedisKeySchema().entry(Self.digest)
        #expect(key.bytes == Array("reprise:v1:e:{\(Self.hexKey)}".utf8))
    }

    @Test func customAndEmptyPrefix() throws {
        #expect(try RedisKeySchema(prefix: "team-a:cache:").entry(Self.digest).description
            == "team-a:cache:v1:e:{\(Self.hexKey)}")
        #expect(try RedisKeySchema(prefix: "").inFlight(Self.digest).description == "v1:f:{\(Self.hexKey)}")
        let longest = String(repeating: "x", count: RedisKeySchema.maximumPrefixLength)
        #expect(try RedisKeySchema(prefix: longest).prefix == longest)
    }

    @Test(arguments: ["re{prise:", "re}prise:", "has space:", "tab\t:", "é:", "nul\u{0}:", "del\u{7F}:"])
    func prefixWithUnsafeBytesIsRejected(_ prefix: String) {
        #expect(throws: RedisKeySchemaError.self) { try RedisKeySchema(prefix: prefix) }
    }

    @Test func overlongPrefixIsRejected() {
        let prefix = String(repeating: "x", count: RedisKeySchema.maximumPrefixLength + 1)
        #expect(throws: RedisKeySchemaError.self) { try RedisKeySchema(prefix: prefix) }
    }

    /// The records of one cache key must share a Redis Cluster slot: same hash tag.
    @Test func recordsOfOneKeyShareTheirHashTag() throws {
        let schema = try RedisKeySchema(prefix: "p:")
        let tags = [schema.entry(Self.digest), schema.streamRecording(Self.digest), schema.inFlight(Self.digest)]
            .map { Self.clusterHashTag($0.bytes) }
        #expect(tags == Array(repeating: Array(Self.hexKey.utf8), count: 3))
        let id = try #require(RedisKeySchema.Identifier("abc123"))
        #expect(Self.clusterHashTag(schema.prediction(id).bytes) == Array("abc123".utf8))
        #expect(Self.clusterHashTag(schema.versionModel(id).bytes) == nil)
    }

    @Test func digestValidation() {
        #expect(RedisKeySchema.Digest(hex: Self.hexKey)?.hex == Self.hexKey)
        #expect(RedisKeySchema.Digest(hex: String(Self.hexKey.dropLast())) == nil)
        #expect(RedisKeySchema.Digest(hex: Self.hexKey + "0") == nil)
        #expect(RedisKeySchema.Digest(hex: Self.hexKey.uppercased()) == nil)
        #expect(RedisKeySchema.Digest(hex: String(Self.hexKey.dropLast()) + "g") == nil)
        #expect(RedisKeySchema.Digest(hex: "") == nil)
    }

    @Test func identifierValidation() {
        #expect(RedisKeySchema.Identifier("AbC019")?.value == "AbC019")
        #expect(RedisKeySchema.Identifier(String(repeating: "a", count: 128)) != nil)
        for bad in ["", String(repeating: "a", count: 129), "a-b", "a_b", "a:b", "a{b}", "a b", "é", "a\u{0}"] {
            #expect(RedisKeySchema.Identifier(bad) == nil, "accepted \(bad.debugDescription)")
        }
    }

    /// Redis Cluster's rule: the bytes between the first `{` and the next `}`, if non-empty.
    static func clusterHashTag(_ key: [UInt8]) -> [UInt8]? {
        guard let open = key.firstIndex(of: UInt8(ascii: "{")),
            let close = key[(open + 1)...].firstIndex(of: UInt8(ascii: "}")), close > open + 1
        else { return nil }
        return Array(key[(open + 1)..<close])
    }
}
