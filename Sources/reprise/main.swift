@preconcurrency import Glibc
import Config
import Logging
import Metrics
import Proxy

// reprise: flags, config, signals. Everything else lives in the modules.

SignalWaiter.blockAll()

let arguments = Array(CommandLine.arguments.dropFirst())
let options: CommandLineOptions
do {
    options = try CommandLineOptions.parse(arguments)
} catch {
    Console.error("reprise: \(error.message)\n\(CommandLineOptions.usage)")
    exit(2)
}

var environment: [String: String] {
    var env: [String: String] = [:]
    var p = environ
    while let entry = p.pointee {
        let s = String(cString: entry)
        if let eq = s.firstIndex(of: "=") { env[String(s[..<eq])] = String(s[s.index(after: eq)...]) }
        p += 1
    }
    return env
}

switch options.command {
case .help:
    Console.out(CommandLineOptions.usage)
    exit(0)
case .version:
    Console.out("reprise \(RepriseVersion.current)")
    exit(0)
case .describeMetrics(let markdown):
    Console.out(markdown ? MetricID.markdown() : MetricID.describe())
    exit(0)
case .checkConfig(let path):
    do {
        _ = try ConfigLoader.load(path: path, environment: environment)
        Console.out("\(path): OK")
        exit(0)
    } catch {
        Console.error(error.messages.joined(separator: "\n"))
        exit(1)
    }
case .serve(let path):
    let config: RepriseConfig
    do {
        config = try ConfigLoader.load(path: path, environment: environment)
    } catch {
        Console.error(error.messages.joined(separator: "\n"))
        exit(1)
    }
    let sink = LogSink()
    let logger = Logger(sink: sink, level: config.logLevel)
    let app: RepriseApp
    let port: Int
    do {
        app = try RepriseApp(config: config, logger: logger)
        port = try app.start()
    } catch {
        logger.error("could not start", ["error": .string("\(error)")])
        sink.flush()
        exit(1)
    }
    if let portFile = options.portFile {
        Console.writeFile(portFile, "\(port)\n")
    }
    while true {
        switch SignalWaiter.next() {
        case .reload:
            do {
                app.reload(try ConfigLoader.load(path: path, environment: environment))
            } catch {
                logger.error(
                    "reload failed; keeping the running config", ["errors": .string(error.messages.joined(separator: "; "))])
            }
        case .terminate:
            logger.info("draining", ["timeout_s": .double(Double(app.runningConfig.server.drainTimeout.components.seconds))])
            app.shutdown()
            logger.info("stopped")
            sink.flush()
            exit(0)
        }
    }
}
