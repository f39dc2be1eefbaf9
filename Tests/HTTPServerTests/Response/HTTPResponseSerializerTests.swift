import HTTPTypes
import Testing

@testable import HTTPServer

@Suite("HTTPResponseSerializer")
struct HTTPResponseSerializerTests {
    typealias Plan = HTTPResponseSerializer.Plan

    static let get11 = HTTPRequestHead(method: .get, target: "/")
    static let get10 = HTTPRequestHead(method: .get, target: "/", versionMinor: 0, keepAlive: false)
    static let get10KeepAlive = HTTPRequestHead(method: .get, target: "/", versionMinor: 0, keepAlive: true)
    static let head11 = HTTPRequestHead(method: .head, target: "/")
    static let close11 = HTTPRequestHead(method: .get, target: "/", keepAlive: false)

    static func plan(
        _ status: Int, _ headers: HTTPHeaders = [:], _ request: HTTPRequestHead = get11, mustClose: Bool = false
    )
        -> Plan
    {
        HTTPResponseSerializer.plan(
            HTTPResponseHead(status: status, headers: headers), for: request, mustClose: mustClose)
    }

    @Test func framingRules() {
        #expect(Self.plan(200, ["Content-Length": "5"]) == Plan(framing: .length(5), closes: false))
        #expect(Self.plan(200) == Plan(framing: .chunked, closes: false))
        #expect(Self.plan(200, [:], Self.get10) == Plan(framing: .closeDelimited, closes: true))
        #expect(Self.plan(200, [:], Self.get10KeepAlive) == Plan(framing: .closeDelimited, closes: true))
        #expect(
            Self.plan(200, ["Content-Length": "2"], Self.get10KeepAlive) == Plan(framing: .length(2), closes: false))
        #expect(Self.plan(200, ["Content-Length": "5"], Self.head11) == Plan(framing: .none, closes: false))
        #expect(Self.plan(204) == Plan(framing: .none, closes: false))
        #expect(Self.plan(304, ["Content-Length": "9"]) == Plan(framing: .none, closes: false))
        #expect(Self.plan(103) == Plan(framing: .none, closes: false))
        #expect(Self.plan(200, ["Content-Length": "5"], Self.close11) == Plan(framing: .length(5), closes: true))
        #expect(Self.plan(200, ["Content-Length": "5"], mustClose: true) == Plan(framing: .length(5), closes: true))
        #expect(Self.plan(200, ["Connection": "Close"]) == Plan(framing: .chunked, closes: true))
        #expect(Self.plan(200, ["Content-Length": "+5"]) == Plan(framing: .chunked, closes: false))
    }

    static func written(_ head: HTTPResponseHead, _ plan: Plan, http10: Bool = false) -> String {
        let q = ByteQueue()
        HTTPResponseSerializer.writeHead(head, plan: plan, http10Client: http10, into: q)
        return String(decoding: q.readable, as: UTF8.self)
    }

    @Test func headBytes() {
        let h = HTTPResponseHead(status: 200, headers: ["Content-Length": "2", "X-Case": "Kept"])
        #expect(
            Self.written(h, Plan(framing: .length(2), closes: false))
                == "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Case: Kept\r\n\r\n")
        #expect(
            Self.written(h, Plan(framing: .length(2), closes: true))
                == "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Case: Kept\r\nConnection: close\r\n\r\n")
        #expect(
            Self.written(h, Plan(framing: .length(2), closes: false), http10: true)
                == "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Case: Kept\r\nConnection: keep-alive\r\n\r\n")
    }

    @Test func serverOwnsFramingFieldsAndDropsLineBreaks() {
        let h = HTTPResponseHead(
            status: 599,
            headers: [
                "Transfer-Encoding": "gzip", "Connection": "keep-alive, x", "Content-Length": "3",
                "Bad": "a\r\nInjected: 1",
                "X-Ok": "1",
            ])
        #expect(
            Self.written(h, Plan(framing: .chunked, closes: false))
                == "HTTP/1.1 599 Status 599\r\nX-Ok: 1\r\nTransfer-Encoding: chunked\r\n\r\n")
        #expect(
            Self.written(
                HTTPResponseHead(status: 204, headers: ["Content-Length": "0"]), Plan(framing: .none, closes: false))
                == "HTTP/1.1 204 No Content\r\n\r\n")
    }

    @Test func chunkFraming() {
        let q = ByteQueue()
        Array("hello".utf8).withUnsafeBytes { HTTPResponseSerializer.writeChunk($0, into: q) }
        [UInt8]().withUnsafeBytes { HTTPResponseSerializer.writeChunk($0, into: q) }
        Array(repeating: UInt8(ascii: "x"), count: 255).withUnsafeBytes {
            HTTPResponseSerializer.writeChunk($0, into: q)
        }
        q.append(HTTPResponseSerializer.lastChunk)
        let text = String(decoding: q.readable, as: UTF8.self)
        #expect(text == "5\r\nhello\r\nff\r\n" + String(repeating: "x", count: 255) + "\r\n0\r\n\r\n")
    }

    @Test func byteQueueGrowsSlidesAndWritesNumbers() {
        let q = ByteQueue()
        for i in 0..<1000 { q.appendDecimal(i) }
        q.consume(100)
        q.append(byte: 0x2C)
        q.appendHex(0xABCDEF)
        q.appendDecimal(Int.max)
        let digits = (0..<1000).map(String.init).joined()
        let expected = String(digits.dropFirst(100)) + ",abcdef" + String(Int.max)
        #expect(String(decoding: q.readable, as: UTF8.self) == expected)
        q.consume(q.count)
        #expect(q.isEmpty)
        q.shrinkIfEmpty(above: 0)
        #expect(q.capacity == 0)
        q.append("again")
        #expect(String(decoding: q.readable, as: UTF8.self) == "again")
    }
}
