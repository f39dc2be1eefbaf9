import CryptoPrimitives
import FakeReplicate
import Foundation
import HTTPTypes
import Testing

/// Auth, listings with absolute pagination links, and the read-only routes.
@Suite struct CatalogueRouteTests {
    static let unauthenticated =
        #"{"title":"Unauthenticated","detail":"You did not pass a valid authentication token","status":401}"#

    @Test func missingOrWrongTokensGetReplicates401() async throws {
        let h = try FakeHarness()
        defer { h.shutdown() }
        let cases: [(String?, String)] = [
            (nil, "/v1/predictions"), (nil, "/v1/models/replicate/hello-world"), (nil, "/v1/account"),
            (nil, "/v1/nothing-here"),
        ]
        for (token, target) in cases {
            let ex = await h.send(.get, target, token: token)
            #expect(ex.status == 401, "\(target)")
            #expect(ex.responseText == Self.unauthenticated)
        }
        let wrong = await h.send(.get, "/v1/account", token: "r8_wrong")
        #expect(wrong.status == 401)
        let noScheme = await h.send(.get, "/v1/account", headers: [("Authorization", FakeHarness.token)], token: nil)
        #expect(noScheme.status == 401)
        let legacy = await h.send(
            .get, "/v1/account", headers: [("Authorization", "Token " + FakeHarness.token)], token: nil)
        #expect(legacy.status == 200)
        #expect(h.fake.counters.value(.unauthorized) == 6)
    }

    @Test func accountAndWebhookSecretArePerToken() async throws {
        let h = try FakeHarness()
        defer { h.shutdown() }
        let a = await h.send(.get, "/v1/account")
        #expect(a.json["type"] as? String == "user")
        #expect(a.json["username"] as? String == "fake-user")
        #expect(a.json["name"] as? String == "Fake User")
        #expect(a.json["github_url"] as? String == "https://github.com/fake-user")
        let b = await h.send(.get, "/v1/account", token: FakeHarness.otherToken)
        #expect(b.json["username"] as? String == "fake-user-2")
        let s1 = await h.send(.get, "/v1/webhooks/default/secret").json["key"] as? String
        let s1again = await h.send(.get, "/v1/webhooks/default/secret").json["key"] as? String
        let s2 = await h.send(.get, "/v1/webhooks/default/secret", token: FakeHarness.otherToken).json["key"] as? String
        let key = try #require(s1)
        #expect(key.hasPrefix("whsec_"))
        #expect(Data(base64Encoded: String(key.dropFirst(6)))?.count == 32)
        #expect(s1 == s1again)
        #expect(s1 != s2)
    }

