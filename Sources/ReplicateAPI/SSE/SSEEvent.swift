/// One server-sent event (`text/event-stream`), parsed or to be written.
///
/// Writing follows what the Python client requires of Replicate-style streams
/// (replicate-api.md §4, §11.16): `event:`, then `id:` (every event should carry one: the Python
/// parser glues an id-less event onto the next), optional `retry:`, then one `data:` line per
/// line of `data` (split at CRLF, LF or CR), then a blank line. Field values cannot hold line
/// breaks, so CR and LF are dropped from `name` and `id` (and NUL from `id`, which readers
/// ignore) rather than letting them inject fields. An empty or nil `name` writes no `event:`
/// line (the reader's default type, `message`).
///
/// Value type, `Sendable`.
public struct SSEEvent: Hashable, Sendable {
    /// The `event:` type; nil when the block had none (readers call it `message`).
    public var name: String?
    /// The `id:` given in this event's own block; nil when it had none. (A reader's
    /// "last event ID", which carries over between events, is `SSEEventParser.lastEventID`.)
    public var id: String?
    /// The data lines joined with `\n`.
    public var data: String
    /// The `retry:` given in this event's block, in milliseconds.
    public var retry: Int?

    public init(name: String? = nil, id: String? = nil, data: String, retry: Int? = nil) {
        self.name = name
        self.id = id
        self.data = data
        self.retry = retry
    }

    /// The Replicate event kind, when `name` is one of Replicate's four.
    public var replicateKind: ReplicateStreamEvent? {
        name.flatMap(ReplicateStreamEvent.init(rawValue:))
    }

    // MARK: - Writing

    /// Appends the event's wire form to `out`.
    public func encode(into out: inout [UInt8]) {
        if let name, !name.isEmpty {
            out.append(contentsOf: "event: ".utf8)
            SSEEvent.appendFieldValue(name.utf8, to: &out, droppingNUL: false)
            out.append(0x0A)
        }
        if let id {
            out.append(contentsOf: "id: ".utf8)
            SSEEvent.appendFieldValue(id.utf8, to: &out, droppingNUL: true)
            out.append(0x0A)
        }
        if let retry, retry >= 0 {
            out.append(contentsOf: "retry: ".utf8)
            out.append(contentsOf: String(retry).utf8)
            out.append(0x0A)
        }
        var line = data.utf8[...]
        while true {
            let end = line.firstIndex { $0 == 0x0A || $0 == 0x0D } ?? line.endIndex
            out.append(contentsOf: "data: ".utf8)
            out.append(contentsOf: line[..<end])
            out.append(0x0A)
            guard end != line.endIndex else { break }
            var next = line.index(after: end)
            if line[end] == 0x0D, next != line.endIndex, line[next] == 0x0A {
                next = line.index(after: next)
            }
            line = line[next...]
        }
        out.append(0x0A)
    }

    /// The event's wire form.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(data.utf8.count + 48)
        encode(into: &out)
        return out
    }

    /// A comment line (`: text`), the keep-alive form readers ignore. Line breaks in `text`
    /// are dropped. No blank line follows, so it never ends a block.
    public static func comment(_ text: String) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: ":")]
        if !text.isEmpty {
            out.append(0x20)
            appendFieldValue(text.utf8, to: &out, droppingNUL: false)
        }
        out.append(0x0A)
        return out
    }

    private static func appendFieldValue(_ value: String.UTF8View, to out: inout [UInt8], droppingNUL: Bool) {
        for b in value where b != 0x0A && b != 0x0D && !(droppingNUL && b == 0) {
            out.append(b)
        }
    }
}

/// The event types Replicate's streams use (replicate-api.md §4): `output` (a text chunk, or a
/// file URL for file streams), `logs`, `error` (JSON `{"detail":…}`), and `done` (JSON `{}`, or
/// `{"reason":"canceled"|"error"}`), after which clients stop reading.
public enum ReplicateStreamEvent: String, Hashable, Sendable, CaseIterable {
    case output
    case logs
    case error
    case done
}
