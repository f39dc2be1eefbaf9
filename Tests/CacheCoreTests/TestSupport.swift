import CacheCore
import CryptoPrimitives
import Foundation
import JSONCore

/// The one-line adapter the proxy also needs: OpenSSL's hasher is CacheCore's `HashSink`.
extension SHA256Hasher: HashSink {}

/// Test fixtures, located relative to this source file (no SwiftPM resources).
enum Fixtures {
    static let jcsDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .appendingPathComponent("Fixtures/jcs")

    static func jcs(_ relativePath: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: jcsDirectory.appendingPathComponent(relativePath)))
    }
}

/// Parses `text` and returns its canonical form as a string.
func canonical(_ text: String) throws -> String {
    let value = try JSONParser().parse(text)
    return String(decoding: try CanonicalJSON.bytes(of: value), as: UTF8.self)
}

/// Decodes whitespace-separated hex byte pairs (`7b 22 ...`).
func bytes(fromHexDump text: String) -> [UInt8] {
    text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\r" }).map { UInt8($0, radix: 16)! }
}

/// SHA-256 of `bytes`, independently of CacheCore's streaming path.
func sha256(_ bytes: [UInt8]) -> SHA256Digest {
    SHA256Digest(bytes: SHA256Hasher().digest(bytes))!
}

/// A sink that records each write separately, to check the chunking.
struct RecordingSink: ByteSink {
    var writes: [[UInt8]] = []
    mutating func write(_ bytes: UnsafeRawBufferPointer) {
        writes.append(Array(bytes))
    }
    var joined: [UInt8] { writes.flatMap { $0 } }
}
