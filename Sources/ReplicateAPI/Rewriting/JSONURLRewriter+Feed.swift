import JSONCore

// The per-byte state machine. `runStart` is the first byte of the chunk not yet written;
// `captureStart` the first byte of the current key or candidate not yet captured. Untouched
// bytes are written in one append per run; a held candidate splits the run around itself.

private let quote = UInt8(ascii: "\"")
private let backslash = UInt8(ascii: "\\")

extension JSONURLRewriter {
    /// Feeds the next chunk of the body; appends what can be written so far to `out`.
    public mutating func feed(_ chunk: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        let n = chunk.count
        guard n > 0 else { return }
        guard state != .failed else {
            out.append(contentsOf: chunk)
            return
        }
        sawInput = true
        var i = 0
        var runStart = 0
        var captureStart = 0
        scan: while i < n {
            let b = chunk[i]
            switch state {
            case .string:
                while i < n && chunk[i] != quote && chunk[i] != backslash { i += 1 }
                guard i < n else { break scan }
                if chunk[i] == backslash {
                    state = .escape
                    i += 1
                    continue
                }
                endString(chunk, closingQuoteAt: i, captureStart: captureStart, runStart: &runStart, out: &out)
            case .escape:
                state = .string
            case .literal:
                if JSONURLRewriter.isLiteralByte(b) { break }
                state = stack.isEmpty ? .trailing : .afterValue
                continue  // the byte ends the literal; look at it again
            case .value, .arrayStart:
                if JSONURLRewriter.isWhitespace(b) { break }
                if b == UInt8(ascii: "]") && state == .arrayStart {
                    closeContainer()
                    break
                }
                if b == quote {
                    if slot.isCandidate {
                        out.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[runStart..<i]))
                        captureStart = i
                        stringKind = .valueCapture
                    } else {
                        stringKind = .valueSkip
                    }
                    state = .string
                    break
                }
                startValue(b)
            case .objectStart, .key:
                if JSONURLRewriter.isWhitespace(b) { break }
                if b == UInt8(ascii: "}") && state == .objectStart {
                    closeContainer()
                } else if b == quote {
                    let capturing = stack.last?.role != .other
                    stringKind = capturing ? .keyCapture : .keySkip
                    captureStart = i
                    state = .string
                } else {
                    state = .failed
                }
            case .colon:
                if JSONURLRewriter.isWhitespace(b) { break }
                state = b == UInt8(ascii: ":") ? .value : .failed
            case .afterValue:
                if JSONURLRewriter.isWhitespace(b) { break }
                afterValue(b)
            case .trailing:
                if !JSONURLRewriter.isWhitespace(b) { state = .failed }
            case .failed:
                break
            }
            if state == .failed {
                didFail = true
                break scan
            }
            i += 1
        }
        if (state == .string || state == .escape) && stringKind == .valueCapture {
            // The run before the candidate was written when it started; the rest is held.
            capture.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[captureStart..<n]))
            giveUpOversizedCapture(out: &out)
            return
        }
        if (state == .string || state == .escape) && stringKind == .keyCapture {
            capture.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[captureStart..<n]))
            giveUpOversizedCapture(out: &out)
        }
        out.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[runStart..<n]))
    }

    // MARK: - Transitions

    /// A value that is not a string starts with `b` (not whitespace).
    private mutating func startValue(_ b: UInt8) {
        switch b {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            guard stack.count < maxDepth else {
                state = .failed
                return
            }
            let isObject = b == UInt8(ascii: "{")
            let role: Role = isObject ? slot.objectRole : (slot == .resultsArray ? .results : .other)
            let frame = Frame(isObject: isObject, role: role)
            stack.append(frame)
            if isObject {
                state = .objectStart
            } else {
                state = .arrayStart
                slot = frame.elementSlot
            }
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "t"), UInt8(ascii: "f"),
            UInt8(ascii: "n"):
            state = .literal
        default:
            state = .failed
        }
    }

    /// `b` (not whitespace) follows a complete value inside a container.
    private mutating func afterValue(_ b: UInt8) {
        guard let top = stack.last else {
            state = .failed
            return
        }
        switch b {
        case UInt8(ascii: ","):
            if top.isObject {
                state = .key
            } else {
                state = .value
                slot = top.elementSlot
            }
        case UInt8(ascii: "}") where top.isObject, UInt8(ascii: "]") where !top.isObject:
            closeContainer()
        default:
            state = .failed
        }
    }

    private mutating func closeContainer() {
        stack.removeLast()
        state = stack.isEmpty ? .trailing : .afterValue
    }

    /// The closing quote of the current string is at `i`.
    private mutating func endString(
        _ chunk: UnsafeRawBufferPointer, closingQuoteAt i: Int, captureStart: Int, runStart: inout Int,
        out: inout [UInt8]
    ) {
        switch stringKind {
        case .valueSkip:
            state = stack.isEmpty ? .trailing : .afterValue
        case .keySkip:
            slot = .none
            state = .colon
        case .keyCapture:
            capture.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[captureStart...i]))
            slot = .none
            if let top = stack.last {
                let body = capture.dropFirst().dropLast()
                if !body.contains(backslash) {
                    slot = top.slot(forKey: body)
                } else if case .decoded(let key) = JSONStringEscaping.unescape(body) {
                    slot = top.slot(forKey: key[...])
                }
            }
            capture.removeAll(keepingCapacity: true)
            state = .colon
        case .valueCapture:
            capture.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[captureStart...i]))
            runStart = i + 1
            state = stack.isEmpty ? .trailing : .afterValue
            switch rewrittenCandidate() {
            case .unchanged:
                out.append(contentsOf: capture)
            case .replaced(let text):
                JSONWriter.appendQuoted(text, to: &out)
            case .malformed:
                out.append(contentsOf: capture)
                state = .failed
            }
            capture.removeAll(keepingCapacity: true)
        }
    }

    /// A captured key or candidate grew past the limit: a key that long matches nothing, and a
    /// candidate that long is no URL worth rewriting, so write what was held and stop capturing.
    private mutating func giveUpOversizedCapture(out: inout [UInt8]) {
        guard capture.count > maxCandidateBytes else { return }
        if stringKind == .valueCapture {
            out.append(contentsOf: capture)
            stringKind = .valueSkip
        } else {
            stringKind = .keySkip
        }
        capture = []
    }

    // MARK: - Rewriting a candidate

    enum CandidateOutcome {
        case unchanged
        case replaced([UInt8])
        case malformed
    }

    /// The rewrite of the captured candidate (quotes included in `capture`).
    private func rewrittenCandidate() -> CandidateOutcome {
        guard capture.count <= maxCandidateBytes else { return .unchanged }
        let value: [UInt8]
        switch JSONURLRewriter.decodeBody(capture) {
        case .decoded(let v): value = v
        case .unrepresentable: return .unchanged
        case .invalid: return .malformed
        }
        switch slot {
        case .apiURL:
            guard let rest = base.upstreamRemainder(value), !rest.starts(with: "/v1/files/".utf8) else {
                return .unchanged
            }
            return base.rewrite(value).map(CandidateOutcome.replaced) ?? .unchanged
        case .pageURL:
            return base.rewrite(value).map(CandidateOutcome.replaced) ?? .unchanged
        case .streamURL:
            guard let mapped = mapStreamURL(String(decoding: value, as: UTF8.self)) else { return .unchanged }
            return .replaced(Array(mapped.utf8))
        default:
            return .unchanged
        }
    }

    /// Decodes a captured string literal (quotes included).
    private static func decodeBody(_ literal: [UInt8]) -> JSONStringEscaping.Unescaped {
        let body = literal.dropFirst().dropLast()
        if !body.contains(backslash) { return .decoded(Array(body)) }
        return JSONStringEscaping.unescape(body)
    }

    // MARK: - Bytes

    private static func isWhitespace(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09
    }

    private static func isLiteralByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."):
            return true
        default:
            return false
        }
    }
}
