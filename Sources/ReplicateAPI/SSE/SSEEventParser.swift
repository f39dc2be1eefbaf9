/// An event read from a stream, with the exact bytes it came as.
///
/// `raw` runs from the end of the previous event up to and including this event's blank line:
/// it also holds anything in between that was not an event (comments, keep-alives, blocks
/// without data, a leading BOM). So the `raw` of every event, in order, followed by
/// `SSEEventParser.unconsumedRaw`, is exactly the input. Value type, `Sendable`.
public struct SSEParsedEvent: Hashable, Sendable {
    public var event: SSEEvent
    public var raw: [UInt8]

    public init(event: SSEEvent, raw: [UInt8]) {
        self.event = event
        self.raw = raw
    }
}

/// An incremental `text/event-stream` parser following the WHATWG HTML "event stream
/// interpretation" rules: lines end in CRLF, LF or CR; one leading UTF-8 BOM is skipped;
/// `:` starts a comment; a field without a colon has an empty value; one space after the colon
/// is dropped; `data` lines accumulate joined by `\n`; `id` containing NUL is ignored; `retry`
/// takes digits only; unknown fields are ignored; a blank line dispatches, unless no `data`
/// line was seen (then nothing is dispatched); an unterminated block at the end is dropped.
///
/// It only watches: the relay writes upstream's bytes as they came, and recording uses each
/// event's `raw`. When a blank line ends in CR, dispatch waits for the next byte (or `finish`)
/// so that an LF following it belongs to this event's `raw` whatever the chunking.
///
/// Memory: the current block is buffered; past `maxEventBytes` the parser gives up
/// (`didOverflow`), drops its buffers and ignores further input (the relay is unaffected).
///
/// Value type, `Sendable`; owned by one stream at a time.
public struct SSEEventParser: Sendable {
    public let maxEventBytes: Int
    /// The WHATWG "last event ID": the most recent `id:` value, kept across events.
    public private(set) var lastEventID = ""
    /// The most recent valid `retry:` value, in milliseconds.
    public private(set) var reconnectionTime: Int?
    /// True once a block grew past `maxEventBytes`.
    public private(set) var didOverflow = false
    /// Bytes received since the last dispatched event.
    public private(set) var unconsumedRaw: [UInt8] = []

    private var line: [UInt8] = []
    private var data: [UInt8] = []
    private var eventType: [UInt8] = []
    private var lastEventIDBuffer: [UInt8] = []
    private var blockID: [UInt8]?
    private var blockRetry: Int?
    /// Leading BOM bytes matched so far; 3 once the start of the stream is past.
    private var bomMatched = 0
    /// The previous line ended in CR: an LF now is part of that line ending.
    private var skipLF = false
    /// A blank line ended in CR: dispatch once the next byte is known.
    private var pendingDispatch = false

    private static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
    private static let cr: UInt8 = 0x0D
    private static let lf: UInt8 = 0x0A

    public init(maxEventBytes: Int = 8 * 1024 * 1024) {
        self.maxEventBytes = maxEventBytes
    }

    /// Feeds the next bytes; returns the events they complete, in order.
    public mutating func feed(_ chunk: [UInt8]) -> [SSEParsedEvent] {
        chunk.withUnsafeBytes { feed($0) }
    }

