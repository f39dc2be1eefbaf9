import Foundation
import TestSupport
import Testing

/// `urls.stream` is a capability on Reprise: opening it relays upstream's server-sent events
/// byte for byte; a token Reprise never handed out is Replicate's 404.
@Suite struct StreamRelayTests {
    @Test func streamIsRelayedExactlyAsUpstreamSendsIt() async throws {
        try await withHarness { h in
            let made = try await h.reprise.create(
                Models.llm, input: #"{"prompt":"the quick brown fox\njumps over"}"#, wait: false, extra: #","stream":true"#)
            #expect(made.status == 201)
            let streamURL = try #require((made.json["urls"] as? [String: String])?["stream"])
            let target = String(streamURL.dropFirst(h.reprise.base.count))
            #expect(target.hasPrefix("/v1/streams/"))

            let relayed = try await h.reprise.send("GET", target, headers: [("Accept", "text/event-stream")], token: nil)
            #expect(relayed.status == 200)
            #expect(relayed.header("content-type")?.hasPrefix("text/event-stream") == true)

            // The same stream fetched from the fake itself, at the URL only upstream knows.
            let upstreamPrediction = try await h.upstream.send("GET", "/v1/predictions/\(made.predictionID)")
            let upstreamURL = try #require((upstreamPrediction.json["urls"] as? [String: String])?["stream"])
            #expect(upstreamURL.hasPrefix(h.upstream.baseURL))
            let direct = try await h.upstream.send(
                "GET", String(upstreamURL.dropFirst(h.upstream.baseURL.count)), headers: [("Accept", "text/event-stream")],
                token: nil)
            #expect(direct.status == 200)
            #expect(relayed.bodyString == direct.bodyString)
            #expect(relayed.bodyString.contains("event: output"))
            #expect(relayed.bodyString.hasSuffix("event: done\nid: 7\ndata: {}\n\n"))
            let metrics = try await h.reprise.metrics()
            #expect(MetricsText.value(#"reprise_http_requests_total{route="stream",status="200"}"#, in: metrics) == 1)
            #expect(MetricsText.value("reprise_sse_streams_active", in: metrics) == 0)
        }
    }

    @Test func unknownStreamTokenIsReplicates404() async throws {
        try await withHarness { h in
            let r = try await h.reprise.send("GET", "/v1/streams/abcdefghijklmnopqrstuvwxyz", token: nil)
            #expect(r.status == 404)
            #expect(r.header("content-type") == "application/json")
            #expect(Set(r.json.keys) == ["title", "detail", "status"])
            #expect(r.json["status"] as? Int == 404)
            #expect(h.upstream.count(.streamOpen) == 0)
        }
    }
}
