import Testing

@testable import Config

@Suite struct CommandLineOptionsTests {
    @Test(arguments: [
        (["--config", "c.yaml"], CommandLineOptions(command: .serve(configPath: "c.yaml"))),
        (["--config=c.yaml"], CommandLineOptions(command: .serve(configPath: "c.yaml"))),
        (
            ["--config", "c.yaml", "--port-file", "/tmp/p"],
            CommandLineOptions(command: .serve(configPath: "c.yaml"), portFile: "/tmp/p")
        ),
        (
            ["--port-file=/tmp/p", "--config", "c.yaml"],
            CommandLineOptions(command: .serve(configPath: "c.yaml"), portFile: "/tmp/p")
        ),
        (["--check-config", "c.yaml"], CommandLineOptions(command: .checkConfig(path: "c.yaml"))),
        (["--version"], CommandLineOptions(command: .version)),
        (["--describe-metrics"], CommandLineOptions(command: .describeMetrics(markdown: false))),
        (["--describe-metrics", "--markdown"], CommandLineOptions(command: .describeMetrics(markdown: true))),
        (["--help"], CommandLineOptions(command: .help)),
        (["-h"], CommandLineOptions(command: .help)),
        // Help wins over everything else that parses.
        (["--config", "c.yaml", "--help"], CommandLineOptions(command: .help)),
        (["--config", "-weird-name.yaml"], CommandLineOptions(command: .serve(configPath: "-weird-name.yaml"))),
    ])
    func parses(arguments: [String], expected: CommandLineOptions) throws {
        #expect(try CommandLineOptions.parse(arguments) == expected)
    }

    @Test(arguments: [
        ([], "nothing to do: give --config FILE (or --help)"),
        (["--config"], "--config needs a FILE"),
        (["--config="], "--config needs a FILE"),
        (["--config", "--version"], "--config needs a FILE"),
        (["--check-config"], "--check-config needs a FILE"),
        (["--config", "a", "--config", "b"], "--config given twice"),
        (["--version", "--version"], "--version given twice"),
        (
            ["--config", "a", "--check-config", "b"],
            "give only one of --config, --check-config, --version, --describe-metrics"
        ),
        (
            ["--version", "--describe-metrics"],
            "give only one of --config, --check-config, --version, --describe-metrics"
        ),
        (["--check-config", "a", "--port-file", "p"], "--port-file only goes with --config"),
        (["--port-file", "p"], "nothing to do: give --config FILE (or --help)"),
        (["--verbose"], "unknown option '--verbose'"),
        (["--conf=a"], "unknown option '--conf'"),
        (["-c", "a"], "unknown option '-c'"),
        (["c.yaml"], "unexpected argument 'c.yaml'"),
        (["--config", "a", "extra"], "unexpected argument 'extra'"),
        (["--version=2"], "--version takes no value"),
    ])
    func rejects(arguments: [String], message: String) {
        #expect(throws: CommandLineError(message)) { try CommandLineOptions.parse(arguments) }
    }

    @Test func usageNamesEveryFlagAndVariable() {
        for flag in ["--config", "--check-config", "--port-file", "--version", "--describe-metrics", "--help"] {
            #expect(CommandLineOptions.usage.contains(flag))
        }
        for variable in ConfigLoader.environmentVariables {
            #expect(CommandLineOptions.usage.contains(variable))
        }
    }
}
