import Foundation
import TestSupport
import Testing

/// When upstream cannot be reached or is too slow, Reprise answers in Replicate's error shape
/// (502, 504); when upstream answers with an error, that answer is relayed as it came.
@Suite struct GatewayErrorTests {
    @Test func unreachableUpstreamIs502ProblemDetails() async throws {
        try await withHarness(RepriseOptions(unreachableUpstream: true)) { h in
            let passThrough = try await h.reprise.send("GET", "/v1/account")
            Self.expectProblem(passThrough, status: 502)
            let create = try await h.reprise.create(Models.hello, input: #"{"text":"nobody home"}"#)
            Self.expectProblem(create, status: 502)
            let read = try await h.reprise.poll("abcdefghijklmnopqrstuvwxyz")
            Self.expectProblem(read, status: 502)
        }
    }

    @Test func upstreamSlowerThanTheTimeoutIs504() async throws {
        try await withHarness(RepriseOptions(upstreamTimeout: "1s")) { h in
            let slow = [("X-Fake-Fault", "delay_ms=10000")]
            Self.expectProblem(try await h.reprise.send("GET", "/v1/account", headers: slow), status: 504)
            Self.expectProblem(try await h.reprise.create(Models.hello, input: #"{"text":"slow"}"#, headers: slow), status: 504)
        }
    }

    @Test func upstreamErrorIsRelayedWithStatusBodyAndRetryAfter() async throws {
        try await withHarness { h in
            let fault = [("X-Fake-Fault", "status=503;retry_after=2")]
            let direct = try await h.upstream.send("GET", "/v1/hardware", headers: fault)
            #expect(direct.status == 503)
            let relayed = try await h.reprise.send("GET", "/v1/hardware", headers: fault)
            #expect(relayed.status == 503)
            #expect(relayed.header("retry-after") == "2")
            #expect(relayed.body == direct.body)

            let create = try await h.reprise.create(Models.hello, input: #"{"text":"busy"}"#, headers: fault)
            #expect(create.status == 503)
            #expect(create.header("retry-after") == "2")
            #expect(create.body == direct.body)
            #expect(create.cacheStatus == "MISS")
            #expect(try await h.storedEntry(create.cacheKey) == nil)
        }
    }

    @Test func upstreamClosingWithoutAnAnswerIs502CountedAsClosed() async throws {
        try await withHarness { h in
            let closed = try await h.reprise.send("GET", "/v1/hardware", headers: [("X-Fake-Fault", "close")])
            Self.expectProblem(closed, status: 502)
            #expect(closed.json["detail"] as? String == "Replicate could not be reached: connection closed without an answer")
            let metrics = try await h.reprise.metrics()
            #expect(MetricsText.value(#"reprise_upstream_errors_total{kind="closed"}"#, in: metrics) == 1)
            #expect(MetricsText.value(#"reprise_upstream_errors_total{kind="connect"}"#, in: metrics) == nil)
        }
    }

    /// A Replicate-shaped error: JSON `{"title","detail","status"}` with the status repeated.
    static func expectProblem(_ r: RawHTTPResponse, status: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(r.status == status, sourceLocation: sourceLocation)
        #expect(r.header("content-type") == "application/json", sourceLocation: sourceLocation)
        #expect(Set(r.json.keys) == ["title", "detail", "status"], sourceLocation: sourceLocation)
        #expect(r.json["status"] as? Int == status, sourceLocation: sourceLocation)
    }
}
