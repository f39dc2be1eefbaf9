import CryptoPrimitives
import Foundation
import TestSupport
import Testing

/// Requests Reprise does not cache reach upstream as the client sent them — method (even
/// `QUERY`), path under any of the three prefixes, query, body, end-to-end headers — and the
/// answer comes back whole, however large either side is. The fake's test-only echo route says
/// what arrived.
@Suite struct PassThroughTests {
    @Test func methodPathQueryAndBodyArriveIntact() async throws {
        try await withHarness { h in
            let body = #"{"b": [1, 2.50, "x"],  "a": null}"#
            let post = try await h.reprise.send("POST", "/v1/fake/echo/items?x=1&y=two%20words&z=", json: body)
            #expect(post.status == 200)
            #expect(post.json["method"] as? String == "POST")
            #expect(post.json["path"] as? String == "/v1/fake/echo/items")
            #expect(post.json["query"] as? String == "x=1&y=two%20words&z=")
            #expect(post.json["body_length"] as? Int == body.utf8.count)
            #expect(post.json["body_sha256"] as? String == Self.sha256(Array(body.utf8)))
            #expect(Self.echoed("authorization", in: post) == ["Bearer \(FakeUpstream.token)"])
            #expect(Self.echoed("content-type", in: post) == ["application/json"])

            let get = try await h.reprise.send("GET", "/v1/fake/echo")
            #expect(get.json["method"] as? String == "GET")
            #expect(get.json["query"] is NSNull)
            #expect(get.json["body_length"] as? Int == 0)

            let text = Array("text to search for".utf8)
            let query = try await h.reprise.send(
                "QUERY", "/v1/fake/echo/models?limit=3", body: text, headers: [("Content-Type", "text/plain")])
            #expect(query.status == 200)
            #expect(query.json["method"] as? String == "QUERY")
            #expect(query.json["path"] as? String == "/v1/fake/echo/models")
            #expect(query.json["query"] as? String == "limit=3")
            #expect(query.json["body_sha256"] as? String == Self.sha256(text))
        }
    }

    @Test func realQuerySearchIsAnsweredByUpstream() async throws {
        try await withHarness { h in
            let search = try await h.reprise.send(
                "QUERY", "/v1/models", body: Array("hello".utf8), headers: [("Content-Type", "text/plain")])
            #expect(search.status == 200)
            let names = (search.json["results"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
            #expect(names == ["hello-world"])
            #expect(h.upstream.count(.searchModels) == 1)
        }
    }

    @Test func everyPathPrefixReachesTheSameUpstreamPath() async throws {
        try await withHarness { h in
            for target in ["/v1/fake/echo/p/q?k=v", "/fake/echo/p/q?k=v", "/v1/v1/fake/echo/p/q?k=v"] {
                let r = try await h.reprise.send("GET", target)
                #expect(r.status == 200, "\(target)")
                #expect(r.json["path"] as? String == "/v1/fake/echo/p/q", "\(target)")
                #expect(r.json["query"] as? String == "k=v", "\(target)")
            }
        }
    }

    @Test func hopByHopHeadersAreNotForwarded() async throws {
        try await withHarness { h in
            let r = try await h.reprise.send(
                "GET", "/v1/fake/echo",
                headers: [
                    ("Connection", "X-Per-Hop, keep-alive"), ("X-Per-Hop", "1"), ("Keep-Alive", "timeout=5"),
                    ("Proxy-Connection", "keep-alive"), ("Proxy-Authorization", "Basic eDp5"), ("TE", "trailers"),
                    ("X-End-To-End", "kept"), ("Replicate-Client", "proxy-test"),
                ])
            #expect(r.status == 200)
            let names = Set(Self.echoedHeaders(r).map { $0.0.lowercased() })
            for dropped in ["connection", "x-per-hop", "keep-alive", "proxy-connection", "proxy-authorization", "te"] {
                #expect(!names.contains(dropped), "\(dropped) was forwarded")
            }
            #expect(Self.echoed("x-end-to-end", in: r) == ["kept"])
            #expect(Self.echoed("replicate-client", in: r) == ["proxy-test"])
            #expect(Self.echoed("host", in: r) == ["127.0.0.1:\(h.upstream.port)"])
        }
    }

    @Test func largeChunkedRequestBodyIsStreamedUpstreamIntact() async throws {
        try await withHarness { h in
            // 6 MiB of random bytes in uneven chunks, so chunk edges never line up with any buffer size.
            var generator = SystemRandomNumberGenerator()
            var chunks: [[UInt8]] = []
            var total = 0
            while total < 6 << 20 {
                let size = min(65_536 + 4_099 * (chunks.count % 7), (6 << 20) - total)
                let words = (0..<(size + 7) / 8).map { _ in generator.next() as UInt64 }
                chunks.append(words.withUnsafeBytes { Array($0.prefix(size)) })
                total += size
            }
            let r = try await h.reprise.sendChunked(
                "POST", "/v1/fake/echo/upload", chunks: chunks, headers: [("Content-Type", "application/octet-stream")])
            #expect(r.status == 200)
            #expect(r.json["body_length"] as? Int == total)
            #expect(r.json["body_sha256"] as? String == Self.sha256(chunks.flatMap { $0 }))
        }
    }

    @Test func largeResponseIsStreamedBackIntact() async throws {
        try await withHarness { h in
            let target = "/v1/fake/blob?bytes=\(12 << 20)"
            let direct = try await h.upstream.send("GET", target, token: nil)
            let proxied = try await h.reprise.send("GET", target, token: nil)
            #expect(direct.status == 200)
            #expect(proxied.status == 200)
            #expect(proxied.header("content-type") == "application/octet-stream")
            #expect(proxied.body.count == 12 << 20)
            #expect(proxied.body == direct.body)
        }
    }

    // MARK: - Helpers

    static func sha256(_ bytes: [UInt8]) -> String { Hex.encode(SHA256Hasher().digest(bytes)) }

    /// The `[name, value]` pairs the echo route received.
    static func echoedHeaders(_ r: RawHTTPResponse) -> [(String, String)] {
        ((r.json["headers"] as? [[String]]) ?? []).compactMap { $0.count == 2 ? ($0[0], $0[1]) : nil }
    }

    /// The values the echo route received for `name` (any case).
    static func echoed(_ name: String, in r: RawHTTPResponse) -> [String] {
        echoedHeaders(r).filter { $0.0.lowercased() == name }.map(\.1)
    }
}
