import Foundation
import TestSupport
import Testing

/// Who may see cached output: ids made up for hits answer only the token that created them, and
/// a token Replicate rejects gets Replicate's 401, never an entry.
@Suite struct CacheAuthTests {
    /// Runs `body` with a harness holding one stored entry for `input`, and a hit on it.
    static func withHitOnStoredEntry(
        _ input: String, _ body: (ProxyHarness, RawHTTPResponse) async throws -> Void
    ) async throws {
        try await withHarness { h in
            let miss = try await h.reprise.create(Models.hello, input: input)
            guard try await h.waitForEntry(miss.cacheKey) else { throw HarnessError("no entry was stored for \(input)") }
            let hit = try await h.reprise.create(Models.hello, input: input)
            guard hit.cacheStatus == "HIT" else { throw HarnessError("expected a hit, got \(hit.cacheStatus ?? "nil")") }
            try await body(h, hit)
        }
    }

    @Test func hitIdCanBeReadAndCancelledByItsToken() async throws {
        try await Self.withHitOnStoredEntry(#"{"text":"mine"}"#) { h, hit in
            let read = try await h.reprise.poll(hit.predictionID)
            #expect(read.status == 200)
            #expect(read.header("content-type") == "application/json")
            #expect(read.jsonObject == hit.jsonObject)
            let cancel = try await h.reprise.send("POST", "/v1/predictions/\(hit.predictionID)/cancel")
            #expect(cancel.status == 200)
            #expect(cancel.jsonObject == hit.jsonObject)
            // Answered by Reprise alone: Replicate never heard of this id.
            #expect(h.upstream.count(.getPrediction) == 0)
            #expect(h.upstream.count(.cancelPrediction) == 0)
        }
    }

    @Test func hitIdIsNotFoundForAnotherToken() async throws {
        try await Self.withHitOnStoredEntry(#"{"text":"not yours"}"#) { h, hit in
            let read = try await h.reprise.poll(hit.predictionID, token: FakeUpstream.otherToken)
            GatewayErrorTests.expectProblem(read, status: 404)
            #expect(!read.bodyString.contains("not yours"))
            let cancel = try await h.reprise.send(
                "POST", "/v1/predictions/\(hit.predictionID)/cancel", token: FakeUpstream.otherToken)
            GatewayErrorTests.expectProblem(cancel, status: 404)
            let anonymous = try await h.reprise.poll(hit.predictionID, token: nil)
            GatewayErrorTests.expectProblem(anonymous, status: 401)
        }
    }

    @Test func tokenUpstreamRejectsGetsReplicates401NotTheEntry() async throws {
        try await Self.withHitOnStoredEntry(#"{"text":"secret output"}"#) { h, _ in
            let rejected = try await h.reprise.create(
                Models.hello, input: #"{"text":"secret output"}"#, token: FakeUpstream.unknownToken)
            #expect(rejected.status == 401)
            #expect(!rejected.bodyString.contains("secret output"))
            let replicates = try await h.upstream.send("GET", "/v1/account", token: FakeUpstream.unknownToken)
            #expect(replicates.status == 401)
            #expect(rejected.jsonObject == replicates.jsonObject)
            #expect(h.upstream.creates == 1)
            // A rejection is not remembered as acceptance: the next try asks Replicate again.
            let rejections = h.upstream.count(.unauthorized)
            let again = try await h.reprise.create(
                Models.hello, input: #"{"text":"secret output"}"#, token: FakeUpstream.unknownToken)
            #expect(again.status == 401)
            #expect(h.upstream.count(.unauthorized) == rejections + 1)
        }
    }

    @Test func anotherAcceptedTokenIsCheckedOnceThenServed() async throws {
        try await Self.withHitOnStoredEntry(#"{"text":"shared"}"#) { h, _ in
            let accountChecks = h.upstream.count(.account)
            let input = #"{"text":"shared"}"#
            let first = try await h.reprise.create(Models.hello, input: input, token: FakeUpstream.otherToken)
            #expect(first.cacheStatus == "HIT")
            #expect(h.upstream.count(.account) == accountChecks + 1)
            let second = try await h.reprise.create(Models.hello, input: input, token: FakeUpstream.otherToken)
            #expect(second.cacheStatus == "HIT")
            #expect(h.upstream.count(.account) == accountChecks + 1)
            #expect(h.upstream.creates == 1)
            // Each token reads only its own hit ids.
            #expect(try await h.reprise.poll(first.predictionID, token: FakeUpstream.otherToken).status == 200)
            #expect(try await h.reprise.poll(first.predictionID).status == 404)
        }
    }

    /// `cache.scope: token`: each token has its own entries. The same input through another
    /// token is a miss under another key, and each token then hits its own entry — also when
    /// the request bytes are the same (the remembered body analysis holds no token).
    @Test func tokenScopeKeepsEachTokensEntriesApart() async throws {
        try await withHarness(RepriseOptions(cacheScope: "token")) { h in
            let input = #"{"text":"per token"}"#
            let mine = try await h.reprise.create(Models.hello, input: input)
            #expect(mine.cacheStatus == "MISS")
            #expect(try await h.waitForEntry(mine.cacheKey))
            #expect(try await h.reprise.create(Models.hello, input: input).cacheStatus == "HIT")
            let theirs = try await h.reprise.create(Models.hello, input: input, token: FakeUpstream.otherToken)
            #expect(theirs.cacheStatus == "MISS")
            #expect(theirs.cacheKey != mine.cacheKey)
            #expect(try await h.waitForEntry(theirs.cacheKey))
            let theirHit = try await h.reprise.create(Models.hello, input: input, token: FakeUpstream.otherToken)
            #expect(theirHit.cacheStatus == "HIT" && theirHit.cacheKey == theirs.cacheKey)
            let myHit = try await h.reprise.create(Models.hello, input: input)
            #expect(myHit.cacheStatus == "HIT" && myHit.cacheKey == mine.cacheKey)
            #expect(h.upstream.creates == 2)
        }
    }
}
