/// The file in a `POST /v1/files` body: the `content` part of a `multipart/form-data` body
/// (with its filename and content type) and the optional `metadata` JSON part, as the Python
/// and JS clients send them. A body that is not multipart is taken whole. Lenient by design:
/// it never fails, it falls back. Value type.
struct MultipartUpload {
    var filename = "file"
    var contentType = "application/octet-stream"
    var content: ArraySlice<UInt8>
    /// The `metadata` part when it is valid JSON (compact).
    var metadata: [UInt8]?

    static func parse(body: [UInt8], contentType: String?) -> MultipartUpload {
        var whole = MultipartUpload(content: body[...])
        if let ct = contentType, !ct.hasPrefix("multipart/") { whole.contentType = ct }
        guard let ct = contentType, ct.hasPrefix("multipart/form-data"), let boundary = boundary(in: ct) else {
            return whole
        }
        let delimiter = Array(("--" + boundary).utf8)
        var result = whole
        var found = false
        var pos = 0
        while let start = find(delimiter, in: body, from: pos) {
            var partStart = start + delimiter.count
            guard partStart + 2 <= body.count, body[partStart] == 0x0D, body[partStart + 1] == 0x0A else { break }
            partStart += 2
            guard let headerEnd = find(Array("\r\n\r\n".utf8), in: body, from: partStart),
                let next = find(Array(("\r\n--" + boundary).utf8), in: body, from: headerEnd + 4)
            else { break }
            let headers = String(decoding: body[partStart..<headerEnd], as: UTF8.self)
            let content = body[(headerEnd + 4)..<next]
            let name = parameter("name", in: headers)
            if name == "content" {
                found = true
                result.content = content
                result.filename = parameter("filename", in: headers) ?? "file"
                result.contentType = partContentType(headers) ?? "application/octet-stream"
            } else if name == "metadata",
                let json = content.withUnsafeBytes({ try? FakeRequest.bodyParser.parse($0) })
            {
                result.metadata = json.serialized()
            }
            pos = next + 2
        }
        return found ? result : whole
    }

    private static func boundary(in contentType: String) -> String? {
        for param in contentType.split(separator: ";").dropFirst() {
            let p = param.trimmingASCIISpaces()
            guard p.hasPrefix("boundary=") else { continue }
            var v = p.dropFirst("boundary=".count)
            if v.hasPrefix("\""), v.hasSuffix("\""), v.count >= 2 { v = v.dropFirst().dropLast() }
            return v.isEmpty ? nil : String(v)
        }
        return nil
    }

    /// `name="value"` from the part's Content-Disposition.
    private static func parameter(_ key: String, in headers: String) -> String? {
        let marker = Array((key + "=\"").utf8)
        let bytes = Array(headers.utf8)
        var from = 0
        while let at = find(marker, in: bytes, from: from) {
            // Skip `filename="` when looking for `name="`.
            if at > 0, bytes[at - 1] != 0x20, bytes[at - 1] != 0x3B {
                from = at + 1
                continue
            }
            let start = at + marker.count
            guard let end = bytes[start...].firstIndex(of: UInt8(ascii: "\"")) else { return nil }
            return String(decoding: bytes[start..<end], as: UTF8.self)
        }
        return nil
    }

    private static func partContentType(_ headers: String) -> String? {
        for line in headers.split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            if line[..<colon].lowercased() == "content-type" {
                return String(line[line.index(after: colon)...].trimmingASCIISpaces())
            }
        }
        return nil
    }

    private static func find(_ needle: [UInt8], in hay: [UInt8], from: Int) -> Int? {
        guard !needle.isEmpty, hay.count >= needle.count, from <= hay.count - needle.count else { return nil }
        var i = from
        while i <= hay.count - needle.count {
            if hay[i] == needle[0] && hay[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }
}
