@preconcurrency import Glibc
import EventLoop
import Foundation

/// A redis-server owned by one test, on its own free loopback port, for what the shared server
/// must not be used for (passwords, debug sleeps, being killed). Stops it on `stop()` or deinit.
///
/// Threading: used from the test's thread only.
final class RedisServerProcess: @unchecked Sendable {
    let port: Int
    private let extraArguments: [String]
    private var process: Process?

    init(_ extraArguments: [String] = []) throws {
        let (fd, port) = try Socket.listen(SocketAddressSpec(host: "127.0.0.1", port: 0), reusePort: false)
        close(fd)
        self.port = port
        self.extraArguments = extraArguments
        try start()
    }

    deinit { stop() }

    /// Starts the server (again, after `kill`) on the same port and waits until it accepts.
    func start() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [
            "redis-server", "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--daemonize", "no", "--logfile", "",
        ] + extraArguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        process = p
        try waitUntilAccepting()
    }

    /// SIGKILL: the server vanishes as in a crash (connections reset, nothing flushed).
    func kill() {
        guard let p = process else { return }
        process = nil
        Glibc.kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
    }

    func stop() { kill() }

    /// Polls for the listening socket with a bounded deadline (start-up has no event to wait on).
    private func waitUntilAccepting() throws {
        let deadline = Date(timeIntervalSinceNow: 20)
        while Date() < deadline {
            if let p = process, !p.isRunning {
                throw TestSetupError("redis-server exited at start-up (status \(p.terminationStatus)) on port \(port)")
            }
            if let fd = try? Socket.connectBlocking(SocketAddressSpec(host: "127.0.0.1", port: port)) {
                close(fd)
                return
            }
            usleep(10_000)
        }
        throw TestSetupError("redis-server did not accept connections on port \(port) within 20 s")
    }
}
