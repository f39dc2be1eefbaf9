import JSONCore

/// A parsed JSON value, private to the fake: enough to read request bodies and echo `input`.
///
/// The fake is a test double, so a small recursive-descent parser is enough; the proxy's own
/// parser lives in JSONCore. Numbers keep their source text so that an echoed `input` shows the
/// digits the client sent. Objects keep member order and duplicates (lookups take the first).
/// Value type, `Sendable`.
enum FakeJSON: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number's text exactly as it appeared (already checked against the JSON grammar).
    case number(String)
    case string(String)
    case array([FakeJSON])
    case object([Member])

    /// One `"key": value` pair of an object.
    struct Member: Sendable, Equatable {
        var key: String
        var value: FakeJSON
    }

    /// The first member named `key`, when this is an object.
    subscript(_ key: String) -> FakeJSON? {
        guard case .object(let members) = self else { return nil }
        for m in members where m.key == key { return m.value }
        return nil
    }

    var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    var doubleValue: Double? {
        if case .number(let n) = self { return Double(n) }
        return nil
    }

    /// The value as an integer when it is a number with no fraction (`3`, `3.0`, `3e0`).
    var integerValue: Int? {
        guard let d = doubleValue, d.rounded(.towardZero) == d, abs(d) < 1e15 else { return nil }
        return Int(d)
    }

    var isObject: Bool {
        if case .object = self { return true }
        return false
    }

    /// Compact JSON text of this value.
    func write(to w: inout JSONWriter) {
        switch self {
        case .null: w.null()
        case .bool(let b): w.bool(b)
        case .number(let n): w.raw(n)
        case .string(let s): w.string(s)
        case .array(let items):
            w.raw("[")
            for (i, item) in items.enumerated() {
                if i > 0 { w.raw(",") }
                item.write(to: &w)
            }
            w.raw("]")
        case .object(let members):
            w.raw("{")
            for (i, m) in members.enumerated() {
                if i > 0 { w.raw(",") }
                w.string(m.key)
                w.raw(":")
                m.value.write(to: &w)
            }
            w.raw("}")
        }
    }

    /// Compact JSON bytes of this value.
    var jsonBytes: [UInt8] {
        var w = JSONWriter(capacity: 64)
        write(to: &w)
        return w.bytes
    }

    /// Parses one JSON text (RFC 8259), surrounded by optional whitespace.
    static func parse(_ bytes: [UInt8]) throws(FakeJSONError) -> FakeJSON {
        try bytes.withUnsafeBufferPointer { (buf) throws(FakeJSONError) -> FakeJSON in
            var p = FakeJSONParser(buf)
            return try p.parseDocument()
        }
    }
}

/// Why a body is not JSON: a short reason and the byte offset, for a 400 detail.
struct FakeJSONError: Error, Equatable, CustomStringConvertible {
    var offset: Int
    var reason: String
    var description: String { "\(reason) at byte \(offset)" }
}
