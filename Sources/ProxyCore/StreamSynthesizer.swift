import JSONCore
import ReplicateAPI

/// A valid Replicate SSE stream made from a stored output, for hits whose original run nobody
/// streamed: one `output` event per list item (or one for the whole output), each with an `id:`
/// line (the Python client drops events without one), then `done` with `{}`.
///
/// String items are sent as they are (multi-line text becomes several `data:` lines, which
/// clients join back with `\n`); other JSON values as compact JSON text. Pure.
public enum StreamSynthesizer {
    public static func events(for output: JSONValue?) -> [[UInt8]] {
        var items: [String] = []
        switch output {
        case .none, .some(.null):
            break
        case .some(.array(let list)):
            items = list.map(text)
        case .some(let single):
            items = [text(single)]
        }
        var out: [[UInt8]] = []
        for (i, item) in items.enumerated() {
            out.append(SSEEvent(name: ReplicateStreamEvent.output.rawValue, id: String(i), data: item).encoded())
        }
        out.append(SSEEvent(name: ReplicateStreamEvent.done.rawValue, id: String(items.count), data: "{}").encoded())
        return out
    }

    private static func text(_ v: JSONValue) -> String {
        if let s = v.stringValue { return s }
        return String(decoding: v.serialized(), as: UTF8.self)
    }
}