    @Test func predictionListIsNewestFirstWithAbsoluteCursorLinks() async throws {
        let h = try FakeHarness { $0.pageSize = 2 }
        defer { h.shutdown() }
        var ids: [String] = []
        for k in 1...5 { ids.append(await h.create("replicate/hello-world", input: #"{"text":"\#(k)"}"#)) }
        _ = await h.create("replicate/hello-world", input: #"{"text":"other"}"#, token: FakeHarness.otherToken)
        var seen: [String] = []
        var target: String? = "/v1/predictions"
        var pages: [[String: Any]] = []
        while let t = target {
            let page = await h.send(.get, t).json
            pages.append(page)
            seen += (page["results"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            if let next = page["next"] as? String {
                #expect(next.hasPrefix("http://fake.test/v1/predictions?cursor="))
                target = String(next.dropFirst("http://fake.test".count))
            } else {
                target = nil
            }
        }
        #expect(seen == ids.reversed())
        #expect(pages.count == 3)
        #expect(pages[0]["previous"] is NSNull)
        let previous = try #require(pages[1]["previous"] as? String)
        let back = await h.send(.get, String(previous.dropFirst("http://fake.test".count))).json
        #expect((back["results"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [ids[4], ids[3]])
        #expect(pages[2]["next"] is NSNull)
        let other = await h.send(.get, "/v1/predictions", token: FakeHarness.otherToken).json
        #expect((other["results"] as? [Any])?.count == 1)
    }

    @Test func modelListPaginatesAndSearchFindsByText() async throws {
        let h = try FakeHarness { $0.pageSize = 2 }
        defer { h.shutdown() }
        let first = await h.send(.get, "/v1/models").json
        #expect(
            (first["results"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == [
                "hello-world", "meta-llama-3-8b-instruct",
            ])
        #expect(first["next"] as? String == "http://fake.test/v1/models?cursor=2")
        #expect(first["previous"] is NSNull)
        let last = await h.send(.get, "/v1/models?cursor=4").json
        #expect((last["results"] as? [Any])?.count == 1)
        #expect(last["next"] is NSNull)
        #expect(last["previous"] as? String == "http://fake.test/v1/models?cursor=2")
        let search = await h.send(
            .query, "/v1/models", body: Array("LLAMA".utf8), headers: [("Content-Type", "text/plain")])
        #expect(search.status == 200)
        #expect((search.json["results"] as? [[String: Any]])?.compactMap { $0["owner"] as? String } == ["meta"])
    }

    @Test func modelAndVersionCarryTheOpenAPISchema() async throws {
        let h = try FakeHarness()
        defer { h.shutdown() }
        let model = await h.send(.get, "/v1/models/meta/meta-llama-3-8b-instruct")
        #expect(model.status == 200)
        #expect(model.json["is_official"] as? Bool == true)
        #expect(model.json["url"] as? String == "https://replicate.com/meta/meta-llama-3-8b-instruct")
        let latest = try #require(model.json["latest_version"] as? [String: Any])
        let id = try #require(latest["id"] as? String)
        #expect(id.utf8.count == 64)
        let version = await h.send(.get, "/v1/models/meta/meta-llama-3-8b-instruct/versions/\(id)")
        #expect(version.status == 200)
        let schema = try #require(version.json["openapi_schema"] as? [String: Any])
        let output =
            (((schema["components"] as? [String: Any])?["schemas"] as? [String: Any])?["Output"]) as? [String: Any]
        #expect(output?["x-cog-array-type"] as? String == "iterator")
        #expect(output?["x-cog-array-display"] as? String == "concatenate")
        #expect((output?["items"] as? [String: Any])?["type"] as? String == "string")
        let versions = await h.send(.get, "/v1/models/meta/meta-llama-3-8b-instruct/versions")
        #expect((versions.json["results"] as? [Any])?.count == 1)
        #expect(await h.send(.get, "/v1/models/meta/meta-llama-3-8b-instruct/versions/abc").status == 404)
        let missing = await h.send(.get, "/v1/models/acme/none")
        #expect(missing.status == 404)
        #expect(missing.json["detail"] as? String == "Model not found: acme/none")
    }

    @Test func hardwareCollectionsBenchAndMisses() async throws {
        let h = try FakeHarness()
        defer { h.shutdown() }
        let hw = await h.send(.get, "/v1/hardware")
        #expect((hw.jsonArray.first as? [String: String]) == ["name": "CPU", "sku": "cpu"])
        let collections = await h.send(.get, "/v1/collections").json
        #expect((collections["results"] as? [[String: Any]])?.count == 2)
        let one = await h.send(.get, "/v1/collections/text-to-image").json
        #expect((one["models"] as? [[String: Any]])?.first?["name"] as? String == "sdxl")
        let bench = await h.send(.get, "/v1/fake/bench", token: nil)
        #expect(bench.status == 200)
        #expect(bench.responseText == #"{"ok":true,"service":"fake-replicate"}"#)
        let unknown = await h.send(.get, "/v1/nothing-here")
        #expect(unknown.status == 404)
        #expect(unknown.json["title"] as? String == "Not found")
        #expect(unknown.json["status"] as? Int == 404)
        let outside = await h.send(.get, "/elsewhere", token: nil)
        #expect(outside.status == 404)
        let wrongMethod = await h.send(.delete, "/v1/predictions")
        #expect(wrongMethod.status == 405)
    }

    @Test func echoDescribesTheRequestAndBlobIsDeterministic() async throws {
        let h = try FakeHarness()
        defer { h.shutdown() }
        let body = Array("some body".utf8)
        let echo = await h.send(.query, "/v1/fake/echo/x?a=1&b=", body: body, headers: [("X-Probe", "p")], token: nil)
        #expect(echo.status == 200)
        #expect(echo.json["method"] as? String == "QUERY")
        #expect(echo.json["path"] as? String == "/v1/fake/echo/x")
        #expect(echo.json["query"] as? String == "a=1&b=")
        #expect((echo.json["headers"] as? [[String]])?.contains(["X-Probe", "p"]) == true)
        #expect(echo.json["body_length"] as? Int == body.count)
        #expect(echo.json["body_sha256"] as? String == Hex.encode(SHA256Hasher().digest(body)))
        let noQuery = await h.send(.get, "/v1/fake/echo", token: nil)
        #expect(noQuery.json["query"] is NSNull)
        let blob = await h.send(.get, "/v1/fake/blob?bytes=1000", token: nil)
        let again = await h.send(.get, "/v1/fake/blob?bytes=1000", token: nil)
        #expect(blob.status == 200)
        #expect(blob.header(.contentType) == "application/octet-stream")
        #expect(blob.responseBody.count == 1000)
        #expect(blob.responseBody == again.responseBody)
        #expect(Set(blob.responseBody).count > 200)
        let bad = await h.send(.get, "/v1/fake/blob", token: nil)
        #expect(bad.status == 400)
    }

    @Test func fileUploadDescribesTheMultipartContentPart() async throws {
        let h = try FakeHarness()
        defer { h.shutdown() }
        let body = Array(
            ("--XyZ\r\nContent-Disposition: form-data; name=\"content\"; filename=\"a.txt\"\r\n"
                + "Content-Type: text/plain\r\n\r\nhello\r\n"
                + "--XyZ\r\nContent-Disposition: form-data; name=\"metadata\"\r\n\r\n{\"k\": 1}\r\n--XyZ--\r\n").utf8)
        let ex = await h.send(
            .post, "/v1/files", body: body, headers: [("Content-Type", "multipart/form-data; boundary=XyZ")])
        #expect(ex.status == 201)
        #expect(ex.json["name"] as? String == "a.txt")
        #expect(ex.json["content_type"] as? String == "text/plain")
        #expect(ex.json["size"] as? Int == 5)
        #expect((ex.json["metadata"] as? [String: Int]) == ["k": 1])
        #expect(
            (ex.json["checksums"] as? [String: String])?["sha256"]
                == "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
        let id = try #require(ex.json["id"] as? String)
        #expect((ex.json["urls"] as? [String: String])?["get"] == "http://fake.test/v1/files/\(id)")
    }

    @Test func deliveryPathServesAPNG() async throws {
        let h = try FakeHarness()
        defer { h.shutdown() }
        let ex = await h.send(.get, "/_fake/delivery/abc/out-0.png", token: nil)
        #expect(ex.status == 200)
        #expect(ex.header(.contentType) == "image/png")
        #expect(ex.responseBody.starts(with: [0x89, 0x50, 0x4E, 0x47]))
    }
}
