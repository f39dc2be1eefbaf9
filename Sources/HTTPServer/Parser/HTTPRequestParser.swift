import CHTTPParser
import HTTPTypes

/// Incremental HTTP/1.1 request parser: an adapter over http-parser 2.9 (`CHTTPParser`).
///
/// Feed it bytes with `parse(_:)`; each call returns how many bytes it consumed and at most one
/// event (head, a piece of de-chunked body, end). It stops after every event, so a caller
/// never parses further than it wants to: in particular it stops after a request's end, which
/// lets the server keep pipelined requests buffered until the current response is finished.
/// Bytes not consumed must be passed again (followed by newer ones) in the next call.
///
/// What the adapter adds to http-parser:
/// - Methods http-parser does not know (Replicate's `QUERY`, any other RFC 9110 token): the
///   adapter reads the method token itself at the start of each message (bounded length,
///   token characters only), and when http-parser would reject it, feeds `PUT` instead (a
///   method whose body is framed by `Content-Length`/`Transfer-Encoding`, as every request's is).
///   The head reports the real method. Works when the token arrives split across reads.
/// - Limits: start line plus headers over `maxHeaderBytes` (431); a body declared or received
///   over `maxBodyBytes` (413).
/// - Stricter framing: header names must be tokens (http-parser accepts `Content-Length : 5`,
///   a smuggling vector); `Transfer-Encoding` without a final `chunked` is rejected before the
///   head is reported; only HTTP/1.x is accepted. http-parser itself rejects `Content-Length`
///   with `Transfer-Encoding`, repeated `Content-Length`, and invalid chunk sizes; the adapter
///   also rejects `chunked` named twice (`chunked, chunked`, or two field lines).
/// - Header names keep their case; values keep their bytes (trailing spaces trimmed); a value
///   that is not UTF-8 is rejected rather than altered.
///
/// Threading: not thread-safe; one parser per connection, used on that connection's loop.
/// After an error the parser stays failed: the connection must answer and close.
public final class HTTPRequestParser {
    /// The limits this parser enforces. Value type.
    public struct Limits: Sendable, Equatable {
        public var maxHeaderBytes: Int
        public var maxBodyBytes: Int

        public init(maxHeaderBytes: Int = 64 * 1024, maxBodyBytes: Int = 100 * 1024 * 1024) {
            self.maxHeaderBytes = maxHeaderBytes
            self.maxBodyBytes = maxBodyBytes
        }

        public init(_ configuration: HTTPServerConfiguration) {
            self.init(maxHeaderBytes: configuration.maxHeaderBytes, maxBodyBytes: configuration.maxBodyBytes)
        }
    }

    /// Longest method token accepted (the longest standard one, `VERSION-CONTROL`, has 15).
    public static let maxMethodLength = 32

    private enum Stage {
        /// Between messages, or reading a method token (held in `methodBytes`).
        case method
        /// http-parser is reading the rest of the start line and the headers.
        case head
        /// The head was reported; body and end follow.
        case body
        case failed
    }

    public let limits: Limits
    private let raw: UnsafeMutablePointer<http_parser>
    private var stage = Stage.method
    private var failure: HTTPRequestParseError?

    // Per message.
    private var methodBytes: [UInt8] = []
    private var headBytes = 0
    private var bodyBytes = 0
    private var url: [UInt8] = []
    private var name: [UInt8] = []
    private var value: [UInt8] = []
    private var lastWasValue = false
    private var headers = HTTPHeaders()

    // Set by the C callbacks during `execute`.
    private var pendingEvent: HTTPRequestParseEvent?
    private var pendingError: HTTPRequestParseError?
    /// End of the bytes passed to the running `execute`.
    private var inputEnd: UnsafeRawPointer?
    /// The byte http-parser just treated as LF must be checked (see `verifyLineEnd`).
    private var lastByteMustBeLF = false
    /// Bytes of the CRLF after a chunk's data not yet checked (they arrive in a later call).
    private var chunkCRLFDue = 0
    private var chunked = false

    public init(limits: Limits = Limits()) {
        self.limits = limits
        raw = .allocate(capacity: 1)
        http_parser_init(raw, HTTP_REQUEST)
        methodBytes.reserveCapacity(Self.maxMethodLength)
        url.reserveCapacity(128)
        name.reserveCapacity(32)
        value.reserveCapacity(128)
    }

    deinit { raw.deallocate() }

    /// True once any byte of a request (beyond blank lines) has been consumed and its end has
    /// not: closing now would cut a request short.
    public var isMidMessage: Bool {
        switch stage {
        case .method: return !methodBytes.isEmpty
        case .head, .body: return true
        case .failed: return false
        }
    }

    /// True after the head of the current request was reported and before its end.
    public var isInBody: Bool { stage == .body }

