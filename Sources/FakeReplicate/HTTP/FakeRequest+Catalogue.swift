import CryptoPrimitives
import HTTPTypes
import JSONCore

/// Catalogue routes that are not static (`GET /v1/models` pages, `QUERY /v1/models`), file
/// uploads, and the `/_fake/…` control routes.
extension FakeRequest {
    func listModels() {
        fake.counters.increment(.listModels)
        let all = fake.catalogue.modelJSON
        let size = fake.configuration.pageSize
        let offset = min(max(0, FakeRequest.queryValue("cursor", in: head.query).flatMap { Int($0) } ?? 0), all.count)
        let end = min(offset + size, all.count)
        let base = fake.urlBases.api + "/v1/models"
        let next = end < all.count ? base + "?cursor=\(end)" : nil
        let previous = offset > 0 ? (offset - size > 0 ? base + "?cursor=\(offset - size)" : base) : nil
        respond(200, FakeRequest.pageJSON(next: next, previous: previous, results: Self.jsonArray(all[offset..<end])))
    }

    /// `QUERY /v1/models` with a `text/plain` body: models whose owner, name or description
    /// contains the text (ASCII case-insensitive).
    func searchModels() {
        fake.counters.increment(.searchModels)
        let needle = Self.asciiLowercased(body[...]).trimmingSpaces()
        var hits: [[UInt8]] = []
        for (k, m) in fake.catalogue.models.enumerated() {
            let hay = Self.asciiLowercased(Array((m.fullName + " " + m.description).utf8)[...])
            if needle.isEmpty || Self.contains(hay, needle) { hits.append(fake.catalogue.modelJSON[k]) }
        }
        respond(200, FakeRequest.pageJSON(next: nil, previous: nil, results: Self.jsonArray(hits[...])))
    }

    /// `POST /v1/files`: a file object for the `content` part of a multipart body (or for the
    /// whole body otherwise). The fake keeps no file: `urls.get` answers 404.
    func uploadFile() {
        fake.counters.increment(.fileUpload)
        let upload = MultipartUpload.parse(body: body, contentType: head.headers[.contentType])
        let id = SecureRandom.identifier26()
        let created = WallClock.nowNanoseconds()
        var o = JSONObjectWriter(capacity: 512)
        o.field("id", id)
        o.field("name", upload.filename)
        o.field("content_type", upload.contentType)
        o.field("size", upload.content.count)
        o.field("etag", Hex.encode(responder.hasher.digest(Array(upload.content)).prefix(16)))
        var sums = JSONObjectWriter(capacity: 96)
        sums.field("sha256", Hex.encode(responder.hasher.digest(Array(upload.content))))
        o.rawField("checksums", json: sums.finish())
        o.rawField("metadata", json: upload.metadata ?? Array("{}".utf8))
        o.field("created_at", WallClock.iso8601(created))
        o.field("expires_at", WallClock.iso8601(created + 86_400 * 1_000_000_000))
        var urls = JSONObjectWriter(capacity: 128)
        urls.field("get", fake.urlBases.api + "/v1/files/" + id)
        o.rawField("urls", json: urls.finish())
        respond(201, o.finish())
    }

    // MARK: - Control routes

    func handleControl() {
        switch route {
        case .controlReset:
            fake.reset()
            respond(200, Array(#"{"reset":true}"#.utf8))
        case .controlCounters:
            respond(200, fake.counters.jsonBytes())
        case .controlFaults:
            if head.method == .delete {
                fake.armedFaults.removeAll()
                respond(200, Array(#"{"armed":0}"#.utf8))
                return
            }
            switch FaultSpec.parse(Substring(decoding: body, as: UTF8.self)) {
            case .success(let spec) where !spec.isEmpty:
                fake.armedFaults.arm(spec)
                respond(201, Array(#"{"armed":true}"#.utf8))
            case .success:
                respondProblem(400, "Invalid fault", "The body names no fault")
            case .failure(let e):
                respondProblem(400, "Invalid fault", "Unrecognised fault directive: \(e.directive)")
            }
        case .controlAdvance:
            guard let ms = FakeRequest.queryValue("ms", in: head.query).flatMap({ Int($0) }), ms >= 0 else {
                respondProblem(400, "Invalid advance", "Give the time to skip as ?ms=N")
                return
            }
            fake.advanceClock(by: .milliseconds(ms))
            respond(200, Array("{\"advanced_ms\":\(ms)}".utf8))
        default:
            respondNotFound()
        }
    }

    // MARK: - Helpers

    private static func jsonArray(_ items: ArraySlice<[UInt8]>) -> [UInt8] {
        var w = JSONWriter(capacity: items.reduce(2) { $0 + $1.count + 1 })
        w.raw("[")
        for (k, item) in items.enumerated() {
            if k > 0 { w.raw(",") }
            w.raw(bytes: item)
        }
        w.raw("]")
        return w.bytes
    }

    private static func asciiLowercased(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        bytes.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
    }

    private static func contains(_ hay: [UInt8], _ needle: ArraySlice<UInt8>) -> Bool {
        guard needle.count <= hay.count else { return false }
        for start in 0...(hay.count - needle.count) where hay[start..<start + needle.count].elementsEqual(needle) {
            return true
        }
        return false
    }
}

extension Array where Element == UInt8 {
    /// Without leading and trailing ASCII whitespace.
    fileprivate func trimmingSpaces() -> ArraySlice<UInt8> {
        var s = self[...]
        while let f = s.first, f == 0x20 || f == 0x09 || f == 0x0A || f == 0x0D { s = s.dropFirst() }
        while let l = s.last, l == 0x20 || l == 0x09 || l == 0x0A || l == 0x0D { s = s.dropLast() }
        return s
    }
}
