import FuzzSupport
import HTTPServer
import HTTPTypes

// Fuzz target: HTTPRequestParser, the boundary where a client's bytes enter Reprise.
//
// Each input is parsed as one connection's byte stream, whole and in pieces (the pieces come
// from a hash of the input), under the default limits and under small ones. Invariants:
// - no crash, no sanitizer report;
// - every call consumes 0…count bytes; a call that consumes nothing and reports nothing is
//   only the header-limit edge, after which the next call throws `headerTooLarge`;
// - events come in order (head, body…, end); body pieces point into the input given; a
//   `length(n)` body delivers exactly n bytes, and no body exceeds the body limit;
// - heads hold what the parser promises: a non-empty target, token header names, values
//   without CR, LF or NUL;
// - after an error, every later call throws the same error;
// - the split changes nothing: same events (body pieces merged), same error, same state.

/// What one parse of a stream gave: the events (bodies copied, adjacent pieces merged), the
/// error that stopped it, and whether it ended mid-request.
struct Outcome: Equatable {
    enum Event: Equatable {
        case head(HTTPRequestHead, HTTPRequestBodyFraming)
        case body([UInt8])
        case end
    }

    var events: [Event] = []
    /// The kind only: which check fires first (http-parser's or the adapter's) may depend on
    /// where a piece ends, but the answer's status may not.
    var error: HTTPRequestParseError.Kind?
    var midMessage = false

    /// Equal, except that when both stop on the same error, the body delivered just before
    /// it may be longer in one: the parser hands over a chunk's data as soon as it has it and
    /// checks the CRLF after it when that arrives, so a split can deliver bytes that a whole
    /// buffer refuses at once. (The connection answers 400 and closes either way.)
    func agrees(with other: Outcome) -> Bool {
        if self == other { return true }
        guard error != nil, error == other.error, midMessage == other.midMessage else { return false }
        func split(_ o: Outcome) -> ([Event], [UInt8]) {
            if case .body(let b)? = o.events.last { return (Array(o.events.dropLast()), b) }
            return (o.events, [])
        }
        let (a, aTail) = split(self)
        let (b, bTail) = split(other)
        return a == b && (aTail.starts(with: bTail) || bTail.starts(with: aTail))
    }
}

/// Feeds `bytes` in `pieces` the way HTTPConnection does: unconsumed bytes are offered again,
/// followed by the next piece.
func run(_ bytes: UnsafeRawBufferPointer, pieces: [Range<Int>], limits: HTTPRequestParser.Limits) -> Outcome {
    let parser = HTTPRequestParser(limits: limits)
    var outcome = Outcome()
    var pending: [UInt8] = []
    var framing: HTTPRequestBodyFraming?
    var bodyCount = 0
    feeding: for piece in pieces {
        pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[piece]))
        // Every call consumes bytes or reports an event, and events need bytes: a bound.
        var steps = 0
        let maxSteps = 3 * pending.count + 8
        while !pending.isEmpty {
            steps += 1
            Fuzz.require(steps <= maxSteps, "the parser keeps returning without progress")
            let consumed: Int
            let event: Outcome.Event?
            switch step(parser, pending) {
            case .success(let r): (consumed, event) = r
            case .failure(let error):
                outcome.error = error.kind
                checkStaysFailed(parser, error)
                break feeding
            }
            pending.removeFirst(consumed)
            if let event {
                switch event {
                case .head(let head, let f):
                    Fuzz.require(framing == nil, "a head inside a request")
                    checkHead(head)
                    if case .length(let n) = f { Fuzz.require(n > 0 && n <= limits.maxBodyBytes, "length \(n)") }
                    framing = f
                    bodyCount = 0
                case .body(let b):
                    Fuzz.require(framing != nil && framing != HTTPRequestBodyFraming.none, "a body without one declared")
                    bodyCount += b.count
                    Fuzz.require(bodyCount <= limits.maxBodyBytes, "body over the limit")
                    if case .length(let n)? = framing { Fuzz.require(bodyCount <= n, "body longer than declared") }
                case .end:
                    Fuzz.require(framing != nil, "an end without a head")
                    if case .length(let n)? = framing { Fuzz.require(bodyCount == n, "body \(bodyCount) of \(n)") }
                    Fuzz.require(!parser.isMidMessage && !parser.isInBody, "mid-message after an end")
                    framing = nil
                }
                if case .body(let b) = event, case .body(let previous)? = outcome.events.last {
                    outcome.events[outcome.events.count - 1] = .body(previous + b)
                } else {
                    outcome.events.append(event)
                }
            } else if consumed == 0 {
                // Only the header limit reached exactly does this; the next call must refuse.
                guard case .failure(let error) = step(parser, pending) else {
                    Fuzz.require(false, "a call that consumed nothing was not followed by an error")
                    break feeding
                }
                Fuzz.require(error.kind == .headerTooLarge, "\(error) after a call that consumed nothing")
                outcome.error = error.kind
                break feeding
            }
        }
    }
    outcome.midMessage = parser.isMidMessage
    if outcome.error == nil {
        do throws(HTTPRequestParseError) {
            try parser.finishInput()
            Fuzz.require(!outcome.midMessage, "finishInput accepted a cut request")
        } catch {
            Fuzz.require(outcome.midMessage, "finishInput refused between requests: \(error)")
        }
    }
    return outcome
}

