import Foundation
import RedisKeyspace
import TestSupport
import Testing

/// The core of the cache: a repeated create is answered from Redis with a complete prediction
/// under a fresh id; the key ignores how the input is spelled; only successes are stored; the
/// TTL comes from the config.
@Suite struct CacheHitMissTests {
    @Test func sameCreateTwiceIsMissThenHit() async throws {
        try await withHarness { h in
            let input = #"{"text":"cache me"}"#
            let miss = try await h.reprise.create(Models.hello, input: input)
            #expect(miss.status == 201)
            #expect(miss.cacheStatus == "MISS")
            #expect(miss.predictionStatus == "succeeded")
            let key = try #require(miss.cacheKey)
            #expect(key.count == 64 && key.allSatisfy { $0.isHexDigit && !$0.isUppercase })
            #expect(miss.header("age") == nil)
            #expect(try await h.waitForEntry(key))
            // Stored with the default TTL (1h).
            let ttl = try await h.redis.pttl(try h.entryKey(key))
            #expect(ttl > 3_500_000 && ttl <= 3_600_000)

            let hit = try await h.reprise.create(Models.hello, input: input)
            #expect(hit.status == 201)
            #expect(hit.cacheStatus == "HIT")
            #expect(hit.cacheKey == key)
            #expect(hit.header("age").flatMap { Int($0) }.map { $0 >= 0 } == true)
            #expect(hit.header("content-type") == "application/json")
            #expect(h.upstream.creates == 1)

            let p = hit.json
            let id = hit.predictionID
            #expect(id.count == 26 && id.allSatisfy { $0.isLowercase || $0.isNumber })
            #expect(id != miss.predictionID)
            #expect(p["status"] as? String == "succeeded")
            #expect(p["output"] as? String == "hello cache me")
            #expect(p["output"] as? String == miss.json["output"] as? String)
            #expect((p["input"] as? NSDictionary) == (miss.json["input"] as? NSDictionary))
            #expect(p["model"] as? String == Models.hello)
            #expect(p["version"] as? String == miss.json["version"] as? String)
            #expect(p["error"] is NSNull)
            #expect(p["logs"] is String)
            #expect((p["metrics"] as? [String: Any])?["predict_time"] != nil)
            for stamp in ["created_at", "started_at", "completed_at"] { #expect(p[stamp] is String, "\(stamp)") }
            let urls = p["urls"] as? [String: String]
            #expect(urls?["get"] == h.reprise.base + "/v1/predictions/" + id)
            #expect(urls?["cancel"] == h.reprise.base + "/v1/predictions/" + id + "/cancel")
        }
    }

    @Test func canonicalSpellingsOfOneInputShareAnEntry() async throws {
        try await withHarness { h in
            let first = try await h.reprise.create(Models.hello, input: #"{"text":"canon","n":1,"o":{"b":true,"a":[1,2]}}"#)
            #expect(first.cacheStatus == "MISS")
            #expect(try await h.waitForEntry(first.cacheKey))
            let variants = [
                #"{ "o" : { "a" : [ 1.0 , 2 ] , "b" : true } , "n" : 1e0 , "text" : "canon" }"#,
                "{\n\t\"n\": 1.0,\n\t\"text\": \"canon\",\n\t\"o\": {\"a\": [1E0, 2.00], \"b\": true}\n}",
                #"{"text":"\u0063anon","o":{"b":true,"a":[10e-1,0.2e1]},"n":100e-2}"#,
            ]
            for input in variants {
                let r = try await h.reprise.create(Models.hello, input: input)
                #expect(r.cacheStatus == "HIT", "\(input)")
                #expect(r.cacheKey == first.cacheKey, "\(input)")
                // A hit echoes the client's own input, as it sent it.
                let sent = try JSONSerialization.jsonObject(with: Data(input.utf8)) as? NSDictionary
                #expect((r.json["input"] as? NSDictionary) == sent, "\(input)")
            }
            #expect(h.upstream.creates == 1)
            let other = try await h.reprise.create(Models.hello, input: #"{"text":"canon","n":2,"o":{"b":true,"a":[1,2]}}"#)
            #expect(other.cacheStatus == "MISS")
            #expect(other.cacheKey != first.cacheKey)
        }
    }

    @Test func bareVersionIdAndFullReferenceShareAnEntry() async throws {
        try await withHarness { h in
            let input = #""input":{"text":"versioned"}"#
            let bare = try await h.reprise.send(
                "POST", "/v1/predictions", json: #"{"version":"\#(Models.helloVersion)",\#(input)}"#,
                headers: [("Prefer", "wait")])
            #expect(bare.status == 201)
            #expect(bare.cacheStatus == "MISS")
            #expect(try await h.waitForEntry(bare.cacheKey))
            let full = try await h.reprise.send(
                "POST", "/v1/predictions", json: #"{"version":"\#(Models.hello):\#(Models.helloVersion)",\#(input)}"#,
                headers: [("Prefer", "wait")])
            #expect(full.cacheStatus == "HIT")
            #expect(full.cacheKey == bare.cacheKey)
            #expect(full.json["output"] as? String == "hello versioned")
            let bareAgain = try await h.reprise.send(
                "POST", "/v1/predictions", json: #"{"version":"\#(Models.helloVersion)",\#(input)}"#)
            #expect(bareAgain.cacheStatus == "HIT")
            #expect(h.upstream.creates == 1)
        }
    }

    @Test func failedPredictionsAreNeverStored() async throws {
        try await withHarness { h in
            let input = #"{"message":"boom"}"#
            let first = try await h.reprise.create(Models.fails, input: input)
            #expect(first.status == 201)
            #expect(first.predictionStatus == "failed")
            #expect(first.cacheStatus == "MISS")
            let second = try await h.reprise.create(Models.fails, input: input)
            #expect(second.cacheStatus == "MISS")
            #expect(second.predictionStatus == "failed")
            #expect(second.predictionID != first.predictionID)
            #expect(h.upstream.creates == 2)
            #expect(try await h.storedEntry(first.cacheKey) == nil)
        }
    }

    @Test func modelWithCachingDisabledIsBypassed() async throws {
        try await withHarness(RepriseOptions(cacheModels: [Models.hello: "{ enabled: false }"])) { h in
            let input = #"{"text":"never cached"}"#
            let first = try await h.reprise.create(Models.hello, input: input)
            let second = try await h.reprise.create(Models.hello, input: input)
            for r in [first, second] {
                #expect(r.status == 201)
                #expect(r.cacheStatus == "BYPASS")
                #expect(r.cacheKey?.count == 64)
                #expect(r.predictionStatus == "succeeded")
            }
            #expect(h.upstream.creates == 2)
            #expect(try await h.storedEntry(first.cacheKey) == nil)
        }
    }

    @Test func unkeyableBodiesAreForwardedAsBypassWithoutAKey() async throws {
        try await withHarness { h in
            let broken = try await h.reprise.send(
                "POST", "/v1/models/\(Models.hello)/predictions", json: #"{"input": {"text": "x""#,
                headers: [("Prefer", "wait")])
            #expect(broken.status == 400)  // the fake's own answer to a body it cannot parse
            #expect(broken.cacheStatus == "BYPASS")
            #expect(!broken.headerNames.contains("x-cache-key"))
            #expect(h.upstream.creates == 1)

            let noInput = try await h.reprise.send("POST", "/v1/models/\(Models.hello)/predictions", json: #"{"inputs":{}}"#)
            #expect(noInput.cacheStatus == "BYPASS")
            #expect(!noInput.headerNames.contains("x-cache-key"))
            #expect(h.upstream.creates == 2)
        }
    }

    @Test func duplicateKeysAreForwardedAndNeverCached() async throws {
        try await withHarness { h in
            let body = #"{"input":{"text":"a","text":"b"}}"#
            for _ in 0..<2 {
                let r = try await h.reprise.send(
                    "POST", "/v1/models/\(Models.hello)/predictions", json: body, headers: [("Prefer", "wait")])
                // The fake, like a strict JSON server, answers 400; what matters here is that the
                // body went upstream each time and nothing was keyed or cached.
                #expect(r.status == 400)
                #expect(r.cacheStatus == "BYPASS")
                #expect(!r.headerNames.contains("x-cache-key"))
            }
            #expect(h.upstream.creates == 2)
        }
    }

    @Test func entriesExpireAfterTheModelsTTL() async throws {
        // 3 s rather than 1 s: long enough that a busy test machine still sees the entry (and
        // hits it) before Redis drops it.
        try await withHarness(RepriseOptions(cacheModels: [Models.hello: "{ ttl: 3s }"])) { h in
            let input = #"{"text":"short-lived"}"#
            let miss = try await h.reprise.create(Models.hello, input: input)
            #expect(miss.cacheStatus == "MISS")
            let key = try h.entryKey(miss.cacheKey)
            // One loop, one Redis connection: the entry's write went before this create's lookup.
            #expect(try await h.reprise.create(Models.hello, input: input).cacheStatus == "HIT")
            let ttl = try await h.redis.pttl(key)
            #expect(ttl > 0 && ttl <= 3000)
            #expect(try await eventually(timeout: .seconds(15)) { try await !h.redis.exists(key) })
            let again = try await h.reprise.create(Models.hello, input: input)
            #expect(again.cacheStatus == "MISS")
            #expect(h.upstream.creates == 2)
        }
    }

    /// A hit's record refers to the entry it came from instead of copying the answer; reading
    /// the hit id, on another replica, renders exactly what the create answered, with the
    /// client's own input whether or not it was spelled like the stored one.
    @Test func hitIdsAreAnsweredByReferenceExactlyAsCreated() async throws {
        try await withHarness { h in
            let other = try await h.startReprise()
            let long = String(repeating: "x", count: 8_000)
            let stored = #"{"text":"by reference","pad":"\#(long)"}"#
            let first = try await h.reprise.create(Models.hello, input: stored)
            #expect(try await h.waitForEntry(first.cacheKey))
            for input in [stored, #"{ "pad" : "\#(long)", "text" : "by reference" }"#] {
                let hit = try await h.reprise.create(Models.hello, input: input)
                #expect(hit.cacheStatus == "HIT")
                let read = try await other.send("GET", "/v1/predictions/" + hit.predictionID)
                #expect(read.status == 200)
                #expect(read.body == hit.body, "the hit id reads back byte for byte as created")
                let record = try #require(try await h.redis.get(h.keys.prediction(RedisKeySchema.Identifier(hit.predictionID)!)))
                if input == stored {
                    #expect(record.count < 1_000, "the record holds a reference, not the 8 KB answer (\(record.count) B)")
                } else {
                    #expect(record.count > 8_000, "a respelled input is the client's own: the record keeps it")
                }
                let cancel = try await other.send("POST", "/v1/predictions/" + hit.predictionID + "/cancel")
                #expect(cancel.status == 200 && cancel.body == hit.body)
                let stranger = try await other.send(
                    "GET", "/v1/predictions/" + hit.predictionID, token: FakeUpstream.otherToken)
                #expect(stranger.status == 404)
            }
            #expect(h.upstream.creates == 1)
        }
    }
}
