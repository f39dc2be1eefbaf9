/// Builds JSON text byte by byte, without Foundation.
///
/// Used for Reprise's own bodies (errors, health, logs). It writes exactly what it is told:
/// the caller is responsible for commas between members, which `JSONObjectWriter` handles for
/// the common case. Value type; not shared between threads.
public struct JSONWriter {
    public private(set) var bytes: [UInt8]

    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public mutating func raw(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    public mutating func raw(_ s: String) {
        bytes.append(contentsOf: s.utf8)
    }

    public mutating func raw<C: Collection>(bytes b: C) where C.Element == UInt8 {
        bytes.append(contentsOf: b)
    }

    /// The common case, kept concrete: a generic append from another module is not specialised.
    public mutating func raw(bytes b: [UInt8]) {
        bytes.append(contentsOf: b)
    }

    /// Writes `s` as a JSON string literal, escaping what RFC 8259 requires (and `/` is left
    /// alone, as RFC 8785 does).
    public mutating func string(_ s: String) {
        JSONWriter.appendQuoted(s.utf8, to: &bytes)
    }

    public mutating func number(_ n: Int) {
        bytes.append(contentsOf: String(n).utf8)
    }

    public mutating func number(_ d: Double) {
        if d.isFinite {
            if d == d.rounded(.towardZero) && abs(d) < 1e15 {
                bytes.append(contentsOf: String(Int64(d)).utf8)
            } else {
                bytes.append(contentsOf: String(d).utf8)
            }
        } else {
            raw("null")
        }
    }

    public mutating func bool(_ b: Bool) {
        raw(b ? "true" : "false")
    }

    public mutating func null() {
        raw("null")
    }

    /// Appends `value` in decimal, zero-padded to at least `width` digits (a minus sign before a
    /// negative one), without making a String: timestamps and log lines are built from these.
    public static func appendDecimal(_ value: Int64, width: Int = 1, to out: inout [UInt8]) {
        if value < 0 {
            out.append(UInt8(ascii: "-"))
            appendDecimal(value == .min ? .max : -value, width: width, to: &out)
            return
        }
        var divisor: Int64 = 1
        var digits = 1
        while divisor <= value / 10 {
            divisor *= 10
            digits += 1
        }
        if digits < width { out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: width - digits)) }
        var rest = value
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    /// Appends `utf8` as a quoted, escaped JSON string to `out`.
    public static func appendQuoted<C: Collection>(_ utf8: C, to out: inout [UInt8]) where C.Element == UInt8 {
        out.append(UInt8(ascii: "\""))
        appendEscaped(utf8, to: &out)
        out.append(UInt8(ascii: "\""))
    }

    /// Appends the escaped body of a JSON string (no quotes), per `JSONStringEscaping`.
    /// Contiguous input (native strings, arrays) is copied run by run, eight bytes scanned at a
    /// time; only other collections go byte by byte.
    public static func appendEscaped<C: Collection>(_ utf8: C, to out: inout [UInt8]) where C.Element == UInt8 {
        let done: Void? = utf8.withContiguousStorageIfAvailable { buffer in
            JSONStringEscaping.forEachSegment(
                UnsafeRawBufferPointer(buffer),
                literal: { out.append(contentsOf: $0) },
                escape: { JSONStringEscaping.appendEscape($0, to: &out) })
        }
        if done != nil { return }
        for b in utf8 {
            if JSONStringEscaping.needsEscape(b) {
                JSONStringEscaping.appendEscape(b, to: &out)
            } else {
                out.append(b)
            }
        }
    }
}

/// Writes one JSON object member by member, placing the commas.
public struct JSONObjectWriter {
    public private(set) var writer: JSONWriter
    private var first = true

    public init(capacity: Int = 256) {
        writer = JSONWriter(capacity: capacity)
        writer.raw("{")
    }

    private mutating func key(_ k: String) {
        if !first { writer.raw(",") }
        first = false
        writer.string(k)
        writer.raw(":")
    }

    public mutating func field(_ k: String, _ v: String) {
        key(k)
        writer.string(v)
    }

    public mutating func field(_ k: String, _ v: Int) {
        key(k)
        writer.number(v)
    }

    public mutating func field(_ k: String, _ v: Double) {
        key(k)
        writer.number(v)
    }

    public mutating func field(_ k: String, _ v: Bool) {
        key(k)
        writer.bool(v)
    }

    public mutating func nullField(_ k: String) {
        key(k)
        writer.null()
    }

    /// A member whose value is already-encoded JSON.
    public mutating func rawField<C: Collection>(_ k: String, json: C) where C.Element == UInt8 {
        key(k)
        writer.raw(bytes: json)
    }

    public mutating func rawField(_ k: String, json: [UInt8]) {
        key(k)
        writer.raw(bytes: json)
    }

    /// Closes the object and returns its bytes.
    public mutating func finish() -> [UInt8] {
        writer.raw("}")
        return writer.bytes
    }
}
