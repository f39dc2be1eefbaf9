import HTTPServer
import HTTPTypes
import TestSupport
import Testing

@Suite("HTTPServer timeouts")
struct ServerTimeoutTests {
    @Test func incompleteHeadGets408() throws {
        let server = try TestServer(configuration: serverConfig { $0.headerTimeout = .milliseconds(200) }, handler: ok)
        defer { server.shutdown() }
        let c = try server.client()
        try c.send("GET / HTTP/1.1\r\nHost: x\r\n")  // the blank line never comes
        let r = try c.readResponse()
        expectProblem(r, 408, "Request timeout")
        #expect(r.bodyString.contains("200ms"))
        try c.expectClose()
    }

    @Test func stalledBodyGets408AndTheExchangeHearsClose() throws {
        let closed = TestSignal()
        let server = try TestServer(configuration: serverConfig { $0.bodyTimeout = .milliseconds(200) }) { ex in
            ex.delegate = RecordingDelegate(onClose: { _ in closed.signal() })
        }
        defer { server.shutdown() }
        let c = try server.client()
        try c.send("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc")
        expectProblem(try c.readResponse(), 408, "Request timeout")
        #expect(closed.wait())
        try c.expectClose()
    }

    @Test func idleKeepAliveConnectionIsClosedSilently() throws {
        let server = try TestServer(configuration: serverConfig { $0.idleTimeout = .milliseconds(200) }, handler: ok)
        defer { server.shutdown() }
        let c = try server.client()
        try c.send("GET / HTTP/1.1\r\n\r\n")
        #expect(try c.readResponse().status == 200)
        #expect(try c.expectClose() == 0)
    }

    @Test func pausedBodyIsNotTimedOut() throws {
        // While the responder holds the body back, the stall timer does not run; after
        // resuming, the body arrives and the request completes.
        let server = try TestServer(configuration: serverConfig { $0.bodyTimeout = .milliseconds(100) }) { ex in
            echo(ex)
            ex.pauseRequestBody()
            ex.loop.schedule(after: .milliseconds(400)) { ex.resumeRequestBody() }
        }
        defer { server.shutdown() }
        let c = try server.client()
        try c.send("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello")
        let r = try c.readResponse()
        #expect(r.status == 200)
        #expect(r.bodyString == "hello")
    }
}
