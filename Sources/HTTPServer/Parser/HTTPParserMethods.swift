import CHTTPParser

/// The methods http-parser 2.9 knows, so that `HTTPRequestParser` can tell when to stand one
/// in for a method it would reject. Immutable; thread-safe.
enum HTTPParserMethods {
    /// Fed to http-parser in place of a method it does not know.
    static let standIn: StaticString = "PUT"

    /// Every method name http-parser recognises, most common first.
    static let known: [[UInt8]] = {
        var names = (0...Int(HTTP_SOURCE.rawValue)).map {
            Array(String(cString: http_method_str(http_method(UInt32($0)))).utf8)
        }
        let common = ["GET", "POST", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS"].map { Array($0.utf8) }
        names.removeAll { common.contains($0) }
        return common + names
    }()

    static func isKnown(_ method: [UInt8]) -> Bool {
        for k in known where k == method { return true }
        return false
    }
}
