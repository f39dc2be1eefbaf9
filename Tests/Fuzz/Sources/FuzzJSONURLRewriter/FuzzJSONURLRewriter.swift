import FuzzSupport
import JSONCore
import ReplicateAPI

// Fuzz target: JSONURLRewriter, which edits upstream's JSON answers while they stream through.
//
// Invariants, for any input:
// - no crash, no sanitizer report;
// - chunking changes nothing: fed in pieces or whole, the output, `didFail` and the stream
//   URLs handed to the mapper are the same;
// - bytes are preserved: the output is the input with some string literals replaced by other
//   string literals, each replacement either the upstream origin moved to the public one or
//   the mapper's answer for that stream URL;
// - for a strict JSON document, the output is JSON with the same value except at the paths
//   the rewriter owns (`urls.get`/`cancel`/`stream` at the top and in each `results` item,
//   top-level `next`/`previous`), which hold exactly the expected rewrite.

let base = BaseURLRewrite(upstreamBase: "https://api.replicate.com", publicBase: "http://127.0.0.1:8080/p")
let jsonParser = JSONParser()

/// The stream-URL mapper: a function of the URL (so the expected value can be recomputed),
/// declining some URLs to exercise "leave it".
func mapStream(_ url: String) -> String? {
    var url = url
    let h = url.withUTF8 { Fuzz.hash(UnsafeRawBufferPointer($0)) }
    return h % 5 == 0 ? nil : "http://127.0.0.1:8080/v1/streams/\(String(h, radix: 36))"
}

struct Outcome: Equatable {
    var output: [UInt8] = []
    var didFail = false
    var mapped: [String] = []
}

func run(_ bytes: UnsafeRawBufferPointer, pieces: [Range<Int>]) -> Outcome {
    final class Calls { var urls: [String] = [] }
    let calls = Calls()
    var rewriter = JSONURLRewriter(base: base) { url in
        calls.urls.append(url)
        return mapStream(url)
    }
    var outcome = Outcome()
    for piece in pieces { rewriter.feed(UnsafeRawBufferPointer(rebasing: bytes[piece]), into: &outcome.output) }
    rewriter.finish(into: &outcome.output)
    outcome.didFail = rewriter.didFail
    outcome.mapped = calls.urls
    return outcome
}

/// The end (exclusive) of the string literal opening at `start`, or the end of `bytes`.
func literalEnd(_ bytes: [UInt8], from start: Int) -> Int {
    var i = start + 1
    while i < bytes.count {
        if bytes[i] == UInt8(ascii: "\\") {
            i += 2
            continue
        }
        if bytes[i] == UInt8(ascii: "\"") { return i + 1 }
        i += 1
    }
    return bytes.count
}

