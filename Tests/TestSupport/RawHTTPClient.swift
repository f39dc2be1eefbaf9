import EventLoop
@preconcurrency import Glibc

/// A response as `RawHTTPClient` read it off the wire. Value type.
public struct RawHTTPResponse: Sendable {
    public var status: Int
    public var reason: String
    /// Header fields in order, names as sent.
    public var headers: [(name: String, value: String)]
    /// The body, de-chunked when it was chunked.
    public var body: [UInt8]
    /// True when the body was sent with `Transfer-Encoding: chunked`.
    public var wasChunked: Bool

    /// The first value of the field `name` (any case).
    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name.lowercased() == lower }?.value
    }

    public var bodyString: String { String(decoding: body, as: UTF8.self) }
}

/// A blocking HTTP/1.1 test client over a real TCP socket, reading exactly what the server
/// wrote: no retries, no normalisation, so tests can check framing byte for byte.
///
/// Every receive is bounded by `SO_RCVTIMEO`, so a test waiting on a server that never
/// answers fails with `.timeout` instead of hanging. Threading: one thread at a time.
public final class RawHTTPClient {
    public enum Failure: Error, Equatable {
        /// Nothing arrived within the receive timeout.
        case timeout
        /// The server closed the connection before the expected bytes.
        case closed
        case malformed(String)
        case io(call: String, errno: Int32)
    }

    public let fd: Int32
    private var buffer: [UInt8] = []
    private var start = 0
    public private(set) var sawEOF = false

    /// Connects to `host:port`. `receiveBufferSize` sets SO_RCVBUF before connecting (to make
    /// a client that does not read fill up quickly).
    public init(port: Int, host: String = "127.0.0.1", timeout: Duration = .seconds(10), receiveBufferSize: Int? = nil)
        throws
    {
        let (family, addr) = try Socket.resolve(SocketAddressSpec(host: host, port: port), passive: false)
        let s = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard s >= 0 else { throw Failure.io(call: "socket", errno: errno) }
        if let size = receiveBufferSize {
            var v = Int32(size)
            setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, socklen_t(MemoryLayout<Int32>.size))
        }
        var tv = timeval(
            tv_sec: Int(timeout.components.seconds), tv_usec: Int(timeout.components.attoseconds / 1_000_000_000_000))
        setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let rc = addr.withUnsafeBytes { raw in
            connect(s, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
        }
        guard rc == 0 else {
            let e = errno
            Glibc.close(s)
            throw Failure.io(call: "connect", errno: e)
        }
        Socket.setNoDelay(s)
        fd = s
    }

    deinit { Glibc.close(fd) }

    // MARK: - Sending

    public func send(_ text: String) throws { try send(Array(text.utf8)) }

