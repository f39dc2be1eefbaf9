import EventLoop
import Foundation
import HTTPTypes
import Testing

@testable import Upstream

/// Requests of every shape against a scripted HTTP/1.1 server on a real socket.
@Suite struct UpstreamClientTests {
    @Test(arguments: Engine.allCases) func getRelaysHeadersInOrderAndCaseAndSendsNothingExtra(engine: Engine) throws {
        let server = try ScriptedHTTPServer { _, c in
            c.writeHead(
                status: 200,
                [
                    ("X-Zeta", "1"), ("content-type", "text/plain"), ("X-Alpha", "2"), ("Set-Cookie", "a=1"),
                    ("Set-Cookie", "b=2"), ("Content-Length", "5"),
                ])
            c.write("hello")
            return .keepOpen
        }
        let harness = try LoopHarness(engine: engine, origin: server.baseURL)
        defer { harness.close() }
        var headers = HTTPHeaders()
        headers.add("X-Request-ID", "abc")
        headers.add("authorization", "Bearer test")
        let d = harness.perform(
            UpstreamRequest(method: .get, url: server.baseURL + "/v1/models?cursor=x%20y", headers: headers))

        #expect(d.error == nil)
        #expect(d.events == ["head", "body", "finish"])
        #expect(d.head?.status == 200)
        let fields = d.head.map { Array($0.headers).map { "\($0.name): \($0.value)" } } ?? []
        #expect(
            fields == [
                "X-Zeta: 1", "content-type: text/plain", "X-Alpha: 2", "Set-Cookie: a=1", "Set-Cookie: b=2",
                "Content-Length: 5",
            ])
        #expect(d.bodyText == "hello")

