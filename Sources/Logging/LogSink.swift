@preconcurrency import Glibc
import Synchronization

/// Where formatted log lines go: a buffer that a background thread flushes to a file
/// descriptor (stderr by default).
///
/// Loop threads only append under a short lock, so logging never blocks a loop on a slow pipe.
/// If the buffer passes `maxBuffered` (the reader stopped reading), new lines are dropped and
/// counted rather than growing memory without bound. Threading: every method is thread-safe.
public final class LogSink: Sendable {
    private struct State {
        var buffer: [UInt8] = []
        var dropped: Int = 0
        var stopping = false
        var clock = UTCTimestampCache()
    }

    private let fd: Int32
    private let state = Mutex(State())
    private let maxBuffered: Int
    private let started = Atomic<Bool>(false)
    private let threadHandle = Mutex<pthread_t?>(nil)

    /// A sink writing to `fd`. When `background` is false, every line is written at once
    /// (used by tools and tests where ordering with other output matters).
    public init(fd: Int32 = 2, maxBuffered: Int = 4 << 20, background: Bool = true) {
        self.fd = fd
        self.maxBuffered = maxBuffered
        if background { startThread() }
    }

    /// Lines dropped because the buffer was full.
    public var droppedCount: Int { state.withLock { $0.dropped } }

    func append(_ line: [UInt8]) {
        if !started.load(ordering: .relaxed) {
            LogSink.writeAll(fd, line)
            return
        }
        state.withLock { s in
            if s.buffer.count + line.count > maxBuffered {
                s.dropped += 1
            } else {
                s.buffer.append(contentsOf: line)
            }
        }
    }

    /// Formats a line straight into the buffer, under the lock: no line array, no copy. `build`
    /// gets the buffer and a timestamp cache; it must only append, and must be short (it runs
    /// under the lock every loop thread takes to log).
    func appendLine(_ build: (inout [UInt8], inout UTCTimestampCache) -> Void) {
        if !started.load(ordering: .relaxed) {
            var line: [UInt8] = []
            var clock = UTCTimestampCache()
            build(&line, &clock)
            LogSink.writeAll(fd, line)
            return
        }
        state.withLock { s in
            if s.buffer.count > maxBuffered {
                s.dropped += 1
            } else {
                build(&s.buffer, &s.clock)
            }
        }
    }

    /// Writes everything buffered now (call before exit).
    public func flush() {
        let pending = state.withLock { s -> [UInt8] in
            let out = s.buffer
            s.buffer.removeAll(keepingCapacity: true)
            return out
        }
        if !pending.isEmpty { LogSink.writeAll(fd, pending) }
    }

    private func startThread() {
        started.store(true, ordering: .relaxed)
        let box = Unmanaged.passRetained(self)
        var tid = pthread_t()
        let rc = pthread_create(&tid, nil, { raw in
            let sink = Unmanaged<LogSink>.fromOpaque(raw!).takeRetainedValue()
            sink.flushLoop()
            return nil
        }, box.toOpaque())
        if rc != 0 {
            box.release()
            started.store(false, ordering: .relaxed)
        } else {
            pthread_detach(tid)
            threadHandle.withLock { $0 = tid }
        }
    }

    private func flushLoop() {
        while true {
            usleep(20_000)  // the writer thread's own pacing; no loop thread waits on it
            flush()
        }
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var off = 0
            while off < raw.count {
                let n = write(fd, raw.baseAddress! + off, raw.count - off)
                if n < 0 {
                    if errno == EINTR { continue }
                    return
                }
                off += n
            }
        }
    }
}