    public func send(_ bytes: [UInt8]) throws {
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + off, $0.count - off, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure.io(call: "send", errno: errno)
            }
            off += n
        }
    }

    /// Half-closes: the server reads EOF but can still answer.
    public func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

    /// Closes with a reset (SO_LINGER 0), as a client that crashes would.
    public func reset() {
        var l = linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, socklen_t(MemoryLayout<linger>.size))
        shutdown(fd, Int32(SHUT_RDWR))
    }

    // MARK: - Reading responses

    /// Reads one whole response. Pass `forHEAD` when it answers a HEAD request (no body).
    public func readResponse(forHEAD: Bool = false) throws -> RawHTTPResponse {
        var r = try readHead()
        if forHEAD || r.status < 200 || r.status == 204 || r.status == 304 { return r }
        if let te = r.header("transfer-encoding"), te.lowercased().contains("chunked") {
            r.wasChunked = true
            while let chunk = try readChunk() { r.body += chunk }
        } else if let cl = r.header("content-length") {
            guard let n = Int(cl) else { throw Failure.malformed("content-length \(cl)") }
            r.body = try readBytes(n)
        } else {
            r.body = try readUntilClose()
        }
        return r
    }

    /// Reads a status line and headers; the body is left unread.
    public func readHead() throws -> RawHTTPResponse {
        let headBytes = try readThrough([13, 10, 13, 10])
        let text = String(decoding: headBytes.dropLast(4), as: UTF8.self)
        var lines = text.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        guard !lines.isEmpty else { throw Failure.malformed("empty head") }
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw Failure.malformed("status line \(statusLine)")
        }
        var headers: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { throw Failure.malformed("header line \(line)") }
            let value = line[line.index(after: colon)...].drop { $0 == " " }
            headers.append((String(line[..<colon]), String(value)))
        }
        return RawHTTPResponse(
            status: status, reason: parts.count > 2 ? String(parts[2]) : "", headers: headers, body: [],
            wasChunked: false)
    }

    /// Reads the next chunk of a chunked body; nil after the last chunk (trailers consumed).
    public func readChunk() throws -> [UInt8]? {
        let line = try readThrough([13, 10])
        let sizeText = String(decoding: line.dropLast(2), as: UTF8.self).split(separator: ";").first ?? ""
        guard let size = Int(sizeText.trimmingCharacters(), radix: 16) else {
            throw Failure.malformed("chunk size \(sizeText)")
        }
        if size == 0 {
            while try readThrough([13, 10]).count > 2 {}  // trailer fields, then the empty line
            return nil
        }
        let data = try readBytes(size)
        guard try readBytes(2) == [13, 10] else { throw Failure.malformed("chunk not followed by CRLF") }
        return data
    }

    /// Exactly `n` bytes.
    public func readBytes(_ n: Int) throws -> [UInt8] {
        while available < n {
            guard try fill() else { throw Failure.closed }
        }
        return take(n)
    }

    /// Everything until the server closes.
    public func readUntilClose() throws -> [UInt8] {
        while try fill() {}
        return take(available)
    }

    /// Waits until the server closes the connection (EOF or reset), discarding what arrives;
    /// returns how many bytes that was. Throws `.timeout` if it stays open.
    @discardableResult
    public func expectClose() throws -> Int {
        var discarded = available
        start = buffer.count
        while try fill() {
            discarded += available
            start = buffer.count
        }
        return discarded
    }

    /// Bytes received and not yet consumed.
    public var available: Int { buffer.count - start }

    /// Receives what is there now, at most `limit` bytes, waiting up to the timeout for the first.
    @discardableResult
    public func receiveSome(limit: Int = 64 * 1024) throws -> Int {
        guard try fill(limit: limit) else { throw Failure.closed }
        let n = available
        start = buffer.count
        return n
    }

    // MARK: - Buffer

    private func readThrough(_ delimiter: [UInt8]) throws -> [UInt8] {
        var searchFrom = start
        while true {
            if let end = find(delimiter, from: searchFrom) { return take(end + delimiter.count - start) }
            searchFrom = max(start, buffer.count - delimiter.count + 1)
            guard try fill() else { throw available == 0 ? Failure.closed : Failure.malformed("truncated") }
        }
    }

    private func find(_ d: [UInt8], from: Int) -> Int? {
        guard buffer.count - from >= d.count else { return nil }
        var i = from
        while i + d.count <= buffer.count {
            if buffer[i] == d[0] && Array(buffer[i..<(i + d.count)]) == d { return i }
            i += 1
        }
        return nil
    }

    private func take(_ n: Int) -> [UInt8] {
        let out = Array(buffer[start..<(start + n)])
        start += n
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        return out
    }

    /// Receives more bytes; false at EOF (or reset). Throws `.timeout` when none arrive.
    private func fill(limit: Int = 64 * 1024) throws -> Bool {
        if sawEOF { return false }
        var chunk = [UInt8](repeating: 0, count: limit)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                buffer.append(contentsOf: chunk[0..<n])
                return true
            }
            if n == 0 {
                sawEOF = true
                return false
            }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: throw Failure.timeout
            case ECONNRESET:
                sawEOF = true
                return false
            default: throw Failure.io(call: "recv", errno: errno)
            }
        }
    }
}

extension Substring {
    fileprivate func trimmingCharacters() -> String {
        String(self.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
