@preconcurrency import Glibc
import HTTPTypes
import Testing

@testable import Upstream

/// The native engine's request bytes, and which URLs it takes from curl.
@Suite struct RequestWriterTests {
    static func text(_ bytes: [UInt8]?) -> String? { bytes.map { String(decoding: $0, as: UTF8.self) } }

    @Test func headCarriesHostThenTheCallersFieldsInOrderAndCase() {
        let headers = HTTPHeaders([
            ("authorization", "Bearer x"), ("X-Empty", ""), ("Content-Length", "99"), ("Transfer-Encoding", "chunked"),
            ("Expect", "100-continue"), ("X-Last", "z"),
        ])
        let head = RequestWriter.head(
            method: "GET", target: "/v1/models?cursor=a%20b", host: "127.0.0.1:5000", headers: headers, framing: .none)
        #expect(
            Self.text(head)
                == "GET /v1/models?cursor=a%20b HTTP/1.1\r\nHost: 127.0.0.1:5000\r\nauthorization: Bearer x\r\n"
                + "X-Empty:\r\nX-Last: z\r\n\r\n")
    }

    @Test func givenHostWinsAndFramingIsTheWritersOwn() {
        let length = RequestWriter.head(
            method: "POST", target: "/p", host: "h", headers: ["host": "api.test", "Content-Type": "a/b"],
            framing: .length(12))
        #expect(Self.text(length) == "POST /p HTTP/1.1\r\nhost: api.test\r\nContent-Type: a/b\r\nContent-Length: 12\r\n\r\n")
        let chunked = RequestWriter.head(method: "PUT", target: "/", host: "h", headers: [:], framing: .chunked)
        #expect(Self.text(chunked) == "PUT / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n")
    }

    @Test func chunkFraming() {
        var out: [UInt8] = []
        RequestWriter.appendChunkStart(300, to: &out)
        out.append(contentsOf: RequestWriter.chunkEnd)
        out.append(contentsOf: RequestWriter.lastChunk)
        #expect(Self.text(out) == "12c\r\n\r\n0\r\n\r\n")
    }

    @Test(arguments: [
        ("GET", "/", "X-A", "a\r\nHost: evil"), ("GET", "/", "X-A", "a\nb"), ("GET", "/", "X-A", "a\u{0}b"),
        ("GET", "/", "X A", "ok"), ("GET", "/", "", "ok"), ("G T", "/", "X-A", "ok"), ("GET", "/a b", "X-A", "ok"),
        ("GET", "http://x/", "X-A", "ok"), ("GET", "", "X-A", "ok"),
    ])
    func unsendableRequestsAreRefused(method: String, target: String, name: String, value: String) {
        #expect(
            RequestWriter.head(
                method: method, target: Substring(target), host: "h", headers: HTTPHeaders([(name, value)]),
                framing: .none) == nil)
    }

    @Test func framingFollowsTheBody() {
        #expect(RequestWriter.framing(for: nil, method: .get) == .none)
        #expect(RequestWriter.framing(for: RequestBodyBuffer(bytes: [1, 2]), method: .post) == .length(2))
        #expect(RequestWriter.framing(for: RequestBodyBuffer(bytes: [1, 2]), method: .head) == .none)
        #expect(
            RequestWriter.framing(for: RequestBodyBuffer(streamedLength: nil, retainLimit: 10), method: .post)
                == .chunked)
        #expect(
            RequestWriter.framing(for: RequestBodyBuffer(streamedLength: 7, retainLimit: 10), method: .put)
                == .length(7))
    }
}

@Suite struct NativeOriginTests {
    @Test func targetsOnTheOriginOnly() throws {
        let origin = try NativeOrigin.make("http://127.0.0.1:5000").get()
        #expect(origin.authority == "127.0.0.1:5000")
        #expect(origin.family == AF_INET)
        #expect(origin.target(of: "http://127.0.0.1:5000/v1/models?x=1") == "/v1/models?x=1")
        #expect(origin.target(of: "http://127.0.0.1:5000") == "/")
        #expect(origin.target(of: "http://127.0.0.1:5000?q") == "/?q")
        #expect(origin.target(of: "http://127.0.0.1:5000/a#frag") == "/a")
        #expect(origin.target(of: "http://127.0.0.1:50001/") == nil)
        #expect(origin.target(of: "http://127.0.0.1:5000@evil.test/") == nil)
        #expect(origin.target(of: "http://127.0.0.1:5000.evil.test/") == nil)
        #expect(origin.target(of: "https://127.0.0.1:5000/") == nil)
        #expect(origin.target(of: "HTTP://127.0.0.1:5000/") == nil)
        #expect(origin.target(of: "http://127.0.0.1:5000/a b") == nil)
    }

    @Test func whatStaysOnCurl() {
        #expect(throws: NativeOrigin.Unsupported.self) { try NativeOrigin.make("https://127.0.0.1").get() }
        #expect(throws: NativeOrigin.Unsupported.self) { try NativeOrigin.make("http://api.replicate.com").get() }
        #expect(throws: NativeOrigin.Unsupported.self) { try NativeOrigin.make("http://127.0.0.1:5000/prefix").get() }
        #expect(throws: NativeOrigin.Unsupported.self) { try NativeOrigin.make("http://user@127.0.0.1").get() }
        #expect(throws: NativeOrigin.Unsupported.self) { try NativeOrigin.make("http://127.0.0.1:0").get() }
        #expect((try? NativeOrigin.make("http://[::1]:8080").get())?.authority == "[::1]:8080")
        #expect((try? NativeOrigin.make("http://10.0.0.1").get())?.target(of: "http://10.0.0.1/x") == "/x")
    }
}
