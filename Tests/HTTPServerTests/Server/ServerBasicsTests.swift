import EventLoop
import HTTPServer
import HTTPTypes
import TestSupport
import Testing

@Suite("HTTPServer basics")
struct ServerBasicsTests {
    @Test func keepAliveConnectionServesSeveralRequests() throws {
        let server = try TestServer(handler: ok)
        defer { server.shutdown() }
        let c = try server.client()
        for _ in 0..<3 {
            try c.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
            let r = try c.readResponse()
            #expect(r.status == 200)
            #expect(r.reason == "OK")
            #expect(r.bodyString == "ok")
            #expect(r.header("connection") == nil)
        }
        #expect(server.server.connectionCount == 1)
    }

    @Test func contentLengthAndChunkedBodiesAreDelivered() throws {
        let server = try TestServer(handler: echo)
        defer { server.shutdown() }
        let c = try server.client()
        try c.send("POST /p?q=1 HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello")
        let a = try c.readResponse()
        #expect(a.bodyString == "hello")
        #expect(a.header("x-target") == "/p?q=1")
        try c.send("POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nchun\r\n3\r\nked\r\n0\r\n\r\n")
        #expect(try c.readResponse().bodyString == "chunked")
    }

    @Test func queryMethodWithTextBodyReachesTheResponder() throws {
        let server = try TestServer(handler: echo)
        defer { server.shutdown() }
        let c = try server.client()
        try c.send("QU")
        try c.send("ERY /v1/models HTTP/1.1\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\r\nowner:abc")
        let r = try c.readResponse()
        #expect(r.header("x-method") == "QUERY")
        #expect(r.bodyString == "owner:abc")
    }

    @Test func pipelinedResponsesLeaveInRequestOrder() throws {
        // The first request is answered 100 ms later (a loop timer); the others at once.
        let server = try TestServer(handler: { ex in
            let answer = { ex.respond(status: 200, body: Array(ex.head.target.utf8)) }
            if ex.head.target == "/1" {
                ex.loop.schedule(after: .milliseconds(100)) { answer() }
            } else {
                answer()
            }
        })
        defer { server.shutdown() }
        let c = try server.client()
        try c.send("GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\nGET /3 HTTP/1.1\r\n\r\n")
        #expect(try c.readResponse().bodyString == "/1")
        #expect(try c.readResponse().bodyString == "/2")
        #expect(try c.readResponse().bodyString == "/3")
    }

    @Test func http10WithoutKeepAliveIsClosedAfterTheResponse() throws {
        let server = try TestServer(handler: { ex in
            ex.sendHead(HTTPResponseHead(status: 200))
            ex.sendBody(Array("streamed".utf8))
            ex.finish()
        })
        defer { server.shutdown() }
        let c = try server.client()
        try c.send("GET / HTTP/1.0\r\n\r\n")
        let r = try c.readResponse()  // no length, not chunked: read until close
        #expect(r.header("connection") == "close")
        #expect(r.header("transfer-encoding") == nil)
        #expect(r.bodyString == "streamed")
    }

    @Test func http10KeepAliveClientIsToldAndKept() throws {
        let server = try TestServer(handler: ok)
        defer { server.shutdown() }
        let c = try server.client()
        for _ in 0..<2 {
            try c.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            let r = try c.readResponse()
            #expect(r.header("connection") == "keep-alive")
            #expect(r.bodyString == "ok")
        }
    }

    @Test func headResponseCarriesLengthButNoBody() throws {
        let server = try TestServer(handler: { ex in ex.respond(status: 200, body: Array("hello".utf8)) })
        defer { server.shutdown() }
        let c = try server.client()
        try c.send("HEAD / HTTP/1.1\r\n\r\n")
        let h = try c.readResponse(forHEAD: true)
        #expect(h.header("content-length") == "5")
        // Had body bytes been sent, they would now be read as the next status line.
        try c.send("GET / HTTP/1.1\r\n\r\n")
        #expect(try c.readResponse().bodyString == "hello")
    }

    @Test func unknownLengthIsChunkedForHTTP11() throws {
        let server = try TestServer(handler: { ex in
            ex.sendHead(HTTPResponseHead(status: 201, headers: ["Transfer-Encoding": "gzip", "X-A": "1"]))
            ex.sendBody(Array("one,".utf8))
            ex.sendBody([])
            ex.sendBody(Array(repeating: UInt8(ascii: "x"), count: 40_000))  // the direct-write path
            ex.sendBody(Array("three".utf8))
            ex.finish()
        })
        defer { server.shutdown() }
        let c = try server.client()
        try c.send("GET / HTTP/1.1\r\n\r\n")
        let head = try c.readHead()
        #expect(head.status == 201)
        #expect(head.headers.filter { $0.name.lowercased() == "transfer-encoding" }.map(\.value) == ["chunked"])
        #expect(head.header("x-a") == "1")
        #expect(try c.readChunk() == Array("one,".utf8))
        #expect(try c.readChunk()?.count == 40_000)
        #expect(try c.readChunk() == Array("three".utf8))
        #expect(try c.readChunk() == nil)
        try c.send("GET / HTTP/1.1\r\n\r\n")
        #expect(try c.readResponse().status == 201)
    }