        let seen = try #require(server.requests.first)
        #expect(seen.method == "GET")
        #expect(seen.target == "/v1/models?cursor=x%20y")
        #expect(seen.header("Host") == "127.0.0.1:\(server.port)")
        #expect(seen.header("X-Request-ID") == "abc")
        #expect(seen.header("Authorization") == "Bearer test")
        #expect(seen.header("Accept") == nil)
        #expect(seen.header("Accept-Encoding") == nil)
        #expect(seen.header("Expect") == nil)
        #expect(seen.header("User-Agent") == nil)
        #expect(seen.header("Content-Length") == nil)
    }

    @Test(arguments: Engine.allCases) func hostHeaderFromTheRequestWinsOverTheURL(engine: Engine) throws {
        let server = try ScriptedHTTPServer { _, c in
            c.writeHead(status: 204, [])
            return .keepOpen
        }
        let harness = try LoopHarness(engine: engine, origin: server.baseURL)
        defer { harness.close() }
        let d = harness.perform(
            UpstreamRequest(method: .get, url: server.baseURL + "/", headers: ["Host": "api.example.test"]))
        #expect(d.error == nil)
        #expect(d.head?.status == 204)
        #expect(d.events == ["head", "finish"])
        #expect(server.requests.first?.header("Host") == "api.example.test")
    }

    @Test(arguments: Engine.allCases) func postWithWholeBodySendsContentLengthAndTheBytes(engine: Engine) throws {
        let server = try ScriptedHTTPServer { r, c in
            c.writeHead(status: 201, [("Content-Length", "\(r.body.count)")])
            c.write(r.body)
            return .keepOpen
        }
        let harness = try LoopHarness(engine: engine, origin: server.baseURL)
        defer { harness.close() }
        let payload = Array(#"{"input":{"prompt":"a cat"}}"#.utf8)
        let d = harness.perform(
            UpstreamRequest(
                method: .post, url: server.baseURL + "/v1/predictions", headers: ["Content-Type": "application/json"],
                body: .bytes(payload)))
        #expect(d.error == nil)
        #expect(d.head?.status == 201)
        #expect(d.body == payload)
        let seen = try #require(server.requests.first)
        #expect(seen.method == "POST")
        #expect(seen.body == payload)
        #expect(seen.header("Content-Length") == "\(payload.count)")
        #expect(seen.header("Content-Type") == "application/json")
        #expect(seen.header("Expect") == nil)
        #expect(!seen.wasChunked)
    }

    @Test(arguments: Engine.allCases) func postWithoutContentTypeGetsNoneAdded(engine: Engine) throws {
        let server = try ScriptedHTTPServer { _, c in
            c.writeHead(status: 200, [("Content-Length", "0")])
            return .keepOpen
        }
        let harness = try LoopHarness(engine: engine, origin: server.baseURL)
        defer { harness.close() }
        let d = harness.perform(UpstreamRequest(method: .post, url: server.baseURL + "/x", body: .none))
        #expect(d.error == nil)
        let seen = try #require(server.requests.first)
        #expect(seen.header("Content-Type") == nil)
        #expect(seen.header("Content-Length") == "0")
    }

    @Test(arguments: Engine.allCases, [nil, 5 * 3000] as [Int?])
    func streamedBodyFedAcrossLoopTicks(engine: Engine, declaredLength: Int?) throws {
        let server = try ScriptedHTTPServer(script: ScriptedHTTPServer.echoBody)
        let harness = try LoopHarness(engine: engine, origin: server.baseURL)
        defer { harness.close() }
        let pieces = (0..<5).map { i in [UInt8](repeating: UInt8(ascii: "a") + UInt8(i), count: 3000) }
        let d = RecordingDelegate()
        let transfer = ResultBox<UpstreamTransfer>()
        harness.perform(
            UpstreamRequest(method: .post, url: server.baseURL + "/upload", body: .streamed(length: declaredLength)),
            delegate: d
        ) { t in
            transfer.value = t
            t.feedAcrossTicks(pieces, on: harness.loop)
        }
        #expect(d.error == nil)
        let seen = try #require(server.requests.first)
        #expect(seen.body == pieces.flatMap { $0 })
        #expect(d.body == pieces.flatMap { $0 })
        if declaredLength == nil {
            #expect(seen.wasChunked)
            #expect(seen.header("Transfer-Encoding") == "chunked")
            #expect(seen.header("Content-Length") == nil)
        } else {
            #expect(!seen.wasChunked)
            #expect(seen.header("Content-Length") == "15000")
        }
    }

    @Test(arguments: Engine.allCases) func queryMethodCarriesItsBody(engine: Engine) throws {
        let server = try ScriptedHTTPServer { r, c in
            c.writeHead(status: 200, [("Content-Length", "2")])
            c.write("ok")
            return .keepOpen
        }
        let harness = try LoopHarness(engine: engine, origin: server.baseURL)
        defer { harness.close() }
        let query = Array("owner:meta".utf8)
        let d = harness.perform(
            UpstreamRequest(
                method: .query, url: server.baseURL + "/v1/models", headers: ["Content-Type": "text/plain"],
                body: .bytes(query)))
        #expect(d.error == nil)
        let seen = try #require(server.requests.first)
        #expect(seen.method == "QUERY")
        #expect(seen.body == query)
        #expect(seen.header("Content-Length") == "\(query.count)")
    }

    @Test(arguments: Engine.allCases) func headDeliversTheHeadAndNoBody(engine: Engine) throws {
        let server = try ScriptedHTTPServer { _, c in
            c.writeHead(status: 200, [("Content-Length", "1000"), ("Content-Type", "application/json")])
            return .keepOpen
        }
        let harness = try LoopHarness(engine: engine, origin: server.baseURL)
        defer { harness.close() }
        let d = harness.perform(UpstreamRequest(method: .head, url: server.baseURL + "/v1/account"))
        #expect(d.error == nil)
        #expect(d.events == ["head", "finish"])
        #expect(d.head?.headers[.contentLength] == "1000")
        #expect(server.requests.first?.method == "HEAD")
    }

    @Test(arguments: Engine.allCases) func deleteWithoutBodyAndPutWithBody(engine: Engine) throws {
        let server = try ScriptedHTTPServer { _, c in
            c.writeHead(status: 200, [("Content-Length", "0")])
            return .keepOpen
        }
        let harness = try LoopHarness(engine: engine, origin: server.baseURL)
        defer { harness.close() }
        let delete = harness.perform(UpstreamRequest(method: .delete, url: server.baseURL + "/v1/x"))
        let put = harness.perform(
            UpstreamRequest(method: .put, url: server.baseURL + "/v1/y", body: .bytes([1, 2, 3])))
        let patch = harness.perform(UpstreamRequest(method: .patch, url: server.baseURL + "/v1/z", body: .bytes([4])))
        #expect(delete.error == nil && put.error == nil && patch.error == nil)
        let seen = server.requests
        #expect(seen.map(\.method) == ["DELETE", "PUT", "PATCH"])
        #expect(seen[0].header("Content-Length") == nil)
        #expect(seen[0].body.isEmpty)
        #expect(seen[1].body == [1, 2, 3])
        #expect(seen[2].body == [4])
    }

    @Test(arguments: Engine.allCases) func sequentialRequestsReuseOneConnection(engine: Engine) throws {
        let server = try ScriptedHTTPServer { _, c in
            c.writeHead(status: 200, [("Content-Length", "2")])
            c.write("ok")
            return .keepOpen
        }
        let harness = try LoopHarness(engine: engine, origin: server.baseURL)
        defer { harness.close() }
        for _ in 0..<3 {
            let d = harness.perform(UpstreamRequest(method: .get, url: server.baseURL + "/ping"))
            #expect(d.error == nil)
            #expect(d.bodyText == "ok")
        }
        #expect(server.acceptCount == 1)
        #expect(server.requests.map(\.indexOnConnection) == [1, 2, 3])
    }

    @Test(arguments: Engine.allCases) func errorStatusIsANormalResponse(engine: Engine) throws {
        let server = try ScriptedHTTPServer { _, c in
            let body = #"{"title":"Internal","detail":"boom","status":500}"#
            c.writeHead(status: 500, reason: "Internal Server Error", [("Content-Length", "\(body.utf8.count)")])
            c.write(body)
            return .keepOpen
        }
        let harness = try LoopHarness(engine: engine, origin: server.baseURL)
        defer { harness.close() }
        let d = harness.perform(UpstreamRequest(method: .get, url: server.baseURL + "/"))
        #expect(d.error == nil)
        #expect(d.head?.status == 500)
        #expect(d.bodyText.contains("boom"))
    }

    @Test(arguments: Engine.allCases) func interimResponsesAreNotReported(engine: Engine) throws {
        let server = try ScriptedHTTPServer { _, c in
            c.write("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n")
            c.writeHead(status: 200, [("Content-Length", "3"), ("X-Final", "yes")])
            c.write("end")
            return .keepOpen
        }
        let harness = try LoopHarness(engine: engine, origin: server.baseURL)
        defer { harness.close() }
        let d = harness.perform(UpstreamRequest(method: .post, url: server.baseURL + "/", body: .bytes([1])))
        #expect(d.error == nil)
        #expect(d.events == ["head", "body", "finish"])
        #expect(d.head?.status == 200)
        #expect(d.head?.headers["x-final"] == "yes")
        #expect(d.head?.headers["link"] == nil)
    }
}

