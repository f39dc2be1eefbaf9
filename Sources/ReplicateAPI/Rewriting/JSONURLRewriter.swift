import JSONCore

/// Rewrites the absolute Replicate URLs in a JSON answer while it streams through, so that
/// clients keep talking to Reprise (replicate-api.md §8, §11.4–7).
///
/// Fed chunk by chunk, it writes chunk by chunk: bytes are copied to the output in bulk runs,
/// and only a candidate string value (one at a rewritten path) is held back until its closing
/// quote. It tracks the JSON path and touches string values at these paths only:
///
/// - top-level `urls.get`, `urls.cancel`, and the same in each object of a top-level `results`
///   array (list pages): moved from the upstream origin to Reprise's (`BaseURLRewrite`), except
///   `…/v1/files/…` URLs: a file object's own URL goes into model inputs, where Replicate's
///   backend must be able to fetch it (§11.7);
/// - top-level `next` and `previous` (pagination): moved the same way;
/// - `urls.stream` at the same places, on any host (Replicate's streams come from other
///   hosts): replaced with what the caller's closure returns, nil meaning "leave it".
///
/// Everything else passes byte for byte: whitespace, key order, numbers, other strings (input
/// file URLs under `input` included), and matched strings whose rewrite returned nil. A matched
/// string is decoded (`\/`, `\u002f`) for matching and written back with JSONWriter's escaping.
///
/// Malformed JSON (bad structure, a bad escape in a candidate, too deep) switches the rewriter
/// to pass-through for the rest of the body: no byte is lost or reordered, and `didFail` is set
/// for the log. It checks structure, not the spelling of numbers and literals.
///
/// Threading: a value type owned by the one exchange whose body it rewrites; not `Sendable`
/// (it holds the caller's closure). Memory: the container stack plus at most one held string
/// (a candidate longer than `maxCandidateBytes` is given up and passed through unchanged).
public struct JSONURLRewriter {
    /// Maps an upstream stream URL to the URL to write instead (Reprise's capability URL), or
    /// nil to leave it. The caller remembers the mapping; the rewriter knows nothing of storage.
    public typealias StreamURLMapper = (_ upstreamStreamURL: String) -> String?

    /// True once malformed input switched the rewriter to pass-through (or `finish` found the
    /// document incomplete).
    public internal(set) var didFail = false

    let base: BaseURLRewrite
    let mapStreamURL: StreamURLMapper
    let maxCandidateBytes: Int
    let maxDepth: Int

    var state: Lex = .value
    var stringKind: StringKind = .valueSkip
    /// The role of the next value.
    var slot: Slot = .document
    var stack: [Frame] = []
    /// The raw bytes (quotes included) of the key or candidate value being read.
    var capture: [UInt8] = []
    var sawInput = false

    public init(
        base: BaseURLRewrite, maxCandidateBytes: Int = 16 * 1024, maxDepth: Int = 4096,
        streamURL: @escaping StreamURLMapper
    ) {
        self.base = base
        self.mapStreamURL = streamURL
        self.maxCandidateBytes = maxCandidateBytes
        self.maxDepth = maxDepth
    }

    /// Rewrites a whole document at once (small bodies, tests).
    public static func rewrite(
        _ document: [UInt8], base: BaseURLRewrite, streamURL: @escaping StreamURLMapper = { _ in nil }
    ) -> (bytes: [UInt8], didFail: Bool) {
        var rewriter = JSONURLRewriter(base: base, streamURL: streamURL)
        var out: [UInt8] = []
        out.reserveCapacity(document.count + 64)
        document.withUnsafeBytes { rewriter.feed($0, into: &out) }
        rewriter.finish(into: &out)
        return (out, rewriter.didFail)
    }

    /// Feeds the next chunk of the body; returns what can be written so far.
    public mutating func feed(_ chunk: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(chunk.count)
        chunk.withUnsafeBytes { feed($0, into: &out) }
        return out
    }

    /// Ends the body: writes a still-held string unchanged and reports an incomplete document
    /// through `didFail`.
    public mutating func finish(into out: inout [UInt8]) {
        if isHolding {
            out.append(contentsOf: capture)
        }
        capture = []
        if sawInput && state != .trailing && state != .failed && !(state == .literal && stack.isEmpty) {
            didFail = true
        }
        state = .failed
    }

    /// `finish(into:)`, returning the bytes.
    public mutating func finish() -> [UInt8] {
        var out: [UInt8] = []
        finish(into: &out)
        return out
    }

    var isHolding: Bool {
        (state == .string || state == .escape) && stringKind == .valueCapture
    }
}

// MARK: - State

extension JSONURLRewriter {
    /// Where the lexer is.
    enum Lex: UInt8 {
        /// Expecting a value, whose role is `slot`.
        case value
        /// Just after `[`: a value or `]`.
        case arrayStart
        /// Just after `{`: a key or `}`.
        case objectStart
        /// After `,` in an object: a key.
        case key
        /// After a key: `:`.
        case colon
        /// After a value: `,`, or the closer of the innermost container.
        case afterValue
        /// Inside a string; `stringKind` says what it is.
        case string
        /// After `\` inside a string.
        case escape
        /// Inside a number, `true`, `false` or `null`.
        case literal
        /// After the top-level value: whitespace only.
        case trailing
        /// Malformed (or finished): everything passes through.
        case failed
    }

    /// What the string being read is, and whether its bytes are captured.
    enum StringKind: UInt8 {
        case valueSkip
        case keySkip
        /// A key of an object on a rewritten path: captured (and written) to find its value's role.
        case keyCapture
        /// A candidate value: captured and held back until rewritten.
        case valueCapture
    }

    /// What a container is, on the paths the rewriter cares about.
    enum Role: UInt8 {
        case other, root, urls, results, resultItem
    }

    /// What the next value is.
    enum Slot: UInt8 {
        case none, document, urlsObject, resultsArray, resultItem
        /// `urls.get` / `urls.cancel`.
        case apiURL
        /// Top-level `next` / `previous`.
        case pageURL
        /// `urls.stream`.
        case streamURL

        var isCandidate: Bool { self == .apiURL || self == .pageURL || self == .streamURL }

        var objectRole: Role {
            switch self {
            case .document: return .root
            case .urlsObject: return .urls
            case .resultItem: return .resultItem
            default: return .other
            }
        }
    }

    struct Frame {
        var isObject: Bool
        var role: Role

        /// The slot of each element of this array.
        var elementSlot: Slot { role == .results ? .resultItem : .none }

        /// The slot of the value under `key` (decoded) in this object.
        func slot(forKey key: ArraySlice<UInt8>) -> Slot {
            switch role {
            case .root:
                if key.elementsEqual("urls".utf8) { return .urlsObject }
                if key.elementsEqual("results".utf8) { return .resultsArray }
                if key.elementsEqual("next".utf8) || key.elementsEqual("previous".utf8) { return .pageURL }
            case .resultItem:
                if key.elementsEqual("urls".utf8) { return .urlsObject }
            case .urls:
                if key.elementsEqual("get".utf8) || key.elementsEqual("cancel".utf8) { return .apiURL }
                if key.elementsEqual("stream".utf8) { return .streamURL }
            case .other, .results:
                break
            }
            return .none
        }
    }
}
