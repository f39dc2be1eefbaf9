@preconcurrency import Glibc
import Foundation
import Synchronization

/// A helper program (openssl, nginx) run by a test: spawned with posix_spawn so that a listening
/// socket can be handed to it as fd 3, its stdout and stderr collected by a reader thread, and
/// stopped by its own pid.
///
/// Threading: `@unchecked Sendable`; the collected output is behind a `Mutex`.
final class ChildProcess: @unchecked Sendable {
    struct SpawnError: Error, CustomStringConvertible {
        let description: String
    }

    let pid: pid_t
    private let output = Mutex<[UInt8]>([])
    private let outputChanged = NSCondition()
    private var exited = false

    /// Starts `path` with `arguments`. `passing` becomes the child's fd 3 when given.
    init(_ path: String, _ arguments: [String], environment extra: [String: String] = [:], passing fd: Int32? = nil)
        throws
    {
        var pipeFDs: [Int32] = [0, 0]
        // pipe2 needs _GNU_SOURCE; set close-on-exec right away instead (a concurrent spawn
        // could still inherit the ends for a moment, which only delays seeing end of output).
        guard pipe(&pipeFDs) == 0 else { throw SpawnError(description: "pipe failed") }
        for end in pipeFDs { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 1)
        posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 2)
        var copy: Int32 = -1
        if let fd {
            // dup2 onto 3 clears close-on-exec; take a high copy first so the source is never 3.
            copy = fcntl(fd, F_DUPFD_CLOEXEC, 100)
            posix_spawn_file_actions_adddup2(&actions, copy, 3)
        }
        // Test threads (dispatch workers) block most signals and ignore SIGPIPE; both would be
        // inherited, and a child that cannot see SIGTERM cannot be stopped.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        sigaddset(&defaults, SIGTERM)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var environment = ProcessInfo.processInfo.environment
        for (k, v) in extra { environment[k] = v }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var child: pid_t = 0
        let rc = posix_spawn(&child, path, &actions, &attributes, argv, envp)
        close(pipeFDs[1])
        if copy >= 0 { close(copy) }
        guard rc == 0 else {
            close(pipeFDs[0])
            throw SpawnError(description: "posix_spawn \(path): \(String(cString: strerror(rc)))")
        }
        pid = child
        let readFD = pipeFDs[0]
        Thread { [self] in collect(readFD) }.start()
    }

    deinit { stop() }

    /// Everything the program printed so far.
    var text: String { String(decoding: output.withLock { $0 }, as: UTF8.self) }

    /// Waits until the output contains `needle` (true) or the program exits or time runs out.
    func waitForOutput(containing needle: String, seconds: Double = 15) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        outputChanged.lock()
        defer { outputChanged.unlock() }
        while !text.contains(needle) {
            if exited || !outputChanged.wait(until: deadline) { return text.contains(needle) }
        }
        return true
    }

    /// Waits for the program to exit and returns its exit status (-1 when killed by a signal).
    func waitForExit() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
    }

    /// Terminates the program (by its pid) and reaps it.
    func stop() {
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == 0 {
            kill(pid, SIGTERM)
            _ = waitForExit()
        }
    }

    private func collect(_ fd: Int32) {
        var scratch = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = scratch.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            outputChanged.lock()
            if n <= 0 {
                exited = true
            } else {
                output.withLock { $0 += scratch[..<n] }
            }
            outputChanged.broadcast()
            outputChanged.unlock()
            if n <= 0 { break }
        }
        close(fd)
    }

    /// The full path of `name` on PATH (or in the sbin directories), or nil.
    static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let dirs = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin", "/usr/bin"]
        return dirs.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs `path` to completion; throws with its output when it fails.
    static func run(_ path: String, _ arguments: [String]) throws {
        let child = try ChildProcess(path, arguments)
        let status = child.waitForExit()
        guard status == 0 else {
            _ = child.waitForOutput(containing: "\u{0}", seconds: 1)
            throw SpawnError(description: "\(path) \(arguments.joined(separator: " ")) exited \(status): \(child.text)")
        }
    }
}
