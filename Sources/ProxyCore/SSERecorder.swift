import CacheCore
import ReplicateAPI

/// Watches a relayed SSE stream and keeps its events for replay.
///
/// The bytes are parsed only to find event boundaries and the end; the recording keeps each
/// event's exact bytes. A stream is worth keeping only if it ended with `done` carrying no
/// failure reason (Replicate sends `{}` on success, `{"reason":"canceled"|"error"}` otherwise),
/// saw no `error` event, stayed under the size cap and was valid UTF-8 throughout. Pure value
/// type: the caller feeds bytes and the clock.
public struct SSERecorder: Sendable {
    private var parser: SSEEventParser
    private var recording = StreamRecording()
    private var bytes = 0
    private let maxBytes: Int
    private let startedAtMillis: Int64
    private(set) public var sawDone = false
    private(set) public var failed = false

    public init(maxBytes: Int, startedAtMillis: Int64) {
        self.maxBytes = maxBytes
        self.startedAtMillis = startedAtMillis
        parser = SSEEventParser(maxEventBytes: max(1, maxBytes))
    }

    /// Feeds relayed bytes received at `nowMillis`.
    public mutating func feed(_ chunk: UnsafeRawBufferPointer, nowMillis: Int64) {
        guard !failed, !sawDone else { return }
        for parsed in parser.feed(chunk) {
            bytes += parsed.raw.count
            if bytes > maxBytes || parser.didOverflow {
                failed = true
                recording = StreamRecording()
                return
            }
            guard String(validating: parsed.raw, as: UTF8.self) != nil else {
                failed = true
                return
            }
            recording.events.append(
                StreamRecording.Event(offsetMillis: Int(max(0, nowMillis - startedAtMillis)), bytes: parsed.raw))
            switch parsed.event.replicateKind {
            case .error?:
                failed = true
            case .done?:
                sawDone = true
                if !SSERecorder.isSuccessfulDone(parsed.event.data) { failed = true }
            default:
                break
            }
        }
    }

    /// The recording, when the stream is complete and successful; nil otherwise.
    public func finishedRecording() -> StreamRecording? {
        guard sawDone, !failed, !recording.events.isEmpty else { return nil }
        return recording
    }

    /// `{}` (or empty data) is success; a `reason` means the prediction did not succeed.
    static func isSuccessfulDone(_ data: String) -> Bool {
        let trimmed = data.filter { !$0.isWhitespace }
        return trimmed.isEmpty || trimmed == "{}" || !trimmed.contains("\"reason\"")
    }
}
