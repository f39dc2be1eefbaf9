#if canImport(Glibc)
    import Glibc
#endif

/// Reads a config file (or text), applies the environment overrides, validates everything and
/// returns a `RepriseConfig`, or a `ConfigError` listing every problem.
///
/// Blocking file I/O: call it at start-up, from `--check-config` and on SIGHUP, never from a loop
/// thread while it serves. The environment is a parameter so tests stay pure; the executable
/// passes the process environment. Stateless; thread-safe.
public enum ConfigLoader {
    /// Larger files are refused rather than read: a config is a few KiB.
    public static let maxFileBytes = 1 << 20

    /// Variables read from the environment, in table order (`REPRISE_LISTEN`, …).
    public static var environmentVariables: [String] { ConfigSchema.keys.compactMap(\.environmentVariable) }

    public static func load(path: String, environment: [String: String]) throws(ConfigError) -> RepriseConfig {
        try parse(bytes: readFile(path), fileName: path, environment: environment)
    }

    public static func parse(
        text: String, fileName: String, environment: [String: String] = [:]
    ) throws(ConfigError) -> RepriseConfig {
        try parse(bytes: Array(text.utf8), fileName: fileName, environment: environment)
    }

    /// `parse(text:…)` on raw file bytes, as `load` reads them (they need not be UTF-8; libyaml
    /// reports what it cannot decode as a `FILE:LINE` problem).
    public static func parse(bytes: [UInt8], fileName: String, environment: [String: String]) throws(ConfigError)
        -> RepriseConfig
    {
        let document = YAMLReader.read(bytes)
        var decoder = ConfigDecoder(root: document.root, environment: environment)
        for problem in document.problems { decoder.diagnostics.add(line: problem.line, problem.message) }
        let config = decoder.decode()
        guard decoder.diagnostics.isEmpty else {
            throw ConfigError(messages: decoder.diagnostics.messages(fileName: fileName))
        }
        return config
    }

    /// The whole file, or a `FILE: message` error.
    static func readFile(_ path: String) throws(ConfigError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw fileError(path, errno) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw fileError(path, errno)
            }
            if n == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<n])
            guard bytes.count <= maxFileBytes else {
                throw ConfigError(messages: [
                    "\(path): larger than \(ByteSize(bytes: maxFileBytes)); is this a config file?"
                ])
            }
        }
    }

    private static func fileError(_ path: String, _ code: Int32) -> ConfigError {
        ConfigError(messages: ["\(path): cannot read: \(String(cString: strerror(code)))"])
    }
}
