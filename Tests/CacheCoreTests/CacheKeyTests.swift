import CacheCore
import CryptoPrimitives
import JSONCore
import Testing

@Suite("CacheKey")
struct CacheKeyTests {
    let hasher = SHA256Hasher()

    func inputDigest(_ json: String) throws -> InputDigest {
        var canonicalizer = CanonicalJSON()
        return try InputDigest(canonicalizing: try JSONParser().parse(json), with: &canonicalizer, hasher: hasher)
    }

    func key(
        _ model: CacheKey.Model = .named(owner: "acme", name: "model"), version: String? = "v1",
        scope: CacheScope = .shared, input: String = #"{"prompt":"a cat"}"#
    ) throws -> CacheKey {
        CacheKey(model: model, version: version, scope: scope, input: try inputDigest(input), hasher: hasher)
    }

    // MARK: - Same meaning, same key

    @Test func keyOrderWhitespaceAndNumberSpellingDoNotChangeTheKey() throws {
        let reference = try key(input: #"{"prompt":"a cat","n":1,"opts":{"w":512,"h":0.5}}"#)
        let variants = [
            #"{"n":1,"opts":{"h":0.5,"w":512},"prompt":"a cat"}"#,
            " {\n  \"opts\" : { \"w\" : 5.12e2 , \"h\" : 50e-2 },\n  \"prompt\" : \"a \\u0063at\",\t\"n\" : 1.0\n}\n",
            #"{"prompt":"a cat","n":10e-1,"opts":{"w":512.000,"h":0.50}}"#,
        ]
        for variant in variants {
            #expect(try key(input: variant) == reference, "\(variant)")
        }
    }

    @Test func anEmptyVersionIsNoVersion() throws {
        #expect(try key(version: nil) == key(version: ""))
    }

    // MARK: - Different meaning, different key

    @Test func everyComponentChangesTheKey() throws {
        let tokenA = CacheScope(token: "r8_token_a", hasher: hasher)
        let tokenB = CacheScope(token: "r8_token_b", hasher: hasher)
        let keys = [
            try key(),
            try key(.named(owner: "acme", name: "other")),
            try key(.named(owner: "other", name: "model")),
            try key(.deployment(owner: "acme", name: "model")),
            try key(.versionOnly),
            try key(version: "v2"),
            try key(version: nil),
            try key(scope: tokenA),
            try key(scope: tokenB),
            try key(input: #"{"prompt":"a dog"}"#),
            try key(input: #"{"prompt":"a cat","n":1}"#),
            try key(input: #"{"prompt":["a cat"]}"#),
            try key(input: #"{"Prompt":"a cat"}"#),
            try key(input: "{\"prompt\":\"caf\u{E9}\"}"),
            try key(input: "{\"prompt\":\"cafe\u{301}\"}"),
            try key(input: #"{"prompt":"1"}"#),
            try key(input: #"{"prompt":1}"#),
            try key(input: #"{"prompt":1.0000000000000002}"#),
        ]
        #expect(Set(keys).count == keys.count)
    }

    @Test func fieldBoundariesCannotShift() throws {
        #expect(try key(.named(owner: "ab", name: "c")) != key(.named(owner: "a", name: "bc")))
        #expect(try key(.named(owner: "a", name: "b"), version: "") != key(.named(owner: "a", name: ""), version: "b"))
        #expect(try key(.versionOnly, version: "abc") != key(.named(owner: "", name: ""), version: "abc"))
    }

    @Test func tokenScopeHoldsOnlyTheTokenHash() throws {
        let token = "r8_secret_token_value"
        let scope = CacheScope(token: token, hasher: hasher)
        #expect(scope == .token(sha256(Array(token.utf8))))
        let encoding = CacheKey.encoding(
            model: .named(owner: "a", name: "b"), version: nil, scope: scope, input: try inputDigest("{}"))
        #expect(!String(decoding: encoding, as: UTF8.self).contains(token))
    }

    // MARK: - Pinned vectors: these values must never change (see CacheKey's layout).

    @Test func pinnedEncoding() throws {
        let encoding = CacheKey.encoding(
            model: .versionOnly, version: "5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa",
            scope: .shared, input: try inputDigest("{ }"))
        #expect(
            SHA256Digest(bytes: SHA256Hasher().digest(encoding))?.hex
                == "4668572c1cae5e9068a1380fa006f0791cd458d268c1eef87edff846ec13089c")
        let versionHex = Array("5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa".utf8)
            .map { String($0, radix: 16) }.joined()
        let expected = "0102" + "00000000" + "00000000" + "00000040" + versionHex + "00000000"
            + "00000020" + "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
        #expect(encoding.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined() == expected)
    }

    @Test func pinnedKeys() throws {
        let cases: [(CacheKey.Model, String?, CacheScope, String, input: String, key: String)] = [
            (
                .named(owner: "stability-ai", name: "sdxl"),
                "39ed52f2a78e934b3ba6e2a89f5b1c712de7dfea535525255b1aa35c5565e08b", .shared,
                #"{ "seed": 42.0, "prompt": "an astronaut riding a horse" }"#,
                input: "3886e1e201c08cdfaba0e1965c4f0f60d7961cece093046e7e718b6d6a28aa71",
                key: "27dc1dce1512ce29f180226867e443ac73e73d7a2d89717b2648b00255a08403"
            ),
            (
                .named(owner: "meta", name: "meta-llama-3-8b-instruct"), nil,
                CacheScope(token: "r8_test_token_not_real", hasher: hasher),
                #"{"prompt":"Hello","max_tokens":6.4e1}"#,
                input: "8f30eaca114c134f6d356832593f883c1d960aa4ae9912ae65cfb0366b323245",
                key: "65f4b204ab6b8e6394d09cde907e66f3a20ede3a1e748e68ae9e7862c3199f54"
            ),
            (
                .versionOnly, "5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa", .shared, "{}",
                input: "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
                key: "4668572c1cae5e9068a1380fa006f0791cd458d268c1eef87edff846ec13089c"
            ),
            (
                .deployment(owner: "acme", name: "my-deploy"), nil, .shared, #"{"n":1.0}"#,
                input: "2bfd14f43d17fc7cea24e0917a8879b4b2f880b8baeec1b9d90fbaad655e71bd",
                key: "e45670522da893b1a0c15ca1d8d6c84f166be71ced06f3a2402ae7555782bc21"
            ),
        ]
        for (model, version, scope, json, inputHex, keyHex) in cases {
            let digest = try inputDigest(json)
            #expect(digest.hex == inputHex)
            let key = CacheKey(model: model, version: version, scope: scope, input: digest, hasher: hasher)
            #expect(key.description == keyHex)
        }
    }

    // MARK: - Text form

    @Test func hexRoundTrip() throws {
        let original = try key()
        #expect(original.hex.count == 64)
        #expect(original.hex == original.hex.lowercased())
        #expect(CacheKey(hex: original.hex) == original)
        #expect(CacheKey(hex: original.hex.uppercased()) == original)
        #expect(CacheKey(hex: String(original.hex.dropLast())) == nil)
        #expect(CacheKey(hex: String(original.hex.dropLast()) + "g") == nil)
        #expect(CacheKey(hex: original.hex + "0") == nil)
    }
}
