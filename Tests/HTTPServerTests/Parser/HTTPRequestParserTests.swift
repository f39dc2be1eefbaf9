import HTTPServer
import HTTPTypes
import Testing

@Suite("HTTPRequestParser")
struct HTTPRequestParserTests {
    static let get =
        "GET /v1/models?cursor=a%20b HTTP/1.1\r\nHost: api.example\r\nX-Mixed-Case: Value  \r\nEmpty:\r\n\r\n"
    static let getEvents: [ParsedEvent] = [
        .head(
            head(.get, "/v1/models?cursor=a%20b", [("Host", "api.example"), ("X-Mixed-Case", "Value"), ("Empty", "")]),
            .none),
        .end,
    ]

    @Test func getWholeAndByteByByte() throws {
        #expect(try parseWhole(Self.get) == Self.getEvents)
        #expect(try parseByteByByte(Self.get) == Self.getEvents)
    }

    static let many =
        "POST /v1/predictions HTTP/1.1\r\nContent-Length: 10\r\nContent-Type: application/json\r\n\r\n{\"a\":\"é\"}"
        + "GET /a HTTP/1.1\r\n\r\n"
        + "PUT /up HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nA\r\n0123456789\r\n0\r\n\r\n"
        + "QUERY /v1/models HTTP/1.1\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\nfilter"
        + "\r\nDELETE /x HTTP/1.1\r\nConnection: close\r\n\r\n"
    static let manyEvents: [ParsedEvent] = [
        .head(
            head(.post, "/v1/predictions", [("Content-Length", "10"), ("Content-Type", "application/json")]),
            .length(10)),
        .body("{\"a\":\"é\"}"), .end,
        .head(head(.get, "/a"), .none), .end,
        .head(head(.put, "/up", [("Transfer-Encoding", "chunked")]), .chunked), .body("abc0123456789"), .end,
        .head(head(.query, "/v1/models", [("Content-Type", "text/plain"), ("Content-Length", "6")]), .length(6)),
        .body("filter"), .end,
        .head(head(.delete, "/x", [("Connection", "close")], keepAlive: false), .none), .end,
    ]

    @Test func manyRequestsInOneBuffer() throws {
        #expect(try parseWhole(Self.many) == Self.manyEvents)
    }

    @Test func manyRequestsByteByByte() throws {
        #expect(try parseByteByByte(Self.many) == Self.manyEvents)
    }

    @Test func queryMethodSplitAtEveryPosition() throws {
        let text = "QUERY /v1/models HTTP/1.1\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello"
        let bytes = Array(text.utf8)
        let expected: [ParsedEvent] = [
            .head(head(.query, "/v1/models", [("Content-Type", "text/plain"), ("Content-Length", "5")]), .length(5)),
            .body("hello"), .end,
        ]
        for cut in 1..<bytes.count {
            let events = try drive(HTTPRequestParser(), [Array(bytes[..<cut]), Array(bytes[cut...])])
            #expect(events == expected, "cut at \(cut)")
        }
    }

