import HTTPServer
import HTTPTypes

/// An event with its body copied out, comparable in tests.
enum ParsedEvent: Equatable {
    case head(HTTPRequestHead, HTTPRequestBodyFraming)
    case body([UInt8])
    case end

    static func body(_ s: String) -> ParsedEvent { .body(Array(s.utf8)) }
}

/// Feeds `pieces` to `parser` the way a connection does (unconsumed bytes are offered again
/// with the next piece) and returns the events, adjacent body pieces merged.
func drive(_ parser: HTTPRequestParser, _ pieces: [[UInt8]]) throws(HTTPRequestParseError) -> [ParsedEvent] {
    var pending: [UInt8] = []
    var out: [ParsedEvent] = []
    for piece in pieces {
        pending += piece
        while !pending.isEmpty {
            var step: (consumed: Int, event: ParsedEvent?) = (0, nil)
            var failure: HTTPRequestParseError?
            pending.withUnsafeBytes { raw in
                do throws(HTTPRequestParseError) {
                    let r = try parser.parse(raw)
                    switch r.event {
                    case .head(let h, let f)?: step = (r.consumed, .head(h, f))
                    case .body(let b)?: step = (r.consumed, .body(Array(b)))
                    case .end?: step = (r.consumed, .end)
                    case nil: step = (r.consumed, nil)
                    }
                } catch {
                    failure = error
                }
            }
            if let failure { throw failure }
            pending.removeFirst(step.consumed)
            if let e = step.event {
                if case .body(let b) = e, case .body(let prev)? = out.last {
                    out[out.count - 1] = .body(prev + b)
                } else {
                    out.append(e)
                }
            } else if step.consumed == 0 {
                break
            }
        }
    }
    return out
}

/// The whole input at once.
func parseWhole(_ text: String, limits: HTTPRequestParser.Limits = .init()) throws(HTTPRequestParseError)
    -> [ParsedEvent]
{
    try drive(HTTPRequestParser(limits: limits), [Array(text.utf8)])
}

/// The input one byte per call.
func parseByteByByte(_ text: String, limits: HTTPRequestParser.Limits = .init()) throws(HTTPRequestParseError)
    -> [ParsedEvent]
{
    try drive(HTTPRequestParser(limits: limits), Array(text.utf8).map { [$0] })
}

/// The error parsing `text` whole raises, or nil.
func parseError(_ text: String, limits: HTTPRequestParser.Limits = .init()) -> HTTPRequestParseError? {
    do {
        _ = try parseWhole(text, limits: limits)
        return nil
    } catch {
        return error
    }
}

func head(
    _ method: HTTPMethod, _ target: String, _ headers: [(String, String)] = [], minor: Int = 1, keepAlive: Bool = true
) -> HTTPRequestHead {
    HTTPRequestHead(
        method: method, target: target, versionMajor: 1, versionMinor: minor, headers: HTTPHeaders(headers),
        keepAlive: keepAlive)
}
