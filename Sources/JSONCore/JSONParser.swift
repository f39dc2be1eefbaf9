/// Strict RFC 8259 parser with I-JSON's extra rules, working on bytes (no Foundation).
///
/// Rejects what a cache key cannot be built from: invalid UTF-8, lone surrogate escapes,
/// duplicate keys (exact code points, so an escaped and a literal spelling of one key are
/// duplicates while canonically equivalent spellings are not), nesting deeper than
/// `maxDepth`, and anything after the document. Whitespace is the four RFC 8259 bytes; a
/// byte-order mark is an error. Numbers are kept as lexemes (`1e400` parses; converting it
/// is the caller's decision).
///
/// The parser works on a whole buffer, iteratively (an explicit container stack, so depth
/// costs heap, not thread stack), and never reads outside the buffer. Strings are decoded
/// by copying unescaped runs in bulk, found eight bytes at a time.
/// Value type, immutable, `Sendable`: one instance can be shared by every thread.
public struct JSONParser: Sendable {
    public static let defaultMaxDepth = 512

    /// The deepest nesting of arrays and objects accepted; `[]` is depth 1.
    public var maxDepth: Int

    public init(maxDepth: Int = JSONParser.defaultMaxDepth) {
        precondition(maxDepth >= 1, "maxDepth must be at least 1")
        self.maxDepth = maxDepth
    }

    /// Parses exactly one JSON value filling `bytes` (surrounding whitespace allowed).
    public func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONParseError) -> JSONValue {
        var state = JSONParserState(bytes.assumingMemoryBound(to: UInt8.self), maxDepth: maxDepth)
        return try state.parseDocument()
    }

    public func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        let result = bytes.withUnsafeBytes { buf in Result { () throws(JSONParseError) in try parse(buf) } }
        return try result.get()
    }

    public func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        var text = text
        let result = text.withUTF8 { buf in
            Result { () throws(JSONParseError) in try parse(UnsafeRawBufferPointer(buf)) }
        }
        return try result.get()
    }
}
