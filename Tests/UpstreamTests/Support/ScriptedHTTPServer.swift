@preconcurrency import Glibc
import Foundation
import Synchronization

/// A small blocking HTTP/1.1 server for tests, on 127.0.0.1 and a kernel-chosen port.
///
/// One thread accepts; each connection is served on its own thread: read one request in full
/// (Content-Length or chunked body), hand it to the test's script, which writes whatever raw
/// bytes it likes (and may block on semaphores the test signals), then read the next request on
/// the same connection unless the script closed it. Counts accepted connections so tests can
/// see connection reuse. Deliberately independent of Reprise's own HTTPServer module.
///
/// Threading: `@unchecked Sendable` because the mutable state (`log`, connection list) is behind
/// a `Mutex`; the script runs on connection threads.
final class ScriptedHTTPServer: @unchecked Sendable {
    /// One parsed request as the server saw it.
    struct Request: Sendable {
        var method: String
        var target: String
        /// Header fields in wire order and case.
        var headers: [(name: String, value: String)]
        var body: [UInt8]
        var wasChunked: Bool
        /// 1-based number of the connection it came on, and its position on that connection.
        var connection: Int
        var indexOnConnection: Int

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    /// What the script does after answering.
    enum After: Sendable {
        case keepOpen
        case close
    }

    typealias Script = @Sendable (Request, Connection) -> After

    /// Answers every request with 200 and the request's own body.
    static let echoBody: Script = { r, c in
        c.respond(r.body)
        return .keepOpen
    }

    /// Sends a head announcing 10 body bytes, then nothing until `release` fires (a stalled upstream).
    static func headThenStall(until release: Signal) -> Script {
        { _, c in
            c.writeHead(status: 200, [("Content-Length", "10")])
            _ = release.wait(seconds: 20)
            return .close
        }
    }

    let port: Int
    private let listener: Int32
    private let script: Script
    private struct Log {
        var accepts = 0
        var requests: [Request] = []
        var open: [Int32] = []
        var stopped = false
        var finished = 0
    }
    private let log = Mutex(Log())
    private let connectionEnded = NSCondition()

    /// Listens on 127.0.0.1, or on every local address when `allInterfaces` (for requests to the
    /// machine's own host name, which may resolve to a non-loopback address).
    init(allInterfaces: Bool = false, script: @escaping Script) throws {
        self.script = script
        let (fd, port) = try TestSockets.bind(listening: true, allInterfaces: allInterfaces)
        listener = fd
        self.port = port
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    deinit { stop() }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Connections accepted so far.
    var acceptCount: Int { log.withLock { $0.accepts } }

    /// Requests read so far, in arrival order.
    var requests: [Request] { log.withLock { $0.requests } }

    /// Stops accepting and shuts every open connection.
    func stop() {
        let fds = log.withLock { l -> [Int32] in
            if l.stopped { return [] }
            l.stopped = true
            return l.open
        }
        // shutdown() wakes threads blocked in accept/recv; close() alone would not.
        Glibc.shutdown(listener, Int32(SHUT_RDWR))
        for fd in fds { Glibc.shutdown(fd, Int32(SHUT_RDWR)) }
    }

    private func acceptLoop() {
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if errno == EINTR { continue }
                break
            }
            let number = log.withLock { l -> Int in
                l.accepts += 1
                l.open.append(fd)
                return l.accepts
            }
            let thread = Thread { [self] in serve(Connection(fd: fd), number: number) }
            thread.start()
        }
        close(listener)
    }

    private func serve(_ connection: Connection, number: Int) {
        var index = 0
        while let (head, body, chunked) = connection.readRequest() {
            index += 1
            let lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
            let parts = lines[0].split(separator: " ")
            var headers: [(name: String, value: String)] = []
            for line in lines.dropFirst() where !line.isEmpty {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers.append(
                    (
                        String(line[..<colon]),
                        String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
                    ))
            }
            let request = Request(
                method: String(parts[0]), target: parts.count > 1 ? String(parts[1]) : "", headers: headers, body: body,
                wasChunked: chunked, connection: number, indexOnConnection: index)
            log.withLock { $0.requests.append(request) }
            if script(request, connection) == .close { break }
        }
        log.withLock { $0.open.removeAll { $0 == connection.fd } }
        connection.close()
        connectionEnded.lock()
        log.withLock { $0.finished += 1 }
        connectionEnded.broadcast()
        connectionEnded.unlock()
    }

