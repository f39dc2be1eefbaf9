/// What the `reprise` executable was asked to do, from its arguments (without the program name).
///
/// One command: `--config FILE` (serve), `--check-config FILE`, `--version`, `--describe-metrics`
/// or `--help`. `--port-file FILE` goes with `--config`: once listening, Reprise writes the
/// bound port there (tests listen on port 0 and read it). Flags take `--flag VALUE` or
/// `--flag=VALUE`. Unknown flags, repeats and stray arguments are errors. A pure function of
/// the argument list. Value type.
public struct CommandLineOptions: Sendable, Equatable {
    public enum Command: Sendable, Equatable {
        case serve(configPath: String)
        case checkConfig(path: String)
        case version
        /// Print the metric table and exit (served by the Metrics module); `markdown` prints the
        /// table as docs/metrics.md.
        case describeMetrics(markdown: Bool)
        case help
    }

    public var command: Command
    /// `--port-file`: where to write the bound port after listening.
    public var portFile: String?

    public init(command: Command, portFile: String? = nil) {
        self.command = command
        self.portFile = portFile
    }

    public static let usage = """
        usage: reprise --config FILE [--port-file FILE]
               reprise --check-config FILE
               reprise --version | --describe-metrics [--markdown] | --help

          --config FILE        serve with this config (environment overrides: \
        \(ConfigLoader.environmentVariables.joined(separator: ", ")))
          --check-config FILE  validate FILE and exit 0, or 1 with FILE:LINE: message lines
          --port-file FILE     after listening, write the bound port to FILE
          --version            print the version and exit
          --describe-metrics   print every metric with its type and help, and exit
          --markdown           with --describe-metrics: print docs/metrics.md
          --help, -h           print this help and exit
        """

    private static let valueFlags: Set<String> = ["--config", "--check-config", "--port-file"]
    private static let plainFlags: Set<String> = ["--version", "--describe-metrics", "--markdown", "--help", "-h"]

    public static func parse(_ arguments: [String]) throws(CommandLineError) -> CommandLineOptions {
        var values: [String: String] = [:]
        var switches: Set<String> = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            let (flag, inline) = split(argument)
            if plainFlags.contains(flag) {
                if inline != nil { throw CommandLineError("\(flag) takes no value") }
                let name = flag == "-h" ? "--help" : flag
                guard switches.insert(name).inserted else { throw CommandLineError("\(name) given twice") }
            } else if valueFlags.contains(flag) {
                var value = inline
                if value == nil, index < arguments.count, !arguments[index].hasPrefix("--") {
                    value = arguments[index]
                    index += 1
                }
                guard let value, !value.isEmpty else { throw CommandLineError("\(flag) needs a FILE") }
                guard values.updateValue(value, forKey: flag) == nil else {
                    throw CommandLineError("\(flag) given twice")
                }
            } else if argument.hasPrefix("-") {
                throw CommandLineError("unknown option '\(flag)'")
            } else {
                throw CommandLineError("unexpected argument '\(argument)'")
            }
        }
        if switches.contains("--help") { return CommandLineOptions(command: .help) }

        var commands: [Command] = []
        if let path = values["--config"] { commands.append(.serve(configPath: path)) }
        if let path = values["--check-config"] { commands.append(.checkConfig(path: path)) }
        if switches.contains("--version") { commands.append(.version) }
        if switches.contains("--describe-metrics") {
            commands.append(.describeMetrics(markdown: switches.contains("--markdown")))
        } else if switches.contains("--markdown") {
            throw CommandLineError("--markdown only goes with --describe-metrics")
        }
        guard commands.count == 1, let command = commands.first else {
            throw CommandLineError(
                commands.isEmpty
                    ? "nothing to do: give --config FILE (or --help)"
                    : "give only one of --config, --check-config, --version, --describe-metrics")
        }
        let portFile = values["--port-file"]
        if portFile != nil, case .serve = command {
        } else if portFile != nil {
            throw CommandLineError("--port-file only goes with --config")
        }
        return CommandLineOptions(command: command, portFile: portFile)
    }

    /// `--flag=value` → ("--flag", "value"); anything else → (argument, nil).
    private static func split(_ argument: String) -> (String, String?) {
        guard argument.hasPrefix("--"), let eq = argument.firstIndex(of: "=") else { return (argument, nil) }
        return (String(argument[..<eq]), String(argument[argument.index(after: eq)...]))
    }
}

/// A command-line mistake, in words; the executable prints it with the usage and exits 2.
public struct CommandLineError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
