import CacheCore
import JSONCore

/// A stored entry made ready to answer hits: the bytes of `HitPrediction.build`'s answer that
/// do not change from hit to hit, serialised once, with the per-hit parts (id, the client's
/// input, timestamps, `urls`) written between them at each hit.
///
/// Building and serialising a JSON tree per hit was a fifth of a hit's CPU; a template makes
/// the answer a handful of appends. `render` produces byte for byte what
/// `HitPrediction.build(...).serialized()` does (a test holds them together), so the tree
/// builder stays the readable definition of a hit and the template its fast form. Pure value.
public struct HitTemplate: Sendable {
    /// `,"model":…,"version":…,"input":`
    private let afterID: [UInt8]
    /// `,"logs":…,"output":…,"data_removed":false,"error":null,"status":"succeeded","created_at":`
    private let afterInput: [UInt8]
    /// `},"metrics":…,"source":"api"` and the members the hit keeps unchanged, then `}`.
    private let tail: [UInt8]

    /// The stored prediction had a stream URL: the original run could stream, so a hit can.
    public let offersStream: Bool
    /// The stored prediction's `input`, serialised (`{}` when it had none): a hit whose client
    /// sent these very bytes need not keep its own copy.
    public let storedInputJSON: [UInt8]

    /// Bytes a rendered answer needs beyond the input, for reserving capacity.
    public var fixedByteCount: Int { afterID.count + afterInput.count + tail.count + 320 }

    public init(entry: CacheEntry) {
        let stored = entry.prediction.objectValue ?? JSONObject()
        var a: [UInt8] = []
        a.append(contentsOf: #","model":"#.utf8)
        (stored["model"] ?? .string(JSONString(entry.model))).serialize(into: &a)
        a.append(contentsOf: #","version":"#.utf8)
        (stored["version"] ?? .string(JSONString(entry.version))).serialize(into: &a)
        a.append(contentsOf: #","input":"#.utf8)
        afterID = a

        var b: [UInt8] = []
        b.append(contentsOf: #","logs":"#.utf8)
        (stored["logs"] ?? .string("")).serialize(into: &b)
        b.append(contentsOf: #","output":"#.utf8)
        (stored["output"] ?? .null).serialize(into: &b)
        b.append(contentsOf: #","data_removed":false,"error":null,"status":"succeeded","created_at":"#.utf8)
        afterInput = b

        offersStream = stored["urls"]?["stream"] != nil
        storedInputJSON = (stored["input"] ?? .object(JSONObject())).serialized()

        var t: [UInt8] = []
        t.append(contentsOf: #"},"metrics":"#.utf8)
        (stored["metrics"] ?? .object(JSONObject())).serialize(into: &t)
        t.append(contentsOf: #","source":"api""#.utf8)
        for m in stored.members where !HitPrediction.replacedMembers.contains(m.key.string) {
            t.append(UInt8(ascii: ","))
            m.key.serialize(into: &t)
            t.append(UInt8(ascii: ":"))
            m.value.serialize(into: &t)
        }
        t.append(UInt8(ascii: "}"))
        tail = t
    }

    /// The hit's JSON answer. `inputJSON` is the client's input, serialised; `id` and
    /// `publicBase` are ASCII without quotes or backslashes (ids are base32, bases are parsed
    /// URLs), but are escaped anyway.
    public func render(
        id: String, inputJSON: [UInt8], nowUnixNanos: Int64, publicBase: String, streamURL: String?
    ) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(fixedByteCount + inputJSON.count + 2 * publicBase.utf8.count)
        out.append(contentsOf: #"{"id":"#.utf8)
        JSONWriter.appendQuoted(id.utf8, to: &out)
        out.append(contentsOf: afterID)
        out.append(contentsOf: inputJSON)
        out.append(contentsOf: afterInput)
        var now: [UInt8] = [UInt8(ascii: "\"")]
        now.reserveCapacity(29)
        UTCTimestamp.appendISO8601(unixNanos: nowUnixNanos, to: &now)
        now.append(UInt8(ascii: "\""))
        out.append(contentsOf: now)
        out.append(contentsOf: #","started_at":"#.utf8)
        out.append(contentsOf: now)
        out.append(contentsOf: #","completed_at":"#.utf8)
        out.append(contentsOf: now)
        out.append(contentsOf: #","urls":{"get":""#.utf8)
        JSONWriter.appendEscaped(publicBase.utf8, to: &out)
        out.append(contentsOf: "/v1/predictions/".utf8)
        JSONWriter.appendEscaped(id.utf8, to: &out)
        out.append(contentsOf: #"","cancel":""#.utf8)
        JSONWriter.appendEscaped(publicBase.utf8, to: &out)
        out.append(contentsOf: "/v1/predictions/".utf8)
        JSONWriter.appendEscaped(id.utf8, to: &out)
        out.append(contentsOf: #"/cancel","web":""#.utf8)
        JSONWriter.appendEscaped(publicBase.utf8, to: &out)
        out.append(contentsOf: "/v1/predictions/".utf8)
        JSONWriter.appendEscaped(id.utf8, to: &out)
        out.append(UInt8(ascii: "\""))
        if let streamURL {
            out.append(contentsOf: #","stream":"#.utf8)
            JSONWriter.appendQuoted(streamURL.utf8, to: &out)
        }
        out.append(contentsOf: tail)
        return out
    }
}