    /// Waits until `count` connections have ended (peer closed or script closed). False on timeout.
    func waitForEndedConnections(_ count: Int, seconds: Double = 15) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        connectionEnded.lock()
        defer { connectionEnded.unlock() }
        while log.withLock({ $0.finished }) < count {
            if !connectionEnded.wait(until: deadline) { return log.withLock { $0.finished } >= count }
        }
        return true
    }
}

/// One accepted connection, used from its serving thread (and by the script running there).
final class Connection: @unchecked Sendable {
    let fd: Int32
    private var buffer: [UInt8] = []
    private var closed = false

    init(fd: Int32) { self.fd = fd }

    func write(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            offset += n
        }
    }

    func write(_ text: String) { write(Array(text.utf8)) }

    /// Writes a response head with the given status and fields (in order) and a blank line.
    func writeHead(status: Int, reason: String = "OK", _ fields: [(String, String)]) {
        var text = "HTTP/1.1 \(status) \(reason)\r\n"
        for (name, value) in fields { text += "\(name): \(value)\r\n" }
        write(text + "\r\n")
    }

    /// A complete response with a Content-Length body.
    func respond(status: Int = 200, _ body: [UInt8], _ fields: [(String, String)] = []) {
        writeHead(status: status, fields + [("Content-Length", "\(body.count)")])
        write(body)
    }

    /// One chunk of a chunked body (an empty one ends the body).
    func writeChunk(_ bytes: [UInt8]) {
        write(Array((String(bytes.count, radix: 16) + "\r\n").utf8) + bytes + Array("\r\n".utf8))
    }

    func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(fd)
    }

    /// Closes with a reset (RST) instead of a FIN: SO_LINGER with a zero timeout.
    func reset() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        close()
    }

    /// Waits until the peer closes its side (recv returns 0 or fails). False on timeout.
    func waitForPeerClose(timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        var scratch = [UInt8](repeating: 0, count: 65536)
        while ContinuousClock.now < deadline {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&pfd, 1, 100) <= 0 { continue }
            let n = scratch.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return true }
        }
        return false
    }

    /// Reads one request: head text (without the blank line), body, and whether it was chunked.
    /// Nil at end of stream.
    func readRequest() -> (String, [UInt8], Bool)? {
        guard let headEnd = fill(until: { self.find([13, 10, 13, 10]) }) else { return nil }
        let head = String(decoding: buffer[..<headEnd], as: UTF8.self)
        buffer.removeFirst(headEnd + 4)
        let lower = head.lowercased()
        if lower.contains("transfer-encoding: chunked") {
            var body: [UInt8] = []
            while true {
                guard let lineEnd = fill(until: { self.find([13, 10]) }) else { return nil }
                let sizeText = String(decoding: buffer[..<lineEnd], as: UTF8.self).split(separator: ";")[0]
                buffer.removeFirst(lineEnd + 2)
                guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else { return nil }
                if size == 0 {
                    // Trailers, then the final CRLF.
                    while true {
                        guard let end = fill(until: { self.find([13, 10]) }) else { return nil }
                        buffer.removeFirst(end + 2)
                        if end == 0 { break }
                    }
                    return (head, body, true)
                }
                guard fill(until: { self.buffer.count >= size + 2 ? size : nil }) != nil else { return nil }
                body += buffer[..<size]
                buffer.removeFirst(size + 2)
            }
        }
        var length = 0
        for line in lower.split(separator: "\r\n") where line.hasPrefix("content-length:") {
            length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
        }
        guard fill(until: { self.buffer.count >= length ? length : nil }) != nil else { return nil }
        let body = Array(buffer[..<length])
        buffer.removeFirst(length)
        return (head, body, false)
    }

    private func find(_ needle: [UInt8]) -> Int? {
        guard buffer.count >= needle.count else { return nil }
        for i in 0...(buffer.count - needle.count) where buffer[i] == needle[0] {
            if Array(buffer[i..<(i + needle.count)]) == needle { return i }
        }
        return nil
    }

    /// Reads until `condition` yields a value; nil at end of stream.
    private func fill(until condition: () -> Int?) -> Int? {
        var scratch = [UInt8](repeating: 0, count: 65536)
        while true {
            if let v = condition() { return v }
            let n = scratch.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return nil }
            buffer += scratch[..<n]
        }
    }
}