/// Bodies are relayed byte for byte: curl neither asks for nor undoes a content coding.
@Suite struct UpstreamContentCodingTests {
    @Test(arguments: Engine.allCases) func encodedBodyIsRelayedUntouchedAndTheClientsAcceptEncodingForwarded(engine: Engine) throws {
        // Not valid gzip on purpose: anything that tried to decode it would fail or change it.
        let encoded: [UInt8] = [0x1f, 0x8b, 0x08, 0x00, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x02]
        let server = try ScriptedHTTPServer { _, c in
            c.writeHead(status: 200, [("Content-Encoding", "gzip"), ("Content-Length", "\(encoded.count)")])
            c.write(encoded)
            return .keepOpen
        }
        let harness = try LoopHarness(engine: engine, origin: server.baseURL)
        defer { harness.close() }
        let forwarded = harness.perform(
            UpstreamRequest(method: .get, url: server.baseURL + "/", headers: ["Accept-Encoding": "gzip, br"]))
        let plain = harness.perform(UpstreamRequest(method: .get, url: server.baseURL + "/"))
        #expect(forwarded.error == nil && plain.error == nil)
        #expect(forwarded.body == encoded)
        #expect(plain.body == encoded)
        #expect(forwarded.head?.headers[.contentEncoding] == "gzip")
        #expect(server.requests.map { $0.header("Accept-Encoding") } == ["gzip, br", nil])
    }
}