    /// Parses from the start of `input` until one event or the end of `input`.
    ///
    /// Returns the bytes consumed (the rest must be offered again) and the event, if any. When
    /// no event is returned, all of `input` was consumed, except when the header limit is
    /// reached exactly: call again and the error follows.
    public func parse(_ input: UnsafeRawBufferPointer) throws(HTTPRequestParseError) -> (
        consumed: Int, event: HTTPRequestParseEvent?
    ) {
        if let failure { throw failure }
        var offset = 0
        if stage == .method {
            offset = try scanMethod(input)
            if stage == .method { return (offset, nil) }
        }
        var count = input.count - offset
        let countsHead = stage == .head
        if countsHead {
            let allowance = limits.maxHeaderBytes - headBytes
            if allowance <= 0 && count > 0 { throw fail(HTTPRequestParseError.headerTooLarge(limits.maxHeaderBytes)) }
            count = min(count, allowance)
        }
        guard count > 0, let base = input.baseAddress else { return (offset, nil) }
        if chunkCRLFDue > 0 { try verifyChunkCRLF(UnsafeRawBufferPointer(start: base + offset, count: count)) }
        let n = execute(base + offset, count)
        if countsHead { headBytes += n }
        if let e = pendingError { throw fail(e) }
        let errno = chttp_parser_errno(raw)
        if errno == HPE_PAUSED {
            http_parser_pause(raw, 0)
        } else if errno != HPE_OK {
            throw fail(Self.translate(errno, limits))
        }
        let event = pendingEvent
        pendingEvent = nil
        try verifyLineEnd(event, base + offset, n)
        return (offset + n, event)
    }

    /// http-parser is built without `HTTP_PARSER_STRICT`, so where a line must end in CRLF it
    /// takes any byte after the CR as the LF (`0\r\n\rX` ends a chunked body). Parsers that
    /// disagree on where a message ends are how requests are smuggled, so the adapter checks
    /// those bytes itself: the end of the head, of each chunk-size line, of the last chunk.
    private func verifyLineEnd(_ event: HTTPRequestParseEvent?, _ start: UnsafeRawPointer, _ n: Int)
        throws(HTTPRequestParseError)
    {
        var lfAt: UnsafeRawPointer?
        if case .head? = event {
            lfAt = start + n  // paused on the LF, before consuming it
        } else if lastByteMustBeLF && n > 0 {
            lfAt = start + n - 1
        }
        lastByteMustBeLF = false
        if let lfAt, lfAt.load(as: UInt8.self) != 0x0A {
            throw fail(HTTPRequestParseError(.malformed, "A line does not end with CRLF."))
        }
    }

    /// Checks the CRLF that must follow a chunk's data, as far as `bytes` reach.
    private func verifyChunkCRLF(_ bytes: UnsafeRawBufferPointer) throws(HTTPRequestParseError) {
        var i = 0
        while chunkCRLFDue > 0 && i < bytes.count {
            guard bytes[i] == (chunkCRLFDue == 2 ? 0x0D : 0x0A) else {
                throw fail(HTTPRequestParseError(.malformed, "Chunk data is not followed by CRLF."))
            }
            chunkCRLFDue -= 1
            i += 1
        }
    }

    /// Reports the end of input (the client closed its side). Throws when a request was cut
    /// short; returns normally between requests.
    public func finishInput() throws(HTTPRequestParseError) {
        if let failure { throw failure }
        if isMidMessage {
            throw fail(HTTPRequestParseError(.malformed, "The connection closed before the request was complete."))
        }
    }

    // MARK: - Method token

    /// Consumes blank lines and the method token; on the space after it, starts http-parser.
    private func scanMethod(_ input: UnsafeRawBufferPointer) throws(HTTPRequestParseError) -> Int {
        var i = 0
        let n = input.count
        while i < n {
            // Checked per byte, not once per call, so that where the reads split the input
            // cannot change which error a long run of blank lines ends in (431, not a 400 for
            // a bad byte that comes after the limit).
            if headBytes + i >= limits.maxHeaderBytes {
                throw fail(HTTPRequestParseError.headerTooLarge(limits.maxHeaderBytes))
            }
            let b = input[i]
            if b == 0x20 {
                headBytes += i
                guard !methodBytes.isEmpty else {
                    throw fail(HTTPRequestParseError(.malformed, "The request line does not start with a method."))
                }
                try startHead()
                return i
            }
            if methodBytes.isEmpty && (b == 0x0D || b == 0x0A) {
                i += 1  // RFC 9112 §2.2: ignore empty lines before a request line.
                continue
            }
            guard HTTPMethod.isTokenChar(b) else {
                throw fail(
                    HTTPRequestParseError(.malformed, "The request method contains a character that is not allowed."))
            }
            guard methodBytes.count < Self.maxMethodLength else {
                throw fail(
                    HTTPRequestParseError(
                        .malformed, "The request method is longer than \(Self.maxMethodLength) bytes."))
            }
            methodBytes.append(b)
            i += 1
        }
        headBytes += n
        return n
    }

