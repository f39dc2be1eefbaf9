import JSONCore

/// The events of a completed stream, as relayed, for replay on later hits: `s:{key}` in Redis,
/// beside the entry and with its TTL.
///
/// Each event keeps its exact bytes (`id:` lines included, so a replay is byte-identical to
/// what the first client saw) and its offset in milliseconds from the start of the stream (for
/// replay at the original pace). Only streams that reached `done` with success are recorded;
/// the recorder refuses to grow past a size cap. Value type; encoded as JSON.
public struct StreamRecording: Sendable, Equatable {
    public static let format = 1

    public struct Event: Sendable, Equatable {
        public var offsetMillis: Int
        public var bytes: [UInt8]

        public init(offsetMillis: Int, bytes: [UInt8]) {
            self.offsetMillis = offsetMillis
            self.bytes = bytes
        }
    }

    public var events: [Event]

    public init(events: [Event] = []) { self.events = events }

    /// Total event bytes (what the size cap counts).
    public var byteCount: Int { events.reduce(0) { $0 + $1.bytes.count } }

    public func encoded() -> [UInt8] {
        var list: [JSONValue] = []
        list.reserveCapacity(events.count)
        for e in events {
            list.append(.array([.number(JSONNumber(e.offsetMillis)), .string(JSONString(String(decoding: e.bytes, as: UTF8.self)))]))
        }
        var o = JSONObject()
        o["format"] = .number(JSONNumber(StreamRecording.format))
        o["events"] = .array(list)
        return JSONValue.object(o).serialized()
    }

    public static func decode(_ bytes: [UInt8]) -> StreamRecording? {
        guard let v = try? JSONParser().parse(bytes), let o = v.objectValue, o["format"]?.intValue == format,
            let list = o["events"]?.arrayValue
        else { return nil }
        var events: [Event] = []
        events.reserveCapacity(list.count)
        for item in list {
            guard let pair = item.arrayValue, pair.count == 2, let t = pair[0].intValue, let s = pair[1].jsonStringValue
            else { return nil }
            events.append(Event(offsetMillis: t, bytes: s.utf8))
        }
        return StreamRecording(events: events)
    }
}
