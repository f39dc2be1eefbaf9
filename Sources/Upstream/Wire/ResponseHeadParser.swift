import HTTPTypes

/// Assembles the final response head from the header bytes libcurl (or the native engine's
/// `ResponseDecoder`, reading the raw connection) hands over.
///
/// libcurl passes every header line of an exchange to CURLOPT_HEADERFUNCTION: status line and
/// fields of each 1xx interim response (100 Continue, 103 Early Hints), those of the final
/// response, then any trailers. Interim blocks are dropped; the final head keeps field order and
/// the sender's case. curl synthesises `HTTP/2 200` status lines for HTTP/2, which parse the same
/// way. curl passes whole lines, but nothing here relies on it: bytes may be split anywhere or
/// carry many lines at once.
///
/// Field values are decoded as UTF-8 (HTTPHeaders stores Strings); invalid bytes become U+FFFD.
/// Value type, no I/O; owned by one transfer. Invariant: after `.head` is returned once, the
/// parser is `isComplete` and ignores further input (trailers).
struct ResponseHeadParser {
    /// What one `feed` call produced.
    enum Outcome: Equatable {
        /// Keep feeding.
        case needMore
        /// The final head is complete; any bytes after it are not parsed.
        case head(HTTPResponseHead)
        /// Not an HTTP response head; the reason is fit for logs (it quotes no header value).
        case invalid(String)
    }

    /// Upper bound for one response head (curl's own limit is 100 KiB per header line).
    static let maxHeadBytes = 256 * 1024

    private var line: [UInt8] = []
    private var status: Int?
    private var headers = HTTPHeaders()
    private var blockVersion = ""
    private var headBytes = 0
    /// The HTTP version token of the final status line (`1.1`, `2`), once known.
    private(set) var version: String?
    private(set) var isComplete = false
    /// Field lines of the final head dropped as unreadable (no colon, or a name not a token).
    private(set) var droppedFieldLines = 0

    /// Bytes of the last `feed` that belonged to the head: all of them, except when it returned
    /// `.head`, where the rest (body bytes, for a caller that reads the raw connection) follows.
    private(set) var consumed = 0

    mutating func feed(_ bytes: UnsafeRawBufferPointer) -> Outcome {
        guard !isComplete else { return .needMore }
        var start = 0
        while let lf = bytes[start...].firstIndex(of: 0x0A) {
            line.append(contentsOf: bytes[start...lf])
            headBytes += lf + 1 - start
            start = lf + 1
            if headBytes > Self.maxHeadBytes { return tooLarge() }
            let outcome = endOfLine()
            line.removeAll(keepingCapacity: true)
            if outcome != .needMore {
                consumed = start
                return outcome
            }
        }
        line.append(contentsOf: bytes[start...])
        headBytes += bytes.count - start
        if headBytes > Self.maxHeadBytes { return tooLarge() }
        consumed = bytes.count
        return .needMore
    }

    /// Only bytes of the head count toward the limit: body bytes may follow in the same feed.
    private func tooLarge() -> Outcome { .invalid("response head larger than \(Self.maxHeadBytes) bytes") }

    private mutating func endOfLine() -> Outcome {
        var end = line.count
        if end > 0, line[end - 1] == 0x0A { end -= 1 }
        if end > 0, line[end - 1] == 0x0D { end -= 1 }
        let content = line[..<end]
        guard let code = status else {
            if content.isEmpty { return .needMore }  // tolerate stray blank lines between blocks
            return parseStatusLine(content)
        }
        if content.isEmpty { return endOfBlock(code) }
        if let first = content.first, first == 0x20 || first == 0x09 {
            return foldContinuation(content)
        }
        addField(content)
        return .needMore
    }

    private mutating func parseStatusLine(_ content: ArraySlice<UInt8>) -> Outcome {
        let prefix: [UInt8] = Array("HTTP/".utf8)
        guard content.starts(with: prefix) else { return .invalid("status line does not start with HTTP/") }
        let afterPrefix = content.index(content.startIndex, offsetBy: prefix.count)
        guard let space = content[afterPrefix...].firstIndex(of: 0x20), space > afterPrefix else {
            return .invalid("status line has no status code")
        }
        var digits = content[(space + 1)...].drop { $0 == 0x20 }
        var code = 0
        for _ in 0..<3 {
            guard let d = digits.first, d >= 0x30, d <= 0x39 else { return .invalid("malformed status code") }
            code = code * 10 + Int(d - 0x30)
            digits = digits.dropFirst()
        }
        if let next = digits.first, next != 0x20 { return .invalid("malformed status code") }
        guard code >= 100 else { return .invalid("status code below 100") }
        status = code
        blockVersion = String(decoding: content[afterPrefix..<space], as: UTF8.self)
        return .needMore
    }

    private mutating func endOfBlock(_ code: Int) -> Outcome {
        // 101 ends the exchange as HTTP; every other 1xx is a preview of the real answer.
        if code < 200 && code != 101 {
            status = nil
            headers = HTTPHeaders()
            droppedFieldLines = 0
            return .needMore
        }
        isComplete = true
        version = blockVersion
        return .head(HTTPResponseHead(status: code, headers: headers))
    }

    /// obs-fold (RFC 9112 §5.2): a line starting with whitespace continues the previous value;
    /// a recipient replaces the fold with a single space.
    private mutating func foldContinuation(_ content: ArraySlice<UInt8>) -> Outcome {
        let more = Self.trimmed(content)
        guard headers.count > 0 else { return .invalid("continuation line before any field") }
        var fields = Array(headers)
        let last = fields.removeLast()
        var rebuilt = HTTPHeaders(fields.map { ($0.name, $0.value) })
        let value = more.isEmpty ? last.value : last.value + " " + String(decoding: more, as: UTF8.self)
        rebuilt.add(last.name, value)
        headers = rebuilt
        return .needMore
    }

    /// Adds `name: value`. A line with no colon or a name that is not a token is dropped rather
    /// than failing the exchange: curl already accepted the response, and the field is not one
    /// anybody could act on. Dropped lines are counted (`droppedFieldLines`): an engine that
    /// frames the body from these fields must refuse a head it could not read whole
    /// (`Transfer-Encoding : chunked` would otherwise change the framing, RFC 9112 §5.1).
    private mutating func addField(_ content: ArraySlice<UInt8>) {
        guard let colon = content.firstIndex(of: 0x3A), colon > content.startIndex else {
            droppedFieldLines += 1
            return
        }
        let name = content[..<colon]
        guard name.allSatisfy(HTTPMethod.isTokenChar) else {
            droppedFieldLines += 1
            return
        }
        let value = Self.trimmed(content[(colon + 1)...])
        headers.add(String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
    }

    private static func trimmed(_ s: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var v = s
        while let f = v.first, f == 0x20 || f == 0x09 { v = v.dropFirst() }
        while let l = v.last, l == 0x20 || l == 0x09 { v = v.dropLast() }
        return v
    }
}
