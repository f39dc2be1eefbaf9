import Dispatch
import EventLoop
import FakeReplicate
// fake-replicate: the fake Replicate API as a process, for end-to-end tests and benchmarks.
//
//   fake-replicate [--listen HOST:PORT] [--port-file PATH] [--token T]... [--public-url URL]
//                  [--stream-listen HOST:PORT] [--stream-interval-ms N] [--start-delay-ms N]
//                  [--run-ms N] [--loops N] [--page-size N] [--max-predictions N] [--max-connections N] [--quiet]
//
// Port 0 picks a free port; `--port-file` receives it (written atomically) once listening.
// SIGINT/SIGTERM stop accepting, drain for up to 5 s, then exit 0.
@preconcurrency import Glibc
import HTTPServer
import Logging

/// Command-line options, every default stated here.
struct Options {
    var listen = SocketAddressSpec(host: "127.0.0.1", port: 8090)
    var streamListen: SocketAddressSpec?
    var portFile: String?
    var publicURL: String?
    var loops = 1
    var quiet = false
    var fake = FakeReplicateConfiguration()
    /// Open connections per listener (the server's default, 10,000, is too few for a benchmark
    /// relaying 10,000 streams plus the creates' pooled connections).
    var server = HTTPServerConfiguration()

    static let usage = """
        usage: fake-replicate [--listen HOST:PORT] [--port-file PATH] [--token T]... [--public-url URL]
                              [--stream-listen HOST:PORT] [--stream-interval-ms N] [--start-delay-ms N]
                              [--run-ms N] [--loops N] [--page-size N] [--max-predictions N] [--max-connections N] [--quiet]
        """

    static func parse(_ args: [String]) -> Result<Options, OptionError> {
        var o = Options()
        var tokens: [String] = []
        var i = 0
        func value(_ flag: String) -> Result<String, OptionError> {
            i += 1
            return i < args.count ? .success(args[i]) : .failure(OptionError("\(flag) needs a value"))
        }
        func int(_ flag: String, min: Int) -> Result<Int, OptionError> {
            value(flag).flatMap { v in
                guard let n = Int(v), n >= min else {
                    return .failure(OptionError("\(flag): not a number >= \(min): \(v)"))
                }
                return .success(n)
            }
        }
        func address(_ flag: String) -> Result<SocketAddressSpec, OptionError> {
            value(flag).flatMap { v in
                SocketAddressSpec(parsing: v).map { .success($0) }
                    ?? .failure(OptionError("\(flag): not HOST:PORT: \(v)"))
            }
        }
        do {
            while i < args.count {
                switch args[i] {
                case "--listen": o.listen = try address("--listen").get()
                case "--stream-listen": o.streamListen = try address("--stream-listen").get()
                case "--port-file": o.portFile = try value("--port-file").get()
                case "--token": tokens.append(try value("--token").get())
                case "--public-url": o.publicURL = try value("--public-url").get()
                case "--stream-interval-ms": o.fake.streamInterval = .milliseconds(try int(args[i], min: 0).get())
                case "--start-delay-ms": o.fake.startDelay = .milliseconds(try int(args[i], min: 0).get())
                case "--run-ms": o.fake.quickRunDuration = .milliseconds(try int(args[i], min: 0).get())
                case "--loops": o.loops = try int("--loops", min: 1).get()
                case "--page-size": o.fake.pageSize = try int("--page-size", min: 1).get()
                case "--max-predictions": o.fake.maxPredictions = try int("--max-predictions", min: 1).get()
                case "--max-connections": o.server.maxConnections = try int("--max-connections", min: 1).get()
                case "--quiet": o.quiet = true
                case "-h", "--help": return .failure(OptionError(""))
                default: return .failure(OptionError("unknown option: \(args[i])"))
                }
                i += 1
            }
        } catch {
            return .failure(error)
        }
        if !tokens.isEmpty { o.fake.tokens = tokens }
        return .success(o)
    }
}