    private func startHead() throws(HTTPRequestParseError) {
        if methodBytes.elementsEqual("CONNECT".utf8) {
            throw fail(HTTPRequestParseError(.methodNotImplemented, "CONNECT is not supported by this server."))
        }
        http_parser_init(raw, HTTP_REQUEST)
        let known = HTTPParserMethods.isKnown(methodBytes)
        let fed: Int =
            known
            ? methodBytes.withUnsafeBytes { execute($0.baseAddress!, $0.count) }
            : HTTPParserMethods.standIn.withUTF8Buffer { execute(UnsafeRawPointer($0.baseAddress!), $0.count) }
        precondition(fed == (known ? methodBytes.count : 3) && chttp_parser_errno(raw) == HPE_OK)
        stage = .head
    }

    // MARK: - http-parser

    private func execute(_ bytes: UnsafeRawPointer, _ count: Int) -> Int {
        chttp_parser_set_data(raw, Unmanaged.passUnretained(self).toOpaque())
        inputEnd = bytes + count
        return bytes.withMemoryRebound(to: CChar.self, capacity: count) {
            http_parser_execute(raw, Self.settings, $0, count)
        }
    }

    fileprivate static func from(_ p: UnsafeMutablePointer<http_parser>?) -> HTTPRequestParser {
        Unmanaged<HTTPRequestParser>.fromOpaque(chttp_parser_get_data(p!)!).takeUnretainedValue()
    }

    fileprivate func onURL(_ at: UnsafePointer<CChar>?, _ n: Int) -> Int32 {
        append(at, n, to: &url)
        return 0
    }

    fileprivate func onHeaderField(_ at: UnsafePointer<CChar>?, _ n: Int) -> Int32 {
        guard stage == .head else { return 0 }  // trailer fields of a chunked body: not kept
        if lastWasValue && !commitHeader() { return -1 }
        append(at, n, to: &name)
        return 0
    }

    fileprivate func onHeaderValue(_ at: UnsafePointer<CChar>?, _ n: Int) -> Int32 {
        guard stage == .head else { return 0 }
        append(at, n, to: &value)
        lastWasValue = true
        return 0
    }

    fileprivate func onHeadersComplete() -> Int32 {
        if lastWasValue && !commitHeader() { return -1 }
        let p = raw.pointee
        guard p.http_major == 1 else {
            pendingError =
                p.http_major == 0
                ? HTTPRequestParseError(.malformed, "The request line has no HTTP/1.x version.")
                : HTTPRequestParseError(.versionNotSupported, "Only HTTP/1.0 and HTTP/1.1 are served on this port.")
            return -1
        }
        guard !url.isEmpty, let target = String(validating: url, as: UTF8.self) else {
            pendingError = HTTPRequestParseError(.malformed, "The request target is not valid UTF-8.")
            return -1
        }
        chunked = p.flags & F_CHUNKED.rawValue != 0
        if p.uses_transfer_encoding != 0 && !chunked {
            pendingError = HTTPRequestParseError(
                .malformed, "A request Transfer-Encoding must end with chunked (RFC 9112 §6.3).")
            return -1
        }
        if chunked && Self.chunkedCodingCount(headers.values(.transferEncoding)) > 1 {
            // `chunked, chunked` or two `Transfer-Encoding: chunked` lines: http-parser takes
            // either as one chunked body; a front end that de-chunks once would see a different
            // body boundary (RFC 9112 §6.1: chunked must not be applied more than once).
            pendingError = HTTPRequestParseError(
                .malformed, "A request Transfer-Encoding may name chunked only once (RFC 9112 §6.1).")
            return -1
        }
        var framing = HTTPRequestBodyFraming.none
        if chunked {
            framing = .chunked
        } else if p.content_length != UInt64.max && p.content_length > 0 {
            guard p.content_length <= UInt64(limits.maxBodyBytes) else {
                pendingError = HTTPRequestParseError.bodyTooLarge(limits.maxBodyBytes)
                return -1
            }
            framing = .length(Int(p.content_length))
        }
        let head = HTTPRequestHead(
            method: HTTPMethod(String(decoding: methodBytes, as: UTF8.self)), target: target,
            versionMajor: Int(p.http_major), versionMinor: Int(p.http_minor), headers: headers,
            keepAlive: http_should_keep_alive(raw) != 0)
        headers = HTTPHeaders()
        url.removeAll(keepingCapacity: true)
        stage = .body
        pendingEvent = .head(head, framing)
        http_parser_pause(raw, 1)
        return 0
    }