/// One `parse` call on `bytes`, checking what can be checked while the buffer is alive (the
/// consumed count, where a body piece points) and copying the body out.
func step(_ parser: HTTPRequestParser, _ bytes: [UInt8]) -> Result<(Int, Outcome.Event?), HTTPRequestParseError> {
    bytes.withUnsafeBytes { raw in
        let r: (consumed: Int, event: HTTPRequestParseEvent?)
        do throws(HTTPRequestParseError) {
            r = try parser.parse(raw)
        } catch {
            return .failure(error)
        }
        Fuzz.require(r.consumed >= 0 && r.consumed <= raw.count, "consumed \(r.consumed) of \(raw.count)")
        switch r.event {
        case .head(let h, let f)?: return .success((r.consumed, .head(h, f)))
        case .body(let b)?:
            let base = UInt(bitPattern: raw.baseAddress)
            let start = UInt(bitPattern: b.baseAddress)
            Fuzz.require(
                b.count > 0 && start >= base && start + UInt(b.count) <= base + UInt(raw.count),
                "a body piece outside the input")
            return .success((r.consumed, .body(Array(b))))
        case .end?: return .success((r.consumed, .end))
        case nil: return .success((r.consumed, nil))
        }
    }
}

func checkHead(_ head: HTTPRequestHead) {
    Fuzz.require(!head.target.isEmpty, "an empty target")
    Fuzz.require(head.versionMajor == 1, "version \(head.versionMajor)")
    Fuzz.require(head.method.rawValue != "CONNECT", "CONNECT reported")
    for field in head.headers {
        Fuzz.require(!field.name.isEmpty && field.name.utf8.allSatisfy(HTTPMethod.isTokenChar), "name \(field.name)")
        Fuzz.require(
            !field.value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }), "value of \(field.name)")
    }
}

/// A failed parser answers every later call with the same error.
func checkStaysFailed(_ parser: HTTPRequestParser, _ error: HTTPRequestParseError) {
    guard case .failure(let again) = step(parser, Array("GET / HTTP/1.1\r\n\r\n".utf8)) else {
        Fuzz.require(false, "a failed parser parsed again")
        return
    }
    Fuzz.require(again == error, "a failed parser did not stay failed")
    Fuzz.require(!parser.isMidMessage, "a failed parser is mid-message")
}

let smallLimits = HTTPRequestParser.Limits(maxHeaderBytes: 200, maxBodyBytes: 64)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPRequestParser(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Fuzz.input(data, size)
    let whole = [0..<size]
    let split = Fuzz.pieces(count: size, seed: Fuzz.hash(bytes))
    for limits in [HTTPRequestParser.Limits(), smallLimits] {
        let a = run(bytes, pieces: whole, limits: limits)
        let b = run(bytes, pieces: split, limits: limits)
        Fuzz.require(a.agrees(with: b), "whole and split parses differ:\n\(a)\n\(b)")
    }
    return 0
}
