import Config
import FuzzSupport

// Fuzz target: ConfigLoader on arbitrary file bytes (libyaml, the tree builder, the decoder,
// every value parser), and on one environment override taken from the input.
//
// Invariants, for any input:
// - no crash, no sanitizer report;
// - the result is a config, or a non-empty list of one-line messages (no control characters
//   or line separators, whatever the file holds), each
//   `FILE:LINE: message` with 1 ≤ LINE ≤ lines in the file + 1, or `env NAME: message` for
//   the one variable set.

let fileName = "fuzz.yaml"

func load(_ bytes: [UInt8], _ environment: [String: String]) -> Result<RepriseConfig, ConfigError> {
    Result { () throws(ConfigError) in
        try ConfigLoader.parse(bytes: bytes, fileName: fileName, environment: environment)
    }
}

func check(_ result: Result<RepriseConfig, ConfigError>, bytes: [UInt8], environment: [String: String]) {
    guard case .failure(let error) = result else { return }
    Fuzz.require(!error.messages.isEmpty, "an error without messages")
    // libyaml counts CR, LF, CRLF, NEL, LS and PS as line breaks; a problem can point one past
    // the last line (the end of the stream).
    let lineBreaks = String(decoding: bytes, as: UTF8.self).unicodeScalars.count {
        $0 == "\n" || $0 == "\r" || $0 == "\u{85}" || $0 == "\u{2028}" || $0 == "\u{2029}"
    }
    for message in error.messages {
        Fuzz.require(
            !message.unicodeScalars.contains {
                $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0 == "\u{2028}" || $0 == "\u{2029}"
            },
            "a message with a control character: \(message.debugDescription)")
        if let name = environment.keys.first, message.hasPrefix("env \(name): ") { continue }
        let prefix = fileName + ":"
        Fuzz.require(message.hasPrefix(prefix), "not FILE:LINE: \(message.debugDescription)")
        let rest = message.utf8.dropFirst(prefix.utf8.count)
        let digits = rest.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        let line = Int(String(decoding: digits, as: UTF8.self)) ?? 0
        Fuzz.require(line >= 1 && line <= lineBreaks + 2, "line \(line) of \(lineBreaks + 1): \(message.debugDescription)")
        Fuzz.require(rest.dropFirst(digits.count).starts(with: ": ".utf8), "not FILE:LINE: \(message.debugDescription)")
        Fuzz.require(rest.count > digits.count + 2, "an empty message")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfigLoader(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = Fuzz.input(data, size)
    let bytes = Array(input)
    // One load per input (loading is the slow part): for three inputs in four, with one
    // override, the variable picked by the input's hash, the value the input's last line.
    var environment: [String: String] = [:]
    let variables = ConfigLoader.environmentVariables
    let hash = Fuzz.hash(input)
    if hash & 3 != 0 && !variables.isEmpty {
        let name = variables[Int((hash >> 2) % UInt64(variables.count))]
        let lastLine = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).last ?? []
        environment[name] = String(decoding: lastLine, as: UTF8.self)
    }
    check(load(bytes, environment), bytes: bytes, environment: environment)
    return 0
}