    @Test(arguments: ["get", "PRI", "MY-METHOD", "X!#$%&'*+-.^_`|~9", "PROPFIND", "M-SEARCH", "PURGE"])
    func anyTokenMethodIsReportedAsSent(_ method: String) throws {
        let events = try parseWhole("\(method) /p HTTP/1.1\r\nContent-Length: 2\r\n\r\nok")
        #expect(
            events == [.head(head(HTTPMethod(method), "/p", [("Content-Length", "2")]), .length(2)), .body("ok"), .end])
    }

    @Test func leadingEmptyLinesAreIgnored() throws {
        #expect(try parseWhole("\r\n\r\nGET / HTTP/1.1\r\n\r\n") == [.head(head(.get, "/"), .none), .end])
    }

    @Test func chunkExtensionsAndTrailers() throws {
        let text =
            "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;name=value\r\nhello\r\n6;ext\r\n world\r\n0;last=1\r\nX-Trailer: t\r\n\r\n"
        let expected: [ParsedEvent] = [
            .head(head(.post, "/c", [("Transfer-Encoding", "chunked")]), .chunked), .body("hello world"), .end,
        ]
        #expect(try parseWhole(text) == expected)
        #expect(try parseByteByByte(text) == expected)
    }

    @Test func keepAliveFollowsVersionAndConnection() throws {
        func keepAlive(_ text: String) throws -> Bool? {
            guard case .head(let h, _)? = try parseWhole(text).first else { return nil }
            return h.keepAlive
        }
        #expect(try keepAlive("GET / HTTP/1.1\r\n\r\n") == true)
        #expect(try keepAlive("GET / HTTP/1.1\r\nConnection: close\r\n\r\n") == false)
        #expect(try keepAlive("GET / HTTP/1.0\r\n\r\n") == false)
        #expect(try keepAlive("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n") == true)
    }

    @Test func endOfInputBetweenAndWithinRequests() throws {
        let p = HTTPRequestParser()
        _ = try drive(p, [Array("GET / HTTP/1.1\r\n\r\n".utf8)])
        try p.finishInput()
        let q = HTTPRequestParser()
        _ = try drive(q, [Array("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab".utf8)])
        #expect(q.isMidMessage)
        #expect(throws: HTTPRequestParseError.self) { try q.finishInput() }
    }

    // MARK: - Rejections

    @Test(arguments: [
        "GET / HTTP/1.1\r\nHost example\r\n\r\n",
        "GET / HTTP/1.1\r\nContent-Length : 5\r\n\r\nhello",
        "GET / HTTP/1.1\r\nX\t: 1\r\n\r\n",
        "GET / HTTP/1.1\r\n: empty-name\r\n\r\n",
        "G\u{01}ET / HTTP/1.1\r\n\r\n",
        " / HTTP/1.1\r\n\r\n",
        "GET\r\n\r\n",
        "GET /\r\n\r\n",
        "GET /a b HTTP/1.1\r\n\r\n",
        "GET / FOO/1.1\r\n\r\n",
        "GET / HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
        "GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
        "GET / HTTP/1.1\r\nX: a\rb\r\n\r\n",
        "GET / HTTP/1.1\r\nX: \u{00}\r\n\r\n",
        "GET /\u{01} HTTP/1.1\r\n\r\n",
        String(repeating: "A", count: 33) + " / HTTP/1.1\r\n\r\n",
    ])
    func malformedRequestsAre400(_ text: String) {
        let e = parseError(text)
        #expect(e?.kind == .malformed, "\(text.debugDescription): \(String(describing: e))")
        #expect(e?.status == 400)
    }

    @Test func controlCharactersInValuesAreRejectedWherever() throws {
        let ok = "GET / HTTP/1.1\r\nX: a\tb " + String(repeating: "v", count: 30) + "\r\n\r\n"
        #expect(try parseWhole(ok).count == 2)
        for control: UInt8 in [0x00, 0x01, 0x1B, 0x1F, 0x7F] {
            for position in 0..<20 {
                var value = Array(repeating: UInt8(ascii: "v"), count: 20)
                value[position] = control
                let bytes = Array("GET / HTTP/1.1\r\nX: ".utf8) + value + Array("\r\n\r\n".utf8)
                #expect(throws: HTTPRequestParseError.self, "\(control) at \(position)") {
                    try drive(HTTPRequestParser(), [bytes])
                }
            }
        }
    }

    @Test func invalidUTF8HeaderValueIsRejected() throws {
        var bytes = Array("GET / HTTP/1.1\r\nX: ".utf8)
        bytes += [0xFF, 0xFE]
        bytes += Array("\r\n\r\n".utf8)
        #expect(throws: HTTPRequestParseError.self) { _ = try drive(HTTPRequestParser(), [bytes]) }
    }

    @Test(arguments: [
        "POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
        "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
        "POST / HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\nhello",
        "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\nhello",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\nhello",
        "POST / HTTP/1.1\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n",
        "QUERY / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        // chunked applied twice: one field line listing it twice, or two field lines.
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked,Chunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: CHUNKED\r\nTransfer-Encoding: \tchunked \r\n\r\n0\r\n\r\n",
        // http-parser (non-strict build) would take any byte after CR as LF in these places.
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\rXhello\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\rX0\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\rGET / HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\n\rXGET / HTTP/1.1\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: 2\r\n\rXok",
    ])
    func smugglingAttemptsAreRejected(_ text: String) {
        let e = parseError(text)
        #expect(e?.kind == .malformed, "\(text.debugDescription): \(String(describing: e))")
    }

    @Test func smugglingRejectedBeforeTheHeadIsReported() throws {
        let p = HTTPRequestParser()
        var events: [ParsedEvent] = []
        do {
            events = try drive(p, [Array("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\nxx".utf8)])
        } catch {
            #expect(error.kind == .malformed)
        }
        #expect(events.isEmpty)
    }

    @Test func newerVersionsAre505AndConnectIs501() {
        #expect(parseError("PRI * HTTP/2.0\r\n\r\n")?.status == 505)
        #expect(parseError("CONNECT host:443 HTTP/1.1\r\n\r\n")?.status == 501)
    }

    // MARK: - Limits

    @Test func headerLimitIsExact() throws {
        let request = "GET /x HTTP/1.1\r\nX-Pad: " + String(repeating: "p", count: 60) + "\r\n\r\n"
        let size = request.utf8.count
        let atLimit = HTTPRequestParser.Limits(maxHeaderBytes: size)
        let below = HTTPRequestParser.Limits(maxHeaderBytes: size - 1)
        #expect(try parseWhole(request, limits: atLimit).count == 2)
        #expect(try parseByteByByte(request, limits: atLimit).count == 2)
        #expect(parseError(request, limits: below)?.kind == .headerTooLarge)
        #expect(throws: HTTPRequestParseError.self) { try parseByteByByte(request, limits: below) }
        #expect(parseError(request, limits: below)?.status == 431)
    }

    @Test func headerLimitCountsAnEndlessMethodOrHeader() {
        let limits = HTTPRequestParser.Limits(maxHeaderBytes: 64)
        #expect(
            parseError("GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 100), limits: limits)?.kind
                == .headerTooLarge)
        #expect(parseError(String(repeating: "\r\n", count: 40), limits: limits)?.kind == .headerTooLarge)
    }

    /// Found by `make fuzz` (FuzzHTTPRequestParser): the limit on blank lines before a request
    /// was checked once per call, so a byte that is not a token character past the limit gave
    /// 400 when it arrived in the same read and 431 when the reads split before it.
    @Test func blankLinesPastTheLimitAre431HoweverTheyAreSplit() throws {
        let limits = HTTPRequestParser.Limits(maxHeaderBytes: 64)
        let bytes = Array((String(repeating: "\n", count: 70) + "Bad:method / HTTP/1.1\r\n\r\n").utf8)
        let tooLarge = HTTPRequestParseError(.headerTooLarge, "The request line and headers exceed the limit of 64 bytes.")
        for cut in 0...bytes.count {
            let pieces = [Array(bytes[..<cut]), Array(bytes[cut...])]
            #expect(throws: tooLarge, "cut at \(cut)") {
                try drive(HTTPRequestParser(limits: limits), pieces)
            }
        }
        let exactly = Array((String(repeating: "\n", count: 46) + "GET / HTTP/1.1\r\n\r\n").utf8)
        #expect(exactly.count == 64)
        #expect(try drive(HTTPRequestParser(limits: limits), [exactly]) == [.head(head(.get, "/"), .none), .end])
    }

    @Test func declaredBodyOverLimitIsRejectedAtTheHead() {
        let limits = HTTPRequestParser.Limits(maxBodyBytes: 10)
        let e = parseError("POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n", limits: limits)
        #expect(e?.kind == .bodyTooLarge)
        #expect(e?.status == 413)
        #expect(
            (try? parseWhole("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123456789", limits: limits))?.count == 3)
    }

    @Test func chunkedBodyOverLimitIsRejectedWhenReceived() throws {
        let limits = HTTPRequestParser.Limits(maxBodyBytes: 10)
        let p = HTTPRequestParser(limits: limits)
        let text = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n6\r\nghijkl\r\n0\r\n\r\n"
        #expect(throws: HTTPRequestParseError(.bodyTooLarge, "The request body exceeds the limit of 10 bytes.")) {
            try drive(p, [Array(text.utf8)])
        }
        #expect(throws: HTTPRequestParseError.self) { try p.parse(UnsafeRawBufferPointer(start: nil, count: 0)) }
    }
}
