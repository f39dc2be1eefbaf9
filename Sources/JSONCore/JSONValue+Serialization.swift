// Compact, order-preserving JSON output of a `JSONValue`, for building response bodies.

extension JSONValue {
    /// The value as compact JSON: no whitespace, members in their stored order, numbers as
    /// their lexemes, strings escaped per `JSONStringEscaping`.
    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        serialize(into: &out)
        return out
    }

    /// Appends the compact JSON of this value to `out`.
    public func serialize(into out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .number(let n): out.append(contentsOf: n.lexeme.utf8)
        case .string(let s): s.serialize(into: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (n, element) in elements.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                element.serialize(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            for (n, member) in object.members.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                member.key.serialize(into: &out)
                out.append(UInt8(ascii: ":"))
                member.value.serialize(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }
}

extension JSONString {
    /// Appends this string as a quoted, escaped JSON string literal.
    public func serialize(into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        utf8.withUnsafeBytes { content in
            JSONStringEscaping.forEachSegment(
                content,
                literal: { out.append(contentsOf: $0) },
                escape: { JSONStringEscaping.appendEscape($0, to: &out) })
        }
        out.append(UInt8(ascii: "\""))
    }
}
