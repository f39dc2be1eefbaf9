import CacheCore
import CryptoPrimitives
import JSONCore
import ReplicateAPI
import Testing

@testable import ProxyCore

/// The request memo returns a remembered analysis only for the same route and the same body
/// bytes, and stays within its bounds.
@Suite struct CreateRequestMemoTests {
    static let route = PredictionRoute.createModelPrediction(owner: "replicate", name: "hello-world")

    static func body(_ text: String) -> [UInt8] { Array(#"{"input":{"text":"\#(text)"}}"#.utf8) }

    static func analysis(_ body: [UInt8], route: PredictionRoute = route) throws -> CreateRequestMemo.Analysis {
        let request = try CreateRequest.analyze(route: route, body: body).get()
        var canonicalizer = CanonicalJSON()
        let input = try InputDigest(canonicalizing: request.input, with: &canonicalizer, hasher: SHA256Hasher())
        let key = CacheKey(model: request.keyModel, version: request.version, scope: .shared, input: input, hasher: SHA256Hasher())
        return CreateRequestMemo.Analysis(request: request, input: input, inputJSON: request.input.serialized(), sharedKey: key)
    }

    @Test func answersOnlyTheSameRouteAndBytes() throws {
        let memo = CreateRequestMemo(maxBytes: 1 << 20, maxBodyBytes: 1 << 10, seed: 42)
        let body = Self.body("a")
        #expect(memo.lookup(route: Self.route, body: body) == nil)
        memo.remember(route: Self.route, body: body, analysis: try Self.analysis(body))
        let found = try #require(memo.lookup(route: Self.route, body: body))
        #expect(found.input == (try Self.analysis(body)).input)
        #expect(found.inputJSON == Array(#"{"text":"a"}"#.utf8))
        // Same meaning, other bytes: analysed afresh (the memo is about bytes, not meaning).
        #expect(memo.lookup(route: Self.route, body: Array(#"{"input": {"text":"a"}}"#.utf8)) == nil)
        #expect(memo.lookup(route: Self.route, body: Self.body("b")) == nil)
        let deployment = PredictionRoute.createDeploymentPrediction(owner: "replicate", name: "hello-world")
        #expect(memo.lookup(route: deployment, body: body) == nil, "the route is part of what a body means")
        #expect(memo.count == 1)
    }

    @Test func bodiesOverTheLimitAreNotRemembered() throws {
        let memo = CreateRequestMemo(maxBytes: 1 << 20, maxBodyBytes: 64, seed: 1)
        let long = Self.body(String(repeating: "x", count: 100))
        memo.remember(route: Self.route, body: long, analysis: try Self.analysis(long))
        #expect(memo.lookup(route: Self.route, body: long) == nil)
        #expect(memo.count == 0 && memo.usedBytes == 0)
    }

    @Test func staysWithinItsBudgetOldestFirst() throws {
        let memo = CreateRequestMemo(maxBytes: 16 << 10, maxBodyBytes: 1 << 10, seed: 7)
        var bodies: [[UInt8]] = []
        for i in 0..<200 {
            let body = Self.body("input \(i)")
            bodies.append(body)
            memo.remember(route: Self.route, body: body, analysis: try Self.analysis(body))
            #expect(memo.usedBytes <= memo.maxBytes)
        }
        #expect(memo.lookup(route: Self.route, body: bodies[199]) != nil, "the newest stays")
        #expect(memo.lookup(route: Self.route, body: bodies[0]) == nil, "the oldest went first")
        #expect(memo.count < 200 && memo.count > 10)
        // Remembering a body again replaces its slot instead of adding one.
        let before = (memo.count, memo.usedBytes)
        memo.remember(route: Self.route, body: bodies[199], analysis: try Self.analysis(bodies[199]))
        #expect((memo.count, memo.usedBytes) == before)
    }

    @Test func byteEqualityAtEveryLengthAndPosition() {
        for length in 0...20 {
            let a = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 1) }
            #expect(CreateRequestMemo.equal(a, a))
            #expect(!CreateRequestMemo.equal(a, a + [0]), "length differs")
            for position in 0..<length {
                var b = a
                b[position] ^= 0x80
                #expect(!CreateRequestMemo.equal(a, b), "length \(length), byte \(position)")
            }
        }
    }

    @Test func theHashSeesEveryByteAndTheSeed() {
        let memo = CreateRequestMemo(maxBytes: 1 << 20, maxBodyBytes: 1 << 10, seed: 3)
        let other = CreateRequestMemo(maxBytes: 1 << 20, maxBodyBytes: 1 << 10, seed: 4)
        for length in 1...20 {
            let a = [UInt8](repeating: 0x61, count: length)
            var seen: Set<UInt64> = [memo.hash(a)]
            for position in 0..<length {
                var b = a
                b[position] = 0x62
                seen.insert(memo.hash(b))
            }
            #expect(seen.count == length + 1, "length \(length)")
            #expect(memo.hash(a) != other.hash(a))
            #expect(memo.hash(a) != memo.hash(a + [0]), "a trailing zero byte changes the hash")
        }
    }
}
