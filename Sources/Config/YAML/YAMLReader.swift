import CYAML

/// Something the YAML reader refused, with its 1-based line. Value type.
public struct YAMLProblem: Sendable, Equatable {
    public var line: Int
    public var message: String

    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }
}

/// Reads YAML text into a `YAMLNode` tree with line numbers, using libyaml's event API.
///
/// It keeps to what a config file needs and reports everything else as a problem rather than
/// guessing: duplicate keys (YAML forbids them; libyaml does not check), anchors, aliases,
/// explicit tags, non-scalar keys and more than one document. Duplicate keys and unsupported
/// nodes are collected and reading goes on, so one run shows them all; a syntax error stops
/// reading (libyaml cannot resume). Stateless and thread-safe: each call owns its parser.
/// Runs at start-up and on reload only, never on the request path.
public enum YAMLReader {
    /// Deepest nesting accepted; the config needs 4 levels. Bounds the work on hostile input.
    public static let maxDepth = 32

    /// The document (nil when the text holds none, e.g. only comments) and every problem found.
    public struct Result: Sendable, Equatable {
        public var root: YAMLNode?
        public var problems: [YAMLProblem]
    }

    public static func read(_ text: String) -> Result {
        read(Array(text.utf8))
    }

    public static func read(_ bytes: [UInt8]) -> Result {
        // libyaml asserts on a null input buffer, which an empty array may give.
        guard !bytes.isEmpty else { return Result(root: nil, problems: []) }
        // libyaml keeps a pointer to the parser inside the parser, so it must not move: heap.
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) != 0 else {
            return Result(root: nil, problems: [YAMLProblem(line: 1, message: "cannot start the YAML parser")])
        }
        defer { yaml_parser_delete(parser) }
        var builder = TreeBuilder()
        bytes.withUnsafeBufferPointer { buffer in
            yaml_parser_set_input_string(parser, buffer.baseAddress, buffer.count)
            var event = yaml_event_t()
            while true {
                guard yaml_parser_parse(parser, &event) != 0 else {
                    builder.problems.append(syntaxProblem(parser.pointee, bytes: buffer))
                    // What was read before the error (a scalar where a mapping was meant…) would
                    // only lead to misleading follow-up errors.
                    builder.root = nil
                    return
                }
                let stop = builder.handle(event)
                yaml_event_delete(&event)
                if stop { return }
            }
        }
        return Result(root: builder.root, problems: builder.problems)
    }

    /// libyaml's own words, pointed at the line where it gave up.
    private static func syntaxProblem(_ parser: yaml_parser_t, bytes: UnsafeBufferPointer<UInt8>) -> YAMLProblem {
        let problem = parser.problem.map { String(cString: $0) } ?? "malformed input"
        if parser.error == YAML_READER_ERROR {
            // Encoding errors carry a byte offset, not a mark.
            let end = min(Int(parser.problem_offset), bytes.count)
            let line = 1 + bytes[0..<end].reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
            return YAMLProblem(line: line, message: "not valid UTF-8 text: \(problem)")
        }
        let line = Int(parser.problem_mark.line) + 1
        var message = "YAML syntax error: \(problem)"
        if let context = parser.context {
            let contextLine = Int(parser.context_mark.line) + 1
            message += " (\(String(cString: context))"
            message += contextLine == line ? ")" : " that starts at line \(contextLine))"
        }
        return YAMLProblem(line: line, message: message)
    }
}

/// Turns the event stream into nodes with an explicit stack (no recursion, so depth is only
/// limited by `maxDepth`). Single-threaded, used for one read.
private struct TreeBuilder {
    /// A mapping or sequence still open. A class so entries are appended in place.
    final class Frame {
        let isMapping: Bool
        let line: Int
        /// Anchored or tagged: children are still read (to find their problems) but the node
        /// becomes `.invalid`.
        let rejected: Bool
        var entries: [YAMLMappingEntry] = []
        var items: [YAMLNode] = []
        var firstLineOfKey: [String: Int] = [:]
        /// The key read, waiting for its value; `keyRejected` when the key was not a scalar.
        var pendingKey: (name: String, line: Int)?
        var keyRejected = false

