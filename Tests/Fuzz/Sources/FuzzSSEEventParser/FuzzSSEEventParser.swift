import FuzzSupport
import ReplicateAPI

// Fuzz target: SSEEventParser, which watches upstream's event streams to record them for
// replay, and SSEEvent's encoder, which writes replayed and synthesised streams.
//
// Invariants, for any input:
// - no crash, no sanitizer report;
// - chunking changes nothing: fed in pieces (sizes from the input's hash) or whole, the
//   events (with their raw bytes), the last event ID, the retry time and what is left over
//   are the same;
// - nothing is lost or added: the raw bytes of the events followed by `unconsumedRaw` are
//   exactly the input;
// - encoding an event and parsing the result gives that event back;
// - with a small `maxEventBytes`, the parser gives up (and stays quiet) instead of growing,
//   and what it reported before giving up is a prefix of the unbounded parse.

/// What one parse of a stream gave.
struct Outcome: Equatable {
    var events: [SSEParsedEvent] = []
    var lastEventID = ""
    var reconnectionTime: Int?
    var unconsumedRaw: [UInt8] = []
    var didOverflow = false
}

func run(_ bytes: UnsafeRawBufferPointer, pieces: [Range<Int>], maxEventBytes: Int) -> Outcome {
    var parser = SSEEventParser(maxEventBytes: maxEventBytes)
    var outcome = Outcome()
    for piece in pieces {
        outcome.events += parser.feed(UnsafeRawBufferPointer(rebasing: bytes[piece]))
        if parser.didOverflow {
            Fuzz.require(parser.unconsumedRaw.isEmpty, "an overflowed parser keeps bytes")
        } else {
            Fuzz.require(parser.unconsumedRaw.count <= maxEventBytes, "unconsumed bytes over the limit")
        }
    }
    outcome.events += parser.finish()
    outcome.lastEventID = parser.lastEventID
    outcome.reconnectionTime = parser.reconnectionTime
    outcome.unconsumedRaw = parser.unconsumedRaw
    outcome.didOverflow = parser.didOverflow
    return outcome
}

func checkRoundTrip(_ event: SSEEvent) {
    var parser = SSEEventParser()
    let encoded = event.encoded()
    let back = parser.feed(encoded) + parser.finish()
    Fuzz.require(back.map(\.event) == [event], "encode/parse changed \(event) into \(back.map(\.event))")
    Fuzz.require(back.first?.raw == encoded, "the raw bytes of a re-parsed event are not its encoding")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSSEEventParser(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = Fuzz.input(data, size)
    let hash = Fuzz.hash(input)
    let whole = run(input, pieces: [0..<size], maxEventBytes: 1 << 20)
    let split = run(input, pieces: Fuzz.pieces(count: size, seed: hash), maxEventBytes: 1 << 20)
    Fuzz.require(!whole.didOverflow && whole == split, "whole and split parses differ:\n\(whole)\n\(split)")
    Fuzz.require(whole.events.flatMap(\.raw) + whole.unconsumedRaw == Array(input), "raw bytes do not add up to the input")
    // The first events suffice (an input can hold a thousand tiny ones, each a new parser).
    for event in whole.events.prefix(32) { checkRoundTrip(event.event) }

    let limit = 1 + Int((hash >> 8) % 64)
    let bounded = run(input, pieces: Fuzz.pieces(count: size, seed: hash >> 3), maxEventBytes: limit)
    Fuzz.require(whole.events.starts(with: bounded.events), "a bounded parser reported different events")
    if !bounded.didOverflow {
        Fuzz.require(bounded == whole, "a bounded parser that did not overflow differs")
    }
    return 0
}
