import Foundation
import TestSupport

/// One request over a fresh real TCP connection, read back whole with `RawHTTPClient`: the
/// way every test here talks to Reprise (and, for comparison, to the fake directly).
///
/// The request carries `Host: 127.0.0.1:PORT` unless `host` is given, `Authorization: Bearer`
/// unless `token` is nil, and `Content-Length` for a body (`sendChunked` frames it chunked).
/// Stateless; each call blocks its thread until the answer is read (bounded by `timeout`), so
/// tests reach it through `offThePool` (`RepriseInstance.send`, `FakeUpstream.send`).
enum HTTPCall {
    static func send(
        port: Int, _ method: String, _ target: String, json: String? = nil, body: [UInt8]? = nil,
        headers: [(String, String)] = [], token: String? = FakeUpstream.token, host: String? = nil,
        timeout: Duration = .seconds(20)
    ) throws -> RawHTTPResponse {
        let payload = json.map { Array($0.utf8) } ?? body
        var head = requestHead(port: port, method, target, json: json != nil, headers: headers, token: token, host: host)
        if let payload { head += "Content-Length: \(payload.count)\r\n" }
        head += "\r\n"
        let client = try RawHTTPClient(port: port, timeout: timeout)
        try client.send(Array(head.utf8) + (payload ?? []))
        return try client.readResponse(forHEAD: method == "HEAD")
    }

    /// Sends `chunks` as a `Transfer-Encoding: chunked` body, one chunk per element.
    static func sendChunked(
        port: Int, _ method: String, _ target: String, chunks: [[UInt8]], headers: [(String, String)] = [],
        token: String? = FakeUpstream.token, timeout: Duration = .seconds(30)
    ) throws -> RawHTTPResponse {
        let head = requestHead(port: port, method, target, json: false, headers: headers, token: token, host: nil)
        let client = try RawHTTPClient(port: port, timeout: timeout)
        try client.send(head + "Transfer-Encoding: chunked\r\n\r\n")
        for chunk in chunks where !chunk.isEmpty {
            try client.send(Array((String(chunk.count, radix: 16) + "\r\n").utf8) + chunk + [13, 10])
        }
        try client.send("0\r\n\r\n")
        return try client.readResponse()
    }

    private static func requestHead(
        port: Int, _ method: String, _ target: String, json: Bool, headers: [(String, String)], token: String?,
        host: String?
    ) -> String {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: \(host ?? "127.0.0.1:\(port)")\r\n"
        if let token { head += "Authorization: Bearer \(token)\r\n" }
        if json { head += "Content-Type: application/json\r\n" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        return head
    }
}

extension RawHTTPResponse {
    /// The body as a JSON object (empty when it is not one).
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
    }

    /// The body as a JSON object, compared as a whole (key order and spelling aside).
    var jsonObject: NSDictionary { json as NSDictionary }

    /// The header names present (lowercased).
    var headerNames: Set<String> { Set(headers.map { $0.name.lowercased() }) }
}

/// Reads Prometheus exposition text the way a scraper would, enough for assertions.
enum MetricsText {
    /// The value of the sample whose name and labels are exactly `series`
    /// (`name{label="v",…}` as rendered), or nil when absent.
    static func value(_ series: String, in text: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }
}