/// The bytes a string literal (quotes included) stands for. Lenient like the rewriter, which
/// works on bytes: raw bytes that are not UTF-8 are kept. Nil for a bad escape or a lone
/// surrogate (which the rewriter never rewrites). Written again on purpose rather than taken
/// from `JSONStringEscaping.unescape`: an oracle that shares the code under test shares its bugs.
func decodedBytes(_ literal: ArraySlice<UInt8>) -> [UInt8]? {
    guard literal.count >= 2 else { return nil }
    var body = literal.dropFirst().dropLast()
    var out: [UInt8] = []
    func hex4(_ s: inout ArraySlice<UInt8>) -> UInt32? {
        guard s.count >= 4, let v = UInt32(String(decoding: s.prefix(4), as: UTF8.self), radix: 16) else { return nil }
        s = s.dropFirst(4)
        return v
    }
    while let b = body.popFirst() {
        guard b == UInt8(ascii: "\\") else {
            out.append(b)
            continue
        }
        guard let e = body.popFirst() else { return nil }
        switch e {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            guard var v = hex4(&body) else { return nil }
            if (0xD800..<0xDC00).contains(v) {
                guard body.starts(with: "\\u".utf8) else { return nil }
                body = body.dropFirst(2)
                guard let low = hex4(&body), (0xDC00..<0xE000).contains(low) else { return nil }
                v = 0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let scalar = Unicode.Scalar(v) else { return nil }
            out.append(contentsOf: Array(String(scalar).utf8))
        default: return nil
        }
    }
    return out
}

/// True when `replacement` is a rewrite the rewriter may make of `original`.
func isAllowedRewrite(_ original: ArraySlice<UInt8>, _ replacement: ArraySlice<UInt8>) -> Bool {
    guard let from = decodedBytes(original), let to = decodedBytes(replacement) else { return false }
    return base.rewrite(from) == to || mapStream(String(decoding: from, as: UTF8.self)).map { Array($0.utf8) } == to
}

/// Output = input with some string literals replaced (allowed rewrites only).
func checkBytesPreserved(_ input: [UInt8], _ output: [UInt8]) {
    var i = 0
    var j = 0
    while i < input.count {
        if input[i] != UInt8(ascii: "\"") {
            Fuzz.require(j < output.count && output[j] == input[i], "byte \(i) changed outside a string")
            i += 1
            j += 1
            continue
        }
        let inEnd = literalEnd(input, from: i)
        let outEnd = j < output.count && output[j] == UInt8(ascii: "\"") ? literalEnd(output, from: j) : j
        Fuzz.require(outEnd > j, "a string literal at \(i) was removed")
        let original = input[i..<inEnd]
        let written = output[j..<outEnd]
        Fuzz.require(
            original == written || isAllowedRewrite(original, written),
            "string at \(i) rewritten to something not allowed: \(String(decoding: original, as: UTF8.self)) → "
                + String(decoding: written, as: UTF8.self))
        i = inEnd
        j = outEnd
    }
    Fuzz.require(j == output.count, "bytes added at the end")
}

// MARK: - Strict JSON: the value-level check

extension JSONString {
    /// Keys are matched by bytes; Swift's `==` on `String` is canonical equivalence, which
    /// only agrees with that for ASCII.
    var isASCII: Bool { utf8.allSatisfy { $0 < 0x80 } }
}

/// `urls` object: `get`/`cancel` move to the public origin (but not `/v1/files/` URLs),
/// `stream` goes through the mapper; anything else is unchanged.
func expectedURLs(_ value: JSONValue) -> JSONValue {
    guard case .object(let o) = value else { return value }
    var out = JSONObject()
    for m in o.members {
        var v = m.value
        if case .string(let s) = v {
            switch m.key.string {
            case _ where !m.key.isASCII: break
            case "get", "cancel":
                if let rest = base.upstreamRemainder(s.utf8), !rest.starts(with: "/v1/files/".utf8),
                    let r = base.rewrite(s.string)
                {
                    v = .string(JSONString(r))
                }
            case "stream":
                if let r = mapStream(s.string) { v = .string(JSONString(r)) }
            default: break
            }
        }
        out[m.key.string] = v
    }
    return .object(out)
}

func expectedItem(_ value: JSONValue, isRoot: Bool) -> JSONValue {
    guard case .object(let o) = value else { return value }
    var out = JSONObject()
    for m in o.members {
        var v = m.value
        switch m.key.string {
        case _ where !m.key.isASCII: break
        case "urls": v = expectedURLs(v)
        case "results" where isRoot:
            if case .array(let items) = v { v = .array(items.map { expectedItem($0, isRoot: false) }) }
        case "next" where isRoot, "previous" where isRoot:
            if case .string(let s) = v, let r = base.rewrite(s.string) { v = .string(JSONString(r)) }
        default: break
        }
        out[m.key.string] = v
    }
    return .object(out)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONURLRewriter(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = Fuzz.input(data, size)
    let whole = run(input, pieces: [0..<size])
    let split = run(input, pieces: Fuzz.pieces(count: size, seed: Fuzz.hash(input)))
    Fuzz.require(whole == split, "whole and split rewrites differ")
    let bytes = Array(input)
    checkBytesPreserved(bytes, whole.output)

    guard let value = try? jsonParser.parse(bytes) else { return 0 }
    Fuzz.require(!whole.didFail, "a strict JSON document made the rewriter fail")
    guard let rewritten = try? jsonParser.parse(whole.output) else {
        Fuzz.require(false, "the rewrite of a strict JSON document is not JSON")
        return 0
    }
    Fuzz.require(rewritten == expectedItem(value, isRoot: true), "the rewritten document holds other values")
    return 0
}
