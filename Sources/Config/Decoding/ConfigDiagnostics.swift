/// Collects every problem found while loading a config, so one `--check-config` run shows them
/// all, then renders them as `FILE:LINE: message` (file problems, in line order) followed by
/// `env NAME: message` (environment problems). Messages quote keys and values from the file
/// and the environment, so control characters in them are written as escapes (`\n`,
/// `\u{1B}`): one problem stays one line, and a config cannot drive the terminal of whoever
/// runs `--check-config`. Single-threaded value type.
struct ConfigDiagnostics: CustomStringConvertible {
    private struct Entry {
        var line: Int
        var message: String
    }

    private var fileEntries: [Entry] = []
    private var environmentEntries: [String] = []

    var isEmpty: Bool { fileEntries.isEmpty && environmentEntries.isEmpty }

    mutating func add(line: Int, _ message: String) {
        fileEntries.append(Entry(line: line, message: Self.printable(message)))
    }

    mutating func addEnvironment(_ variable: String, _ message: String) {
        environmentEntries.append(Self.printable("env \(variable): \(message)"))
    }

    /// `message` with C0 and C1 controls, DEL and the Unicode line separators escaped.
    static func printable(_ message: String) -> String {
        func isControl(_ s: Unicode.Scalar) -> Bool {
            s.value < 0x20 || (0x7F...0x9F).contains(s.value) || s == "\u{2028}" || s == "\u{2029}"
        }
        guard message.unicodeScalars.contains(where: isControl) else { return message }
        var out = ""
        for s in message.unicodeScalars {
            switch s {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where isControl(s): out += "\\u{" + String(s.value, radix: 16, uppercase: true) + "}"
            default: out.unicodeScalars.append(s)
            }
        }
        return out
    }

    /// Stable by line, so problems found on the same line keep the order they were found in.
    func messages(fileName: String) -> [String] {
        let ordered = fileEntries.enumerated().sorted { a, b in
            (a.element.line, a.offset) < (b.element.line, b.offset)
        }
        return ordered.map { "\(fileName):\($0.element.line): \($0.element.message)" } + environmentEntries
    }

    var description: String { messages(fileName: "<config>").joined(separator: "\n") }
}
