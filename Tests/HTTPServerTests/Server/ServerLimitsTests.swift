import Foundation
import HTTPServer
import HTTPTypes
import TestSupport
import Testing

/// Checks that `r` is a ProblemDetails answer with `status` and `title`, sent with
/// `Connection: close`.
func expectProblem(
    _ r: RawHTTPResponse, _ status: Int, _ title: String, sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(r.status == status, sourceLocation: sourceLocation)
    #expect(r.header("connection") == "close", sourceLocation: sourceLocation)
    #expect(r.header("content-type") == "application/json", sourceLocation: sourceLocation)
    let json = try? JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any]
    #expect(json?["status"] as? Int == status, sourceLocation: sourceLocation)
    #expect(json?["title"] as? String == title, sourceLocation: sourceLocation)
    #expect((json?["detail"] as? String)?.isEmpty == false, sourceLocation: sourceLocation)
}

@Suite("HTTPServer limits and malformed input")
struct ServerLimitsTests {
    @Test(arguments: [
        "GET / HTTP/1.1\r\nHost example\r\n\r\n",
        "G(ET / HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n",
        "GET / HTTP/1.1\r\nX: a\u{01}b\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nnope\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: identity\r\n\r\nabc",
    ])
    func malformedRequestsGet400AndClose(_ request: String) throws {
        let server = try TestServer(handler: echo)
        defer { server.shutdown() }
        let c = try server.client()
        try c.send(request)
        expectProblem(try c.readResponse(), 400, "Bad request")
        try c.expectClose()
    }

    @Test func oversizedHeadGets431() throws {
        let server = try TestServer(configuration: serverConfig { $0.maxHeaderBytes = 1024 }, handler: ok)
        defer { server.shutdown() }
        let c = try server.client()
        try c.send("GET / HTTP/1.1\r\nX-Big: " + String(repeating: "b", count: 2000) + "\r\n\r\n")
        let r = try c.readResponse()
        expectProblem(r, 431, "Request header fields too large")
        #expect(r.bodyString.contains("1024 bytes"))
        try c.expectClose()
    }

    @Test func declaredBodyOverLimitGets413() throws {
        let server = try TestServer(configuration: serverConfig { $0.maxBodyBytes = 16 }, handler: echo)
        defer { server.shutdown() }
        let c = try server.client()
        try c.send("POST / HTTP/1.1\r\nContent-Length: 17\r\n\r\n")
        expectProblem(try c.readResponse(), 413, "Request body too large")
        try c.expectClose()
    }

    @Test func receivedChunkedBodyOverLimitGets413AndTheExchangeIsClosed() throws {
        let closed = TestSignal()
        let server = try TestServer(configuration: serverConfig { $0.maxBodyBytes = 16 }) { ex in
            ex.delegate = RecordingDelegate(onClose: { _ in closed.signal() })
        }
        defer { server.shutdown() }
        let c = try server.client()
        try c.send(
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\na\r\n0123456789\r\n0\r\n\r\n")
        expectProblem(try c.readResponse(), 413, "Request body too large")
        #expect(closed.wait())
        try c.expectClose()
    }

    @Test func http2PrefaceGets505() throws {
        let server = try TestServer(handler: ok)
        defer { server.shutdown() }
        let c = try server.client()
        try c.send("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
        expectProblem(try c.readResponse(), 505, "HTTP version not supported")
    }

    @Test func garbageAfterAGoodRequestIsAnsweredInOrder() throws {
        let server = try TestServer(handler: ok)
        defer { server.shutdown() }
        let c = try server.client()
        try c.send("GET / HTTP/1.1\r\n\r\n\u{01}\u{02}junk\r\n\r\n")
        #expect(try c.readResponse().status == 200)
        expectProblem(try c.readResponse(), 400, "Bad request")
        try c.expectClose()
    }
}