    fileprivate func onBody(_ at: UnsafePointer<CChar>?, _ n: Int) -> Int32 {
        bodyBytes += n
        if bodyBytes > limits.maxBodyBytes {
            pendingError = HTTPRequestParseError.bodyTooLarge(limits.maxBodyBytes)
            return -1
        }
        pendingEvent = .body(UnsafeRawBufferPointer(start: at, count: n))
        http_parser_pause(raw, 1)
        if chunked && raw.pointee.content_length == 0, let at {
            // This piece ends a chunk: CRLF must follow, here or in a later call.
            chunkCRLFDue = 2
            let rest = UnsafeRawPointer(at) + n
            let available = inputEnd.map { $0 - rest } ?? 0
            do {
                try verifyChunkCRLF(UnsafeRawBufferPointer(start: rest, count: max(0, min(2, available))))
            } catch {
                pendingError = error
                return -1
            }
        }
        return 0
    }

    fileprivate func onChunkHeader() -> Int32 {
        // Pause so that `parse` can check the byte taken as the size line's LF.
        lastByteMustBeLF = true
        http_parser_pause(raw, 1)
        return 0
    }

    fileprivate func onMessageComplete() -> Int32 {
        if chunked { lastByteMustBeLF = true }
        chunked = false
        chunkCRLFDue = 0
        stage = .method
        methodBytes.removeAll(keepingCapacity: true)
        headBytes = 0
        bodyBytes = 0
        pendingEvent = .end
        http_parser_pause(raw, 1)
        return 0
    }

    /// Moves the accumulated name and value into `headers`; false (with `pendingError`) when
    /// the field is not acceptable.
    private func commitHeader() -> Bool {
        defer {
            name.removeAll(keepingCapacity: true)
            value.removeAll(keepingCapacity: true)
            lastWasValue = false
        }
        guard !name.isEmpty, name.allSatisfy(HTTPMethod.isTokenChar) else {
            pendingError = HTTPRequestParseError(.malformed, "A header field name is not a valid token.")
            return false
        }
        var end = value.count
        while end > 0 && (value[end - 1] == 0x20 || value[end - 1] == 0x09) { end -= 1 }
        let v = value.withUnsafeBytes { raw -> String? in
            let bytes = UnsafeRawBufferPointer(rebasing: raw[..<end])
            if FieldValueCheck.hasControlCharacter(bytes) { return nil }
            return String(validating: bytes, as: UTF8.self)
        }
        guard let v else {
            pendingError = HTTPRequestParseError(
                .malformed, "A header field value holds a control character or is not valid UTF-8.")
            return false
        }
        headers.add(String(decoding: name, as: UTF8.self), v)
        return true
    }

    private func append(_ at: UnsafePointer<CChar>?, _ n: Int, to buffer: inout [UInt8]) {
        guard let at, n > 0 else { return }
        buffer.append(contentsOf: UnsafeRawBufferPointer(start: at, count: n))
    }

    private func fail(_ e: HTTPRequestParseError) -> HTTPRequestParseError {
        stage = .failed
        failure = e
        return e
    }

    private static func translate(_ errno: http_errno, _ limits: Limits) -> HTTPRequestParseError {
        if errno == HPE_HEADER_OVERFLOW {
            return HTTPRequestParseError.headerTooLarge(min(limits.maxHeaderBytes, 80 * 1024))
        }
        let description = String(cString: http_errno_description(errno))
        return HTTPRequestParseError(.malformed, "The request is not valid HTTP/1.1: \(description).")
    }

    // MARK: - Callback table

    /// The callback table. Written once when first used, read-only afterwards, and the
    /// callbacks only touch the parser passed to them: safe to share across threads.
    nonisolated(unsafe) private static let settings: UnsafeMutablePointer<http_parser_settings> = {
        let s = UnsafeMutablePointer<http_parser_settings>.allocate(capacity: 1)
        http_parser_settings_init(s)
        s.pointee.on_url = { p, at, n in HTTPRequestParser.from(p).onURL(at, n) }
        s.pointee.on_header_field = { p, at, n in HTTPRequestParser.from(p).onHeaderField(at, n) }
        s.pointee.on_header_value = { p, at, n in HTTPRequestParser.from(p).onHeaderValue(at, n) }
        s.pointee.on_headers_complete = { p in HTTPRequestParser.from(p).onHeadersComplete() }
        s.pointee.on_body = { p, at, n in HTTPRequestParser.from(p).onBody(at, n) }
        s.pointee.on_message_complete = { p in HTTPRequestParser.from(p).onMessageComplete() }
        s.pointee.on_chunk_header = { p in HTTPRequestParser.from(p).onChunkHeader() }
        return s
    }()
}
