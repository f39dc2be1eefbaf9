import Foundation
import TestSupport
import Testing

/// Replicate's absolute URLs in JSON answers are moved to Reprise — to the base the request's
/// `Host` names, or to `public_url` when configured — while URLs that are data (uploaded files
/// inside `input`, outputs) are left alone.
@Suite struct URLRewriteTests {
    @Test func listLinksAndPredictionURLsUseTheHostDerivedBase() async throws {
        try await withHarness(fake: { $0.pageSize = 2 }) { h in
            for text in ["one", "two", "three"] {
                let made = try await h.upstream.send(
                    "POST", "/v1/models/\(Models.hello)/predictions", json: #"{"input":{"text":"\#(text)"}}"#,
                    headers: [("Prefer", "wait")])
                #expect(made.predictionStatus == "succeeded")
            }
            let host = "reprise.test:8443"
            let base = "http://\(host)"
            let firstPage = try await h.reprise.send("GET", "/v1/predictions", host: host)
            #expect(firstPage.status == 200)
            let next = try #require(firstPage.json["next"] as? String)
            #expect(next.hasPrefix(base + "/v1/predictions?cursor="))
            #expect(firstPage.json["previous"] is NSNull)
            #expect(firstPage.jsonObject == Self.rebased(try await h.upstream.send("GET", "/v1/predictions"), h, base))

            let secondPage = try await h.reprise.send("GET", String(next.dropFirst(base.count)), host: host)
            #expect(secondPage.status == 200)
            let previous = try #require(secondPage.json["previous"] as? String)
            #expect(previous.hasPrefix(base + "/v1/predictions?cursor="))
            let direct = try await h.upstream.send("GET", String(next.dropFirst(base.count)))
            #expect(secondPage.jsonObject == Self.rebased(direct, h, base))
            for result in (firstPage.json["results"] as? [[String: Any]] ?? []) {
                let urls = result["urls"] as? [String: String]
                let id = result["id"] as? String ?? "?"
                #expect(urls?["get"] == base + "/v1/predictions/" + id)
                #expect(urls?["cancel"] == base + "/v1/predictions/" + id + "/cancel")
            }
        }
    }

    @Test func configuredPublicURLWinsOverHost() async throws {
        let publicURL = "https://replicate-cache.example.com"
        try await withHarness(RepriseOptions(publicURL: publicURL), fake: { $0.pageSize = 1 }) { h in
            let made = try await h.reprise.create(Models.hello, input: #"{"text":"public"}"#, wait: false, host: "ignored.test")
            let id = made.predictionID
            #expect((made.json["urls"] as? [String: String])?["get"] == publicURL + "/v1/predictions/" + id)
            _ = try await h.reprise.create(Models.hello, input: #"{"text":"public 2"}"#, wait: false)
            let list = try await h.reprise.send("GET", "/v1/predictions", host: "ignored.test")
            #expect((list.json["next"] as? String)?.hasPrefix(publicURL + "/v1/predictions?cursor=") == true)
            let read = try await h.reprise.poll(id)
            #expect((read.json["urls"] as? [String: String])?["cancel"] == publicURL + "/v1/predictions/\(id)/cancel")
        }
    }

    @Test func createAndReadAnswersPointAtReprise() async throws {
        try await withHarness { h in
            let made = try await h.reprise.create(
                Models.llm, input: #"{"prompt":"one two three"}"#, wait: false, extra: #","stream":true"#)
            #expect(made.status == 201)
            let id = made.predictionID
            let urls = try #require(made.json["urls"] as? [String: String])
            #expect(urls["get"] == h.reprise.base + "/v1/predictions/" + id)
            #expect(urls["cancel"] == h.reprise.base + "/v1/predictions/" + id + "/cancel")
            let stream = try #require(urls["stream"])
            let prefix = h.reprise.base + "/v1/streams/"
            #expect(stream.hasPrefix(prefix))
            let token = stream.dropFirst(prefix.count)
            #expect(token.count == 26 && token.allSatisfy { $0.isLowercase || $0.isNumber })
            let read = try await h.reprise.poll(id)
            #expect(read.status == 200)
            #expect((read.json["urls"] as? [String: String]) == urls)
        }
    }

    @Test func unfinishedSyncCreateLocationPointsAtReprise() async throws {
        try await withHarness { h in
            // The fake holds the answer for the whole second, then answers the running prediction.
            let held = try await h.reprise.send(
                "POST", "/v1/models/\(Models.slow)/predictions", json: #"{"input":{"seconds":30}}"#,
                headers: [("Prefer", "wait=1")])
            #expect(held.status == 201)
            #expect(held.predictionStatus != "succeeded")
            #expect(held.header("location") == h.reprise.base + "/v1/predictions/" + held.predictionID)
            #expect(held.header("preference-applied") == "wait=1")
        }
    }

    @Test func uploadedFileURLsInsideInputAreNotRewritten() async throws {
        try await withHarness { h in
            let fileURL = h.upstream.baseURL + "/v1/files/abc123"
            let made = try await h.reprise.create(Models.hello, input: #"{"text":"\#(fileURL)"}"#)
            #expect(made.status == 201)
            #expect((made.json["input"] as? [String: String])?["text"] == fileURL)
            #expect(made.json["output"] as? String == "hello " + fileURL)
            #expect((made.json["urls"] as? [String: String])?["get"] == h.reprise.base + "/v1/predictions/" + made.predictionID)
        }
    }

    /// The fake's own answer with its base moved to `base` wherever Reprise should have moved it
    /// (these answers hold no other fake URL).
    static func rebased(_ direct: RawHTTPResponse, _ h: ProxyHarness, _ base: String) -> NSDictionary {
        let text = direct.bodyString.replacingOccurrences(of: h.upstream.baseURL, with: base)
        return ((try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]) as NSDictionary
    }
}