    /// Feeds the next bytes; returns the events they complete, in order.
    public mutating func feed(_ chunk: UnsafeRawBufferPointer) -> [SSEParsedEvent] {
        guard !didOverflow else { return [] }
        var events: [SSEParsedEvent] = []
        let n = chunk.count
        var rawStart = 0
        var i = 0
        while i < n {
            let b = chunk[i]
            if pendingDispatch {
                pendingDispatch = false
                let includesLF = b == SSEEventParser.lf
                let end = includesLF ? i + 1 : i
                dispatch(chunk, rawStart: &rawStart, rawEnd: end, into: &events)
                if includesLF {
                    i += 1
                    continue
                }
            }
            if bomMatched < 3 {
                if b == SSEEventParser.bom[bomMatched] {
                    bomMatched += 1
                    i += 1
                    continue
                }
                line.append(contentsOf: SSEEventParser.bom[..<bomMatched])  // not a BOM after all
                bomMatched = 3
            }
            if skipLF {
                skipLF = false
                if b == SSEEventParser.lf {
                    i += 1
                    continue
                }
            }
            var j = i
            while j < n && chunk[j] != SSEEventParser.cr && chunk[j] != SSEEventParser.lf { j += 1 }
            line.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[i..<j]))
            guard j < n else { break }
            let endsInCR = chunk[j] == SSEEventParser.cr
            if !line.isEmpty {
                processLine()
                line.removeAll(keepingCapacity: true)
                skipLF = endsInCR
            } else if endsInCR {
                pendingDispatch = true
            } else {
                dispatch(chunk, rawStart: &rawStart, rawEnd: j + 1, into: &events)
            }
            i = j + 1
        }
        unconsumedRaw.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[rawStart..<n]))
        if unconsumedRaw.count > maxEventBytes {
            didOverflow = true
            unconsumedRaw = []
            line = []
            data = []
        }
        return events
    }

    /// Ends the stream: dispatches an event whose closing CR was the last byte. An unterminated
    /// block is dropped (WHATWG); its bytes stay in `unconsumedRaw`.
    public mutating func finish() -> [SSEParsedEvent] {
        guard pendingDispatch, !didOverflow else { return [] }
        pendingDispatch = false
        var events: [SSEParsedEvent] = []
        var rawStart = 0
        dispatch(UnsafeRawBufferPointer(start: nil, count: 0), rawStart: &rawStart, rawEnd: 0, into: &events)
        return events
    }

    // MARK: - Lines and dispatch

    private mutating func processLine() {
        if line[0] == UInt8(ascii: ":") { return }
        let colon = line.firstIndex(of: UInt8(ascii: ":"))
        let field = line[..<(colon ?? line.endIndex)]
        var value = colon.map { line[line.index(after: $0)...] } ?? line[line.endIndex...]
        if value.first == 0x20 { value = value.dropFirst() }
        if field.elementsEqual("data".utf8) {
            data.append(contentsOf: value)
            data.append(SSEEventParser.lf)
        } else if field.elementsEqual("event".utf8) {
            eventType = Array(value)
        } else if field.elementsEqual("id".utf8) {
            if !value.contains(0) {
                lastEventIDBuffer = Array(value)
                blockID = Array(value)
            }
        } else if field.elementsEqual("retry".utf8) {
            if let ms = SSEEventParser.digits(value) {
                reconnectionTime = ms
                blockRetry = ms
            }
        }
    }

    /// A blank line: the bytes up to `rawEnd` (exclusive) close the block.
    private mutating func dispatch(
        _ chunk: UnsafeRawBufferPointer, rawStart: inout Int, rawEnd: Int, into events: inout [SSEParsedEvent]
    ) {
        lastEventID = String(decoding: lastEventIDBuffer, as: UTF8.self)
        defer {
            data.removeAll(keepingCapacity: true)
            eventType.removeAll(keepingCapacity: true)
            blockID = nil
            blockRetry = nil
        }
        guard !data.isEmpty else { return }
        data.removeLast()  // the `\n` after the last data line
        unconsumedRaw.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[rawStart..<rawEnd]))
        rawStart = rawEnd
        let event = SSEEvent(
            name: eventType.isEmpty ? nil : String(decoding: eventType, as: UTF8.self),
            id: blockID.map { String(decoding: $0, as: UTF8.self) },
            data: String(decoding: data, as: UTF8.self),
            retry: blockRetry)
        events.append(SSEParsedEvent(event: event, raw: unconsumedRaw))
        unconsumedRaw = []
    }

    /// ASCII digits as an Int; nil when empty, not all digits, or too large.
    private static func digits(_ s: ArraySlice<UInt8>) -> Int? {
        guard !s.isEmpty, s.count <= 18 else { return nil }
        var v = 0
        for b in s {
            guard b >= 0x30 && b <= 0x39 else { return nil }
            v = v * 10 + Int(b - 0x30)
        }
        return v
    }
}