/// A bad command line; an empty message asks for the usage text.
struct OptionError: Error {
    var message: String
    init(_ m: String) { message = m }
}

/// `http://host:port` for a bound address; wildcard hosts become loopback.
func baseURL(_ spec: SocketAddressSpec, port: Int) -> String {
    switch spec.host {
    case "0.0.0.0", "": return "http://127.0.0.1:\(port)"
    case "::": return "http://[::1]:\(port)"
    default: return spec.host.contains(":") ? "http://[\(spec.host)]:\(port)" : "http://\(spec.host):\(port)"
    }
}

/// Writes `text` to `path` through a temporary file and a rename, so a reader polling the
/// file never sees it half-written.
func writeAtomically(_ text: String, to path: String) -> Bool {
    let tmp = path + ".tmp"
    let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { return false }
    let ok = Array(text.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) == $0.count }
    close(fd)
    return ok && rename(tmp, path) == 0
}

func fail(_ message: String) -> Never {
    var line = Array(("fake-replicate: " + message + "\n").utf8)
    _ = line.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
    exit(2)
}

// MARK: - Main

signal(SIGPIPE, SIG_IGN)
let options: Options
switch Options.parse(Array(CommandLine.arguments.dropFirst())) {
case .success(let o): options = o
case .failure(let e):
    if e.message.isEmpty {
        print(Options.usage)
        exit(0)
    }
    fail(e.message + "\n" + Options.usage)
}

// Block the stop signals before any thread starts, so that every thread inherits the mask and
// only `sigwait` below sees them.
var stopSignals = sigset_t()
sigemptyset(&stopSignals)
sigaddset(&stopSignals, SIGINT)
sigaddset(&stopSignals, SIGTERM)
pthread_sigmask(SIG_BLOCK, &stopSignals, nil)

let logger = Logger(sink: LogSink(), level: options.quiet ? .warn : .info)
let fake = FakeReplicate(configuration: options.fake, logger: logger)
let group: EventLoopGroup
do {
    group = try EventLoopGroup(loopCount: options.loops)
} catch {
    fail("cannot create event loops: \(error)")
}
group.start()

let server = HTTPServer(
    group: group, configuration: options.server, logger: logger,
    responderFactory: { loop in fake.makeResponder(loop: loop) })
let port: Int
do {
    port = try server.start(options.listen)
} catch {
    fail("cannot listen on \(options.listen): \(error)")
}
fake.setPublicBaseURL(options.publicURL ?? baseURL(options.listen, port: port))

// An optional second listener stands for Replicate's separate streaming host: `urls.stream`
// then names it (the responder serves every route on both).
var streamServer: HTTPServer?
if let spec = options.streamListen {
    let s = HTTPServer(
        group: group, configuration: options.server, logger: logger,
        responderFactory: { loop in fake.makeResponder(loop: loop) })
    do {
        let streamPort = try s.start(spec)
        fake.setStreamBaseURL(baseURL(spec, port: streamPort))
        streamServer = s
    } catch {
        fail("cannot listen on \(spec): \(error)")
    }
}

if let path = options.portFile, !writeAtomically("\(port)\n", to: path) {
    fail("cannot write the port file \(path)")
}
logger.info(
    "fake-replicate listening",
    ["port": .int(port), "public_url": .string(fake.publicBaseURL), "loops": .int(options.loops)])

var received: Int32 = 0
sigwait(&stopSignals, &received)
logger.info("fake-replicate stopping", ["signal": .int(Int(received))])
server.stopAccepting()
streamServer?.stopAccepting()
let drained = DispatchSemaphore(value: 0)
server.drain(timeout: .seconds(5)) { drained.signal() }
drained.wait()
if let s = streamServer {
    s.drain(timeout: .seconds(5)) { drained.signal() }
    drained.wait()
}
group.stopAndJoin()
logger.sink.flush()
exit(0)
