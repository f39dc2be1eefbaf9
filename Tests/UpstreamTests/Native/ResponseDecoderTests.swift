import HTTPTypes
import Testing

@testable import Upstream

/// The native engine's response decoder, fed the way a connection feeds it: in pieces of any
/// size, body bytes left in the buffer until taken, framing consumed as it goes.
@Suite struct ResponseDecoderTests {
    /// What one response decoded to.
    struct Decoded {
        var heads: [HTTPResponseHead] = []
        var version: String?
        var body: [UInt8] = []
        var ended = false
        var invalid: String?
        /// Bytes left over after the response ended (the next response on the connection).
        var leftover: [UInt8] = []
        var decoder: ResponseDecoder
    }

    /// Feeds `text` `step` bytes at a time; with `refuseEvery`, every so many body offers are
    /// refused once (not taken) and must come back unchanged.
    static func decode(
        _ text: String, step: Int, isHead: Bool = false, refuseEvery: Int = 0, closeAtEnd: Bool = false
    ) -> Decoded {
        var out = Decoded(decoder: ResponseDecoder(isHeadRequest: isHead))
        let input = Array(text.utf8)
        var pending: [UInt8] = []
        var offers = 0
        var position = 0
        outer: while true {
            while true {
                let (event, used) = pending.withUnsafeBytes { out.decoder.next($0) }
                pending.removeFirst(used)
                switch event {
                case .needMore:
                    break
                case .head(let head, let version):
                    out.heads.append(head)
                    out.version = version
                    continue
                case .body(let n):
                    offers += 1
                    if refuseEvery > 0 && offers % refuseEvery == 0 {
                        // Refused: offered again, the same bytes, on the next call.
                        let (again, againUsed) = pending.withUnsafeBytes { out.decoder.next($0) }
                        precondition(again == .body(n) && againUsed == 0, "refused bytes were not offered again")
                    }
                    out.body.append(contentsOf: pending[..<n])
                    pending.removeFirst(n)
                    out.decoder.bodyTaken(n)
                    continue
                case .end:
                    out.ended = true
                    out.leftover = pending + input[position...]
                    break outer
                case .invalid(let reason):
                    out.invalid = reason
                    break outer
                }
                break
            }
            guard position < input.count else {
                if closeAtEnd { out.ended = out.decoder.endOfInput() }
                break
            }
            let next = min(position + step, input.count)
            pending.append(contentsOf: input[position..<next])
            position = next
        }
        return out
    }

    static let steps = [1, 2, 3, 7, 64, 100_000]

