import HTTPTypes

/// Reads one HTTP/1.1 response off a raw connection: the head (through `ResponseHeadParser`,
/// which skips 1xx interim blocks), then the body framed as RFC 9112 §6.3 says, de-chunked.
///
/// Framing: no body for a HEAD request and for 1xx, 204 and 304; `Transfer-Encoding` whose last
/// coding is `chunked` is chunked (any other coding: the body runs to the close); otherwise a
/// valid `Content-Length` (repeated values must agree); otherwise the body runs until upstream
/// closes. The connection may be reused after the response (`keepAlive`) when the version and
/// `Connection` allow it, the body was not close-delimited, and `Content-Length` was not sent
/// next to `Transfer-Encoding` (a message a proxy must not trust the framing of).
///
/// Like `ChunkedBodyDecoder`, `next` consumes everything but body bytes: it reports `.body(n)`
/// and leaves them for the caller, who calls `bodyTaken` for what its consumer accepted. Value
/// type, no I/O; one per exchange. Invariant: `.head` is reported once and before any body.
struct ResponseDecoder {
    enum Event: Equatable {
        /// Every byte given was consumed; feed more.
        case needMore
        /// The final head; `version` is the status line's (`1.1`, `1.0`).
        case head(HTTPResponseHead, version: String)
        /// The next `n` bytes after the consumed ones are body.
        case body(Int)
        /// The response is complete.
        case end
        /// Not a valid response; the reason quotes no header value.
        case invalid(String)
    }

    enum Framing: Equatable {
        case none
        case length(Int)
        case chunked
        case untilClose
    }

    private let isHeadRequest: Bool
    private var headParser = ResponseHeadParser()
    private var chunked = ChunkedBodyDecoder()
    /// Set once the head is parsed.
    private(set) var framing: Framing?
    /// Body bytes left for a `.length` body.
    private var remaining = 0
    private(set) var isComplete = false
    /// True when the connection may carry another request once the response is complete.
    private(set) var keepAlive = false
    /// Some response byte arrived (tells "closed before answering" from a broken head).
    private(set) var sawResponseBytes = false

    init(isHeadRequest: Bool) {
        self.isHeadRequest = isHeadRequest
    }

    var headComplete: Bool { framing != nil }

    /// Consumes framing from `bytes`; returns the next event and the bytes consumed before it.
    mutating func next(_ bytes: UnsafeRawBufferPointer) -> (event: Event, consumed: Int) {
        if isComplete { return (.end, 0) }
        guard let framing else { return parseHead(bytes) }
        switch framing {
        case .none:
            isComplete = true
            return (.end, 0)
        case .length:
            if remaining == 0 {
                isComplete = true
                return (.end, 0)
            }
            return (bytes.isEmpty ? .needMore : .body(min(remaining, bytes.count)), 0)
        case .untilClose:
            return (bytes.isEmpty ? .needMore : .body(bytes.count), 0)
        case .chunked:
            let (event, consumed) = chunked.next(bytes)
            switch event {
            case .needMore: return (.needMore, consumed)
            case .body(let n): return (.body(n), consumed)
            case .invalid(let reason): return (.invalid(reason), consumed)
            case .end:
                isComplete = true
                return (.end, consumed)
            }
        }
    }

    /// The caller took `n` of the body bytes `.body` offered.
    mutating func bodyTaken(_ n: Int) {
        switch framing {
        case .length: remaining -= n
        case .chunked: chunked.bodyTaken(n)
        default: break
        }
    }

    /// Upstream closed the connection. Returns true when that ends the response properly (a
    /// close-delimited body, or a complete response).
    mutating func endOfInput() -> Bool {
        if isComplete { return true }
        if framing == .untilClose {
            isComplete = true
            return true
        }
        return false
    }

    private mutating func parseHead(_ bytes: UnsafeRawBufferPointer) -> (event: Event, consumed: Int) {
        if !bytes.isEmpty { sawResponseBytes = true }
        switch headParser.feed(bytes) {
        case .needMore:
            return (.needMore, bytes.count)
        case .invalid(let reason):
            return (.invalid(reason), bytes.count)
        case .head(let head):
            // The native engine frames the body from these fields: one it could not read (a
            // space before the colon, no colon) might have been the framing.
            guard headParser.droppedFieldLines == 0 else {
                return (.invalid("a response header line is not a valid field"), headParser.consumed)
            }
            let version = headParser.version ?? "1.1"
            switch Self.framing(of: head, isHeadRequest: isHeadRequest) {
            case .failure(let reason):
                return (.invalid(reason.reason), headParser.consumed)
            case .success(let f):
                framing = f
                if case .length(let n) = f { remaining = n }
                keepAlive = Self.keepsAlive(head, version: version, framing: f)
                return (.head(head, version: version), headParser.consumed)
            }
        }
    }

    /// The transfer coding whose framing the decoder reads (compared without case).
    private static let chunked = HTTPHeaderName("chunked")

    private struct FramingError: Error {
        let reason: String
    }

    /// How the body of `head` is delimited (RFC 9112 §6.3).
    private static func framing(of head: HTTPResponseHead, isHeadRequest: Bool) -> Result<Framing, FramingError> {
        if isHeadRequest || head.status < 200 || head.status == 204 || head.status == 304 { return .success(.none) }
        // One pass over the fields (every response comes through here): the last coding, and
        // every Content-Length value.
        var lastCoding: String?
        var length: Int?
        var lengthError: String?
        for field in head.headers {
            if HTTPHeaderName.transferEncoding.matches(field.name) {
                lastCoding = field.value
                continue
            }
            guard lengthError == nil, HTTPHeaderName.contentLength.matches(field.name) else { continue }
            for part in field.value.split(separator: ",", omittingEmptySubsequences: false) {
                let text = part.trimmingASCIISpaces()
                guard !text.isEmpty, text.count <= 18, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                    let n = Int(text)
                else {
                    lengthError = "invalid Content-Length"
                    break
                }
                if let length, length != n {
                    lengthError = "conflicting Content-Length values"
                    break
                }
                length = n
            }
        }
        // Transfer-Encoding overrides Content-Length (RFC 9112 §6.3), whatever that says.
        if let lastCoding {
            let last = lastCoding.split(separator: ",").last.map { $0.trimmingASCIISpaces() } ?? ""
            return .success(Self.chunked.matches(String(last)) ? .chunked : .untilClose)
        }
        if let lengthError { return .failure(FramingError(reason: lengthError)) }
        guard let length else { return .success(.untilClose) }
        return .success(.length(length))
    }

    private static func keepsAlive(_ head: HTTPResponseHead, version: String, framing: Framing) -> Bool {
        if framing == .untilClose || head.status == 101 { return false }
        if head.headers.contains(.transferEncoding) && head.headers.contains(.contentLength) { return false }
        if head.headers.hasToken("close", in: .connection) { return false }
        if version == "1.1" { return true }
        return version == "1.0" && head.headers.hasToken("keep-alive", in: .connection)
    }
}
