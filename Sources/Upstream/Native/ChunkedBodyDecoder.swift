/// Removes HTTP/1.1 chunked framing (RFC 9112 §7.1) from a response body, byte by byte or
/// many chunks at once, without copying the data.
///
/// `next` consumes framing (size lines with their extensions, the CRLF after each chunk, the
/// trailer section) and stops at data: it reports `.body(n)`, meaning the next `n` input bytes
/// are body, and does not consume them until the caller says it took them (`bodyTaken`), so a
/// caller whose consumer refuses bytes can offer the same bytes again later. Extensions and
/// trailers are read and dropped (trailers are not relayed, as with curl). Bare LF is accepted
/// where CRLF is expected, as most clients do.
///
/// Limits: a size line (digits plus extensions) of at most `maxSizeLine` bytes, a chunk size
/// below 2^40, a trailer section of at most `maxTrailerBytes`. Value type, no I/O; owned by one
/// response decoder. Invariant: `remaining > 0` only in `.data`.
struct ChunkedBodyDecoder {
    enum Event: Equatable {
        /// Every byte given was framing and was consumed.
        case needMore
        /// The next `n` bytes after the consumed framing are chunk data.
        case body(Int)
        /// The last chunk and the trailer section were read; the message ends here.
        case end
        case invalid(String)
    }

    static let maxSizeLine = 4096
    static let maxTrailerBytes = 64 * 1024
    private static let maxChunkSize = 1 << 40

    private enum State {
        case size, sizeExtension, sizeLF, data, dataCR, dataLF, trailerLineStart, trailerLine, trailerEndLF, done
    }

    private var state = State.size
    private var size = 0
    private var sawDigit = false
    private var lineBytes = 0
    private var trailerBytes = 0
    /// Data bytes left in the current chunk.
    private(set) var remaining = 0

    var isDone: Bool { state == .done }

    /// Reads framing from `bytes`; returns the event and how many bytes it consumed before it.
    mutating func next(_ bytes: UnsafeRawBufferPointer) -> (event: Event, consumed: Int) {
        var i = 0
        while i < bytes.count {
            if state == .data { return (.body(min(remaining, bytes.count - i)), i) }
            if state == .done { return (.end, i) }
            let b = bytes[i]
            i += 1
            if let failure = step(b) { return (.invalid(failure), i) }
        }
        return (state == .done ? .end : .needMore, i)
    }

    /// The caller took `n` of the data bytes `.body` offered.
    mutating func bodyTaken(_ n: Int) {
        precondition(state == .data && n <= remaining, "more chunk data taken than offered")
        remaining -= n
        if remaining == 0 { state = .dataCR }
    }

    /// One framing byte; a reason when the framing is broken.
    private mutating func step(_ b: UInt8) -> String? {
        switch state {
        case .size:
            lineBytes += 1
            if let digit = Self.hexValue(b) {
                size = size << 4 | digit
                sawDigit = true
                if size >= Self.maxChunkSize { return "chunk size too large" }
            } else if b == 0x3B || b == 0x20 || b == 0x09 {  // ';' (extension) or BWS before it
                guard sawDigit else { return "chunk size missing" }
                state = .sizeExtension
            } else if b == 0x0D {
                state = .sizeLF
            } else if b == 0x0A {
                return endOfSizeLine()
            } else {
                return "invalid byte in chunk size"
            }
            if lineBytes > Self.maxSizeLine { return "chunk size line too long" }
        case .sizeExtension:
            lineBytes += 1
            if lineBytes > Self.maxSizeLine { return "chunk size line too long" }
            if b == 0x0A { return endOfSizeLine() }
            if b == 0x0D { state = .sizeLF }
        case .sizeLF:
            guard b == 0x0A else { return "chunk size line not ended by CRLF" }
            return endOfSizeLine()
        case .dataCR:
            if b == 0x0D {
                state = .dataLF
            } else if b == 0x0A {
                startSizeLine()
            } else {
                return "chunk data longer than its size"
            }
        case .dataLF:
            guard b == 0x0A else { return "chunk data not ended by CRLF" }
            startSizeLine()
        case .trailerLineStart:
            if b == 0x0D {
                state = .trailerEndLF
            } else if b == 0x0A {
                state = .done
            } else {
                state = .trailerLine
                return countTrailerByte()
            }
        case .trailerLine:
            if b == 0x0A { state = .trailerLineStart }
            return countTrailerByte()
        case .trailerEndLF:
            guard b == 0x0A else { return "trailer section not ended by CRLF" }
            state = .done
        case .data, .done:
            preconditionFailure("no framing byte is read in this state")
        }
        return nil
    }

    private mutating func endOfSizeLine() -> String? {
        guard sawDigit else { return "chunk size missing" }
        if size == 0 {
            state = .trailerLineStart
        } else {
            remaining = size
            state = .data
        }
        return nil
    }

    private mutating func startSizeLine() {
        state = .size
        size = 0
        sawDigit = false
        lineBytes = 0
    }

    private mutating func countTrailerByte() -> String? {
        trailerBytes += 1
        return trailerBytes > Self.maxTrailerBytes ? "trailer section too large" : nil
    }

    private static func hexValue(_ b: UInt8) -> Int? {
        switch b {
        case 0x30...0x39: return Int(b - 0x30)
        case 0x41...0x46: return Int(b - 0x41 + 10)
        case 0x61...0x66: return Int(b - 0x61 + 10)
        default: return nil
        }
    }
}