        init(isMapping: Bool, line: Int, rejected: Bool) {
            self.isMapping = isMapping
            self.line = line
            self.rejected = rejected
        }
    }

    var root: YAMLNode?
    var problems: [YAMLProblem] = []
    private var stack: [Frame] = []
    private var documents = 0

    /// Returns true when reading must stop.
    mutating func handle(_ event: yaml_event_t) -> Bool {
        let line = Int(event.start_mark.line) + 1
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            if documents > 1 {
                problem(line, "a config file holds one YAML document; a second one starts here")
                return true
            }
        case YAML_STREAM_END_EVENT:
            return true
        case YAML_ALIAS_EVENT:
            let name = String(cString: event.data.alias.anchor)
            problem(line, "aliases (*\(name)) are not supported; write the value out in full")
            add(YAMLNode(.invalid, line: line))
        case YAML_SCALAR_EVENT:
            let s = event.data.scalar
            let ok = acceptable(anchor: s.anchor, tag: s.tag, line: line)
            let text = String(decoding: UnsafeBufferPointer(start: s.value, count: Int(s.length)), as: UTF8.self)
            let scalar = YAMLScalar(text, isPlain: s.style == YAML_PLAIN_SCALAR_STYLE)
            add(YAMLNode(ok ? .scalar(scalar) : .invalid, line: line))
        case YAML_MAPPING_START_EVENT, YAML_SEQUENCE_START_EVENT:
            guard stack.count < YAMLReader.maxDepth else {
                problem(line, "nesting deeper than \(YAMLReader.maxDepth) levels is not supported")
                return true
            }
            let isMapping = event.type == YAML_MAPPING_START_EVENT
            let ok =
                isMapping
                ? acceptable(anchor: event.data.mapping_start.anchor, tag: event.data.mapping_start.tag, line: line)
                : acceptable(anchor: event.data.sequence_start.anchor, tag: event.data.sequence_start.tag, line: line)
            stack.append(Frame(isMapping: isMapping, line: line, rejected: !ok))
        case YAML_MAPPING_END_EVENT, YAML_SEQUENCE_END_EVENT:
            let frame = stack.removeLast()
            let content: YAMLNode.Content =
                frame.rejected ? .invalid : frame.isMapping ? .mapping(frame.entries) : .sequence(frame.items)
            add(YAMLNode(content, line: frame.line))
        default:
            break  // stream start, document end
        }
        return false
    }

    private mutating func acceptable(
        anchor: UnsafeMutablePointer<yaml_char_t>?, tag: UnsafeMutablePointer<yaml_char_t>?, line: Int
    ) -> Bool {
        if let anchor {
            problem(line, "anchors (&\(String(cString: anchor))) are not supported; write the value out in full")
            return false
        }
        if let tag {
            problem(line, "YAML tags (\(String(cString: tag))) are not supported; remove the tag")
            return false
        }
        return true
    }

    private mutating func add(_ node: YAMLNode) {
        guard let top = stack.last else {
            root = node
            return
        }
        guard top.isMapping else {
            top.items.append(node)
            return
        }
        if top.keyRejected {
            top.keyRejected = false  // drop the value of a rejected key
        } else if let key = top.pendingKey {
            top.pendingKey = nil
            if let first = top.firstLineOfKey[key.name] {
                problem(key.line, "duplicate key '\(key.name)' (first given at line \(first))")
            } else {
                top.firstLineOfKey[key.name] = key.line
                top.entries.append(YAMLMappingEntry(key: key.name, keyLine: key.line, value: node))
            }
        } else if let s = node.scalar {
            top.pendingKey = (s.text, node.line)
        } else {
            if node.content != .invalid { problem(node.line, "keys must be scalars, not \(node.kindDescription)") }
            top.keyRejected = true
        }
    }

    private mutating func problem(_ line: Int, _ message: String) {
        problems.append(YAMLProblem(line: line, message: message))
    }
}