    @Test func noContentHasNoBodyAndNoLength() throws {
        let server = try TestServer(handler: { ex in
            ex.sendHead(HTTPResponseHead(status: 204, headers: ["Content-Length": "3"]))
            ex.sendBody(Array("bad".utf8))
            ex.finish()
        })
        defer { server.shutdown() }
        let c = try server.client()
        try c.send("DELETE /x HTTP/1.1\r\n\r\nGET /y HTTP/1.1\r\n\r\n")
        let a = try c.readResponse()
        #expect(a.status == 204)
        #expect(a.header("content-length") == nil)
        #expect(try c.readResponse().status == 204)
    }

    @Test func halfClosedClientStillGetsItsResponses() throws {
        let server = try TestServer(handler: { ex in
            ex.loop.schedule(after: .milliseconds(50)) { ex.respond(status: 200, body: Array(ex.head.target.utf8)) }
        })
        defer { server.shutdown() }
        let c = try server.client()
        try c.send("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n")
        c.shutdownWrite()
        #expect(try c.readResponse().bodyString == "/a")
        #expect(try c.readResponse().bodyString == "/b")
        try c.expectClose()  // then the server closes: no more requests can come
    }

    @Test func halfClosedClientGetsALargeResponseWhole() throws {
        let size = 8 << 20
        let server = try TestServer(handler: { ex in
            ex.respond(status: 200, body: Array(repeating: UInt8(ascii: "L"), count: size))
        })
        defer { server.shutdown() }
        let c = try server.client(receiveBufferSize: 64 * 1024)
        try c.send("GET /large HTTP/1.1\r\n\r\n")
        c.shutdownWrite()
        #expect(try c.readResponse().body.count == size)
        try c.expectClose()
    }

    @Test func responseBeforeTheBodyWasReadClosesTheConnection() throws {
        let server = try TestServer(handler: { ex in ex.respond(status: 401, body: Array("no".utf8)) })
        defer { server.shutdown() }
        let c = try server.client()
        // Body bytes that look like a request must never be parsed as one.
        try c.send("POST / HTTP/1.1\r\nContent-Length: 40\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n")
        let r = try c.readResponse()
        #expect(r.status == 401)
        #expect(r.header("connection") == "close")
        try c.expectClose()
    }

    @Test func expectContinueIsAnsweredWhenTheBodyIsWanted() throws {
        let server = try TestServer(handler: echo)
        defer { server.shutdown() }
        let c = try server.client()
        try c.send("PUT /u HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
        let interim = try c.readHead()
        #expect(interim.status == 100)
        try c.send("data")
        let r = try c.readResponse()
        #expect(r.status == 200)
        #expect(r.bodyString == "data")
    }

    @Test func expectContinueIsNotSentWhenTheResponderAnswersFirst() throws {
        let server = try TestServer(handler: { ex in ex.respond(status: 403, body: []) })
        defer { server.shutdown() }
        let c = try server.client()
        try c.send("PUT /u HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
        let r = try c.readResponse()
        #expect(r.status == 403)
        #expect(r.header("connection") == "close")
    }

    @Test func expectContinueWithTooLargeDeclaredBodyIs413() throws {
        let server = try TestServer(configuration: serverConfig { $0.maxBodyBytes = 100 }, handler: echo)
        defer { server.shutdown() }
        let c = try server.client()
        try c.send("PUT /u HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 101\r\n\r\n")
        let r = try c.readResponse()
        #expect(r.status == 413)
        #expect(r.header("connection") == "close")
        #expect(r.bodyString.contains("\"title\":\"Request body too large\""))
        try c.expectClose()
    }

    @Test func delegateSetLaterReceivesTheBody() throws {
        let server = try TestServer(handler: { ex in
            ex.loop.schedule(after: .milliseconds(50)) { echo(ex) }
        })
        defer { server.shutdown() }
        let c = try server.client()
        try c.send("POST /late HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET /next HTTP/1.1\r\n\r\n")
        #expect(try c.readResponse().bodyString == "abc")
        #expect(try c.readResponse().header("x-target") == "/next")
    }
}
