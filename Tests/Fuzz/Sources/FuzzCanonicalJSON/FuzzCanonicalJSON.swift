import CacheCore
import FuzzSupport
import JSONCore

// Fuzz target: JSONParser and the RFC 8785 canonicaliser, which together turn a request body
// into the bytes a cache key is hashed from.
//
// Invariants, for any input:
// - no crash, no sanitizer report; a parse error's offset lies within the input;
// - the compact writer round-trips: parse(serialized(v)) == v;
// - canonicalisation fails only on a number that overflows a double;
// - it is a fixed point: canonical(parse(canonical(v))) == canonical(v), and the canonical
//   text means the same as the input (same keys, same strings, numbers of equal value);
// - the output does not depend on the canonicaliser's chunk size;
// - the first eight bytes, read as a double, format (ECMAScript form) to text that parses
//   back to the same double.

let parser = JSONParser()

func canonical(_ value: JSONValue, chunkCapacity: Int) -> Result<[UInt8], CanonicalJSONError> {
    var writer = CanonicalJSON(chunkCapacity: chunkCapacity)
    var out: [UInt8] = []
    do throws(CanonicalJSONError) {
        try writer.write(value, to: &out)
        return .success(out)
    } catch {
        return .failure(error)
    }
}

func parse(_ bytes: [UInt8]) -> Result<JSONValue, JSONParseError> {
    Result { () throws(JSONParseError) in try parser.parse(bytes) }
}

/// True when some number in `value` does not fit a double.
func hasOverflowingNumber(_ value: JSONValue) -> Bool {
    switch value {
    case .number(let n): return n.double == nil
    case .array(let elements): return elements.contains(where: hasOverflowingNumber)
    case .object(let o): return o.members.contains { hasOverflowingNumber($0.value) }
    default: return false
    }
}

/// `canonical` means what `original` means: members sorted (by UTF-16 code units), strings
/// identical, numbers equal as doubles.
func sameMeaning(_ original: JSONValue, _ canonical: JSONValue) -> Bool {
    switch (original, canonical) {
    case (.number(let a), .number(let b)):
        return a.double != nil && a.double == b.double
    case (.array(let a), .array(let b)):
        return a.count == b.count && zip(a, b).allSatisfy(sameMeaning)
    case (.object(let a), .object(let b)):
        guard a.count == b.count else { return false }
        let keys = b.members.map { Array($0.key.string.utf16) }
        guard zip(keys, keys.dropFirst()).allSatisfy({ $0.lexicographicallyPrecedes($1) }) else { return false }
        return a.members.allSatisfy { m in
            b.members.contains { $0.key == m.key && sameMeaning(m.value, $0.value) }
        }
    default:
        return original == canonical
    }
}

func checkNumberFormatting(_ bytes: UnsafeRawBufferPointer) {
    guard bytes.count >= 8 else { return }
    let d = Double(bitPattern: bytes.loadUnaligned(as: UInt64.self))
    guard d.isFinite else { return }
    guard case .success(let text) = canonical(.number(JSONNumber(d)), chunkCapacity: 64) else {
        Fuzz.require(false, "a finite double has no canonical form: \(d)")
        return
    }
    guard case .success(.number(let n)) = parse(text), let back = n.double else {
        Fuzz.require(false, "the canonical form of \(d) is not a JSON number: \(String(decoding: text, as: UTF8.self))")
        return
    }
    Fuzz.require(back == d, "\(d) formats as \(n.lexeme), which reads back as \(back)")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCanonicalJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = Fuzz.input(data, size)
    checkNumberFormatting(input)
    let value: JSONValue
    switch parse(Array(input)) {
    case .failure(let error):
        Fuzz.require(error.offset >= 0 && error.offset <= size, "error offset \(error.offset) of \(size)")
        return 0
    case .success(let v):
        value = v
    }
    Fuzz.require(parse(value.serialized()) == .success(value), "the compact writer does not round-trip")

    let first: [UInt8]
    switch canonical(value, chunkCapacity: CanonicalJSON.defaultChunkCapacity) {
    case .failure:
        Fuzz.require(hasOverflowingNumber(value), "canonicalisation failed without an overflowing number")
        return 0
    case .success(let bytes):
        first = bytes
    }
    guard case .success(let reparsed) = parse(first) else {
        Fuzz.require(false, "canonical output does not parse: \(String(decoding: first, as: UTF8.self))")
        return 0
    }
    Fuzz.require(sameMeaning(value, reparsed), "canonical output means something else")
    Fuzz.require(
        canonical(reparsed, chunkCapacity: CanonicalJSON.defaultChunkCapacity) == .success(first),
        "canonicalisation is not a fixed point")
    let small = 1 + Int(Fuzz.hash(input) % 17)
    Fuzz.require(canonical(value, chunkCapacity: small) == .success(first), "chunk size \(small) changes the output")
    return 0
}
