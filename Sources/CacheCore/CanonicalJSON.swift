import JSONCore

/// The RFC 8785 (JCS) canonical form of a `JSONValue`: the bytes a cache key is hashed from.
///
/// Object members in UTF-16 code-unit order of their keys (`CanonicalKeyOrder`), no
/// whitespace, strings escaped per `JSONStringEscaping` (only `"`, `\` and controls; all else
/// literal UTF-8), numbers re-serialised from their IEEE-754 value in ECMAScript form
/// (`ECMAScriptNumberFormatter`), so `1`, `1.0`, `1e0` and `10e-1` all give `1`.
/// The input must be I-JSON, which `JSONParser` guarantees except for numbers that overflow
/// a double: those throw.
///
/// Output goes to any `ByteSink` in chunks of about `chunkCapacity` bytes; string runs longer
/// than that skip the chunk buffer, so a 5 MB data URI reaches a hasher without being copied.
/// The chunk buffer is reused across calls: keep one `CanonicalJSON` per event loop.
/// Threading: a value type with a mutable buffer; not for concurrent use.
public struct CanonicalJSON {
    public static let defaultChunkCapacity = 16 * 1024

    private let chunkCapacity: Int
    private var chunk: [UInt8] = []

    public init(chunkCapacity: Int = CanonicalJSON.defaultChunkCapacity) {
        precondition(chunkCapacity > 0, "chunkCapacity must be positive")
        self.chunkCapacity = chunkCapacity
        chunk.reserveCapacity(chunkCapacity + 64)
    }

    /// Writes the canonical bytes of `value` to `sink`. On error the sink has received a
    /// prefix of the output, which the caller discards (or resets the hasher).
    public mutating func write<Sink: ByteSink>(_ value: JSONValue, to sink: inout Sink) throws(CanonicalJSONError) {
        chunk.removeAll(keepingCapacity: true)
        try emit(value, to: &sink)
        flush(to: &sink)
    }

    /// The canonical bytes of `value`, materialised.
    public static func bytes(of value: JSONValue) throws(CanonicalJSONError) -> [UInt8] {
        var canonical = CanonicalJSON()
        var out: [UInt8] = []
        try canonical.write(value, to: &out)
        return out
    }

    // MARK: - Emission (recursive; depth is bounded by the parser's limit)

    private mutating func emit<Sink: ByteSink>(_ value: JSONValue, to sink: inout Sink) throws(CanonicalJSONError) {
        switch value {
        case .null: put("null", &sink)
        case .bool(let b): put(b ? "true" : "false", &sink)
        case .number(let n): try emitNumber(n, &sink)
        case .string(let s): emitString(s, &sink)
        case .array(let elements):
            put(UInt8(ascii: "["), &sink)
            for (n, element) in elements.enumerated() {
                if n > 0 { put(UInt8(ascii: ","), &sink) }
                try emit(element, to: &sink)
            }
            put(UInt8(ascii: "]"), &sink)
        case .object(let object):
            put(UInt8(ascii: "{"), &sink)
            let members = object.members
            let order = members.count < 2 ? Array(members.indices) : CanonicalKeyOrder.sortedIndices(members)
            for (n, index) in order.enumerated() {
                if n > 0 { put(UInt8(ascii: ","), &sink) }
                emitString(members[index].key, &sink)
                put(UInt8(ascii: ":"), &sink)
                try emit(members[index].value, to: &sink)
            }
            put(UInt8(ascii: "}"), &sink)
        }
    }

    private mutating func emitNumber<Sink: ByteSink>(
        _ number: JSONNumber, _ sink: inout Sink
    ) throws(CanonicalJSONError) {
        var lexeme = number.lexeme
        let isShortInteger = lexeme.withUTF8 { text in
            // Integers of up to 15 digits are exact doubles that ECMAScript prints as written
            // (JSON forbids leading zeros), so they skip the double round trip.
            let digits = text.first == UInt8(ascii: "-") ? UnsafeBufferPointer(rebasing: text.dropFirst()) : text
            guard digits.count <= 15, digits.allSatisfy({ $0 &- UInt8(ascii: "0") < 10 }) else { return false }
            if digits.count == 1 && digits[0] == UInt8(ascii: "0") {
                chunk.append(UInt8(ascii: "0"))  // "-0" too
            } else {
                chunk.append(contentsOf: text)
            }
            return true
        }
        if !isShortInteger {
            guard let value = number.double else { throw CanonicalJSONError(.numberOutOfRange) }
            ECMAScriptNumberFormatter.append(value, to: &chunk)
        }
        flushIfFull(&sink)
    }

    private mutating func emitString<Sink: ByteSink>(_ string: JSONString, _ sink: inout Sink) {
        put(UInt8(ascii: "\""), &sink)
        string.utf8.withUnsafeBytes { content in
            JSONStringEscaping.forEachSegment(
                content,
                literal: { put($0, &sink) },
                escape: {
                    JSONStringEscaping.appendEscape($0, to: &chunk)
                    flushIfFull(&sink)
                })
        }
        put(UInt8(ascii: "\""), &sink)
    }

    // MARK: - Chunk buffer

    private mutating func put<Sink: ByteSink>(_ byte: UInt8, _ sink: inout Sink) {
        chunk.append(byte)
        flushIfFull(&sink)
    }

    private mutating func put<Sink: ByteSink>(_ text: StaticString, _ sink: inout Sink) {
        put(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount), &sink)
    }

    private mutating func put<Sink: ByteSink>(_ bytes: UnsafeRawBufferPointer, _ sink: inout Sink) {
        if chunk.count + bytes.count > chunkCapacity {
            flush(to: &sink)
            if bytes.count >= chunkCapacity {
                sink.write(bytes)
                return
            }
        }
        chunk.append(contentsOf: bytes)
        flushIfFull(&sink)
    }

    @inline(__always)
    private mutating func flushIfFull<Sink: ByteSink>(_ sink: inout Sink) {
        if chunk.count >= chunkCapacity { flush(to: &sink) }
    }

    private mutating func flush<Sink: ByteSink>(to sink: inout Sink) {
        guard !chunk.isEmpty else { return }
        chunk.withUnsafeBytes { sink.write($0) }
        chunk.removeAll(keepingCapacity: true)
    }
}