    @Test(arguments: steps)
    func contentLengthBodyAndTheNextResponseStaysForLater(step: Int) {
        let first = "HTTP/1.1 200 OK\r\nContent-Length: 11\r\nX-A: b\r\n\r\nhello world"
        let second = "HTTP/1.1 204 No Content\r\n\r\n"
        let d = Self.decode(first + second, step: step)
        #expect(d.heads.map(\.status) == [200])
        #expect(d.heads.first?.headers["x-a"] == "b")
        #expect(d.version == "1.1")
        #expect(String(decoding: d.body, as: UTF8.self) == "hello world")
        #expect(d.ended)
        #expect(d.decoder.keepAlive)
        // Pieces after the one that completed the response are not read, so only compare a prefix.
        #expect(second.utf8.starts(with: d.leftover))
        if step == 100_000 { #expect(d.leftover == Array(second.utf8)) }
    }

    @Test(arguments: steps)
    func chunkedBodyWithExtensionsAndTrailersIsDechunked(step: Int) {
        let text =
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;name=value\r\nhello\r\n1\r\n \r\nA \r\n0123456789\r\n"
            + "0\r\nX-Trailer: t\r\nX-Other: u\r\n\r\n"
        let d = Self.decode(text, step: step, refuseEvery: 2)
        #expect(d.invalid == nil)
        #expect(String(decoding: d.body, as: UTF8.self) == "hello 0123456789")
        #expect(d.ended)
        #expect(d.decoder.keepAlive)
        #expect(d.leftover.isEmpty)
    }

    @Test(arguments: steps)
    func chunkedWithBareLineFeedsIsAccepted(step: Int) {
        let d = Self.decode("HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n3\nabc\n0\n\n", step: step)
        #expect(String(decoding: d.body, as: UTF8.self) == "abc")
        #expect(d.ended)
    }

    @Test(arguments: steps)
    func interimResponsesAreSkipped(step: Int) {
        let d = Self.decode(
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
                + "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok", step: step)
        #expect(d.heads.map(\.status) == [201])
        #expect(d.heads.first?.headers["link"] == nil)
        #expect(d.body == Array("ok".utf8))
        #expect(d.ended)
    }

    @Test(arguments: [(204, false), (304, false), (200, true)])
    func responsesWithoutABody(status: Int, isHead: Bool) {
        let d = Self.decode(
            "HTTP/1.1 \(status) X\r\nContent-Length: 1000\r\n\r\nHTTP/1.1 200 OK\r\n", step: 100_000, isHead: isHead)
        #expect(d.heads.map(\.status) == [status])
        #expect(d.body.isEmpty)
        #expect(d.ended)
        #expect(d.decoder.keepAlive)
        #expect(d.leftover == Array("HTTP/1.1 200 OK\r\n".utf8))
    }

    @Test(arguments: steps)
    func bodyWithoutLengthRunsUntilTheClose(step: Int) {
        let d = Self.decode("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it", step: step, closeAtEnd: true)
        #expect(d.body == Array("all of it".utf8))
        #expect(d.ended)
        #expect(!d.decoder.keepAlive)
    }

    @Test func closeBeforeTheDeclaredLengthIsNotAnEnd() {
        let d = Self.decode("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", step: 4, closeAtEnd: true)
        #expect(d.body == Array("abc".utf8))
        #expect(!d.ended)
        #expect(d.decoder.headComplete && d.decoder.sawResponseBytes)
    }

    @Test(arguments: [
        ("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx", true),
        ("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: close\r\n\r\nx", false),
        ("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: Keep-Alive, CLOSE\r\n\r\nx", false),
        ("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx", false),
        ("HTTP/1.0 200 OK\r\nContent-Length: 1\r\nConnection: keep-alive\r\n\r\nx", true),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n1\r\nx\r\n0\r\n\r\n", false),
        // Transfer-Encoding overrides a Content-Length, even one that does not parse.
        ("HTTP/1.1 200 OK\r\nContent-Length: nope\r\nTransfer-Encoding: CHUNKED\r\n\r\n1\r\nx\r\n0\r\n\r\n", false),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nx", false),
    ])
    func keepAliveFollowsVersionConnectionAndFraming(text: String, keepAlive: Bool) {
        let d = Self.decode(text, step: 100_000, closeAtEnd: true)
        #expect(d.body == Array("x".utf8))
        #expect(d.ended)
        #expect(d.decoder.keepAlive == keepAlive)
    }

    @Test func repeatedEqualContentLengthsAreOneLength() {
        let d = Self.decode("HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\nContent-Length: 2\r\n\r\nokNEXT", step: 3)
        #expect(d.body == Array("ok".utf8))
        #expect(d.ended)
    }

    @Test(arguments: [
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok",
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\rabc\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n100000000000\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;" + String(repeating: "e", count: 5000) + "\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: " + String(repeating: "t", count: 70_000) + "\r\n\r\n",
        "SMTP/1.1 200 OK\r\n\r\n",
        // A field the parser cannot read might have been the framing (RFC 9112 §5.1).
        "HTTP/1.1 200 OK\r\nTransfer-Encoding : chunked\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nno colon here\r\n\r\nok",
    ])
    func malformedResponsesAreInvalid(text: String) {
        for step in [1, 5, 100_000] {
            let d = Self.decode(text, step: step)
            #expect(d.invalid != nil, "step \(step)")
            #expect(!d.ended)
        }
    }

    @Test func oversizedHeadIsInvalidButABigBodyAfterASmallHeadIsNot() {
        let filler = String(repeating: "x", count: 1000)
        let hugeHead = "HTTP/1.1 200 OK\r\n" + String(repeating: "X-Fill: \(filler)\r\n", count: 300) + "\r\n"
        #expect(Self.decode(hugeHead, step: 100_000).invalid?.contains("larger than") == true)
        let bigBody = String(repeating: "b", count: 400_000)
        let d = Self.decode("HTTP/1.1 200 OK\r\nContent-Length: 400000\r\n\r\n" + bigBody, step: 1_000_000)
        #expect(d.invalid == nil)
        #expect(d.body.count == 400_000)
        #expect(d.ended)
    }
}
