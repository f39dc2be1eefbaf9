/// Collects every problem found while loading a config, so one `--check-config` run shows them
/// all, then renders them as `FILE:LINE: message` (file problems, in line order) followed by
/// `env NAME: message` (environment problems). Single-threaded value type.
struct ConfigDiagnostics: CustomStringConvertible {
    private struct Entry {
        var line: Int
        var message: String
    }

    private var fileEntries: [Entry] = []
    private var environmentEntries: [String] = []

    var isEmpty: Bool { fileEntries.isEmpty && environmentEntries.isEmpty }

    mutating func add(line: Int, _ message: String) {
        fileEntries.append(Entry(line: line, message: message))
    }

    mutating func addEnvironment(_ variable: String, _ message: String) {
        environmentEntries.append("env \(variable): \(message)")
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
