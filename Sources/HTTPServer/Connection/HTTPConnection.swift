import EventLoop
@preconcurrency import Glibc
import HTTPTypes

/// One accepted client connection: reads and parses requests, runs one `ServerExchange` at a
/// time, writes responses, and enforces the limits and timeouts of `HTTPServerConfiguration`.
///
/// Reading: bytes are received into the loop's shared scratch buffer and parsed in place; only
/// bytes the parser has not reached yet (a pipelined request waiting for the current response,
/// a body the responder paused) are copied into `inbound`. The socket is read only while the
/// parser wants bytes, so a paused body or a slow responder pushes back on the client.
///
/// Writing: responses are appended to `outbound` and written at the end of the loop tick (one
/// `send` for a whole small response); large body pieces go out directly with `sendmsg`
/// together with what is queued. Write interest (EPOLLOUT) is on only while bytes are pending.
///
/// Threading: everything runs on `loop`. Invariants: at most one exchange (`current`); the
/// parser never runs ahead of the current request's end; after `close` no callback reaches a
/// delegate.
final class HTTPConnection: IOHandler {
    let fd: Int32
    let loop: EventLoop
    let peer: String
    unowned let context: HTTPServerLoopContext
    let parser: HTTPRequestParser
    let inbound = ByteQueue()
    let outbound = ByteQueue()

    /// The exchange whose request or response is in progress.
    var current: ServerExchange?
    /// Slot in `context.connections` (for O(1) removal).
    var slot = -1
    /// Counted in the server's `connectionCount` (false for connections refused with 503).
    var counted = true

    private(set) var closed = false
    /// The client shut down its sending side (read returned 0).
    var peerClosed = false
    /// Close once the current response is done (draining, errors, client half-close).
    var mustCloseAfterResponse = false
    /// No more requests are parsed; the connection closes when `outbound` is written.
    var closeWhenFlushed = false
    /// When closing, shut down the write side and read until EOF first, so that unread request
    /// bytes do not turn the close into a reset that destroys the response in flight.
    var lingerOnClose = false
    var lingering = false
    private var writeBlocked = false
    private var flushScheduled = false
    var pumpScheduled = false
    var pumping = false
    var inIO = false
    /// Read interest may stay armed while a request is in flight: dropping it and arming it
    /// again cost two `epoll_ctl` per request. Cleared when the socket turns readable while the
    /// parser cannot take bytes (a pipelining or departing client), or when the last read may
    /// have left bytes in the socket; level-triggered epoll would otherwise wake the loop again
    /// and again for bytes nobody reads.
    private var keepReadArmed = true

    // Timeouts (see HTTPConnection+Timeouts.swift).
    var timer: TimerHandle?
    var timerDeadline: UInt64 = 0
    var idleSince: UInt64
    var headStartedAt: UInt64 = 0
    var lastBodyActivity: UInt64 = 0
    var closingSince: UInt64 = 0

    /// Body pieces at least this large are written directly instead of being copied into
    /// `outbound` first.
    static let directWriteThreshold = 16 * 1024

    init(fd: Int32, peer: String, context: HTTPServerLoopContext) {
        self.fd = fd
        self.peer = peer
        self.context = context
        self.loop = context.loop
        self.parser = HTTPRequestParser(limits: .init(context.configuration))
        self.idleSince = context.loop.now
    }

    var configuration: HTTPServerConfiguration { context.configuration }

    var isWritable: Bool { !closed && outbound.count < configuration.writeHighWater }

    // MARK: - IOHandler

    func handleIO(_ events: IOEvents) {
        inIO = true
        defer { inIO = false }
        // EPOLLERR, or EPOLLHUP without EPOLLIN while not reading: both directions are gone
        // (a reset). Level-triggered, so it must be acted on, not left to fire again.
        if events.contains(.error) || (events.contains(.hangup) && !events.contains(.readable) && !wantsToRead) {
            close(notify: true)
            return
        }
        if events.contains(.readable) || events.contains(.hangup) {
            if !lingering && !canParse { keepReadArmed = false }
            if lingering { discardInput() } else { readAndProcess() }
        }
        if !closed && (events.contains(.writable) || !outbound.isEmpty || (closeWhenFlushed && !lingering)) {
            flush()
        }
        if !closed { settle() }
    }

    /// Brings interest and timer in line with the state, after any change.
    func settle() {
        guard !closed else { return }
        var interest: IOInterest = []
        if lingering || wantsToRead {
            interest.insert(.read)
            keepReadArmed = true
        } else if keepReadArmed && !peerClosed && inbound.isEmpty && loop.interest(fd: fd)?.contains(.read) == true {
            interest.insert(.read)
        }
        if writeBlocked { interest.insert(.write) }
        loop.setInterest(fd: fd, interest)
        armTimer()
    }

    /// Whether the parser can take bytes now.
    var canParse: Bool {
        if closed || closeWhenFlushed { return false }
        guard let ex = current else { return true }
        if ex.responseFinished { return true }  // only the end of a body-less request remains
        return ex.wantsRequestEvents
    }

    private var wantsToRead: Bool { !peerClosed && inbound.isEmpty && canParse }

    // MARK: - Reading

    private func readAndProcess() {
        let scratch = context.readScratch
        for _ in 0..<4 {
            guard !closed, !peerClosed, canParse else { return }
            let n: Int
            if inbound.isEmpty {
                n = recv(fd, scratch.baseAddress, scratch.count, 0)
                if n > 0 {
                    let input = UnsafeRawBufferPointer(rebasing: scratch[..<n])
                    let used = process(input)
                    if !closed && used < n { inbound.append(UnsafeRawBufferPointer(rebasing: input[used...])) }
                    if n < scratch.count { return }
                    keepReadArmed = false  // a full buffer: the socket may hold more
                    continue
                }
            } else {
                let room = inbound.writableTail(atLeast: 16 * 1024)
                n = recv(fd, room.baseAddress, room.count, 0)
                if n > 0 {
                    inbound.commit(n)
                    pump()
                    if n < room.count { return }
                    continue
                }
            }
            if n == 0 {
                handleEOF()
                return
            }
            let e = errno
            if e == EAGAIN || e == EWOULDBLOCK { return }
            if e == EINTR { continue }
            close(notify: true)
            return
        }
    }

    /// Reads and drops bytes while lingering; closes at EOF or error.
    private func discardInput() {
        let scratch = context.readScratch
        while true {
            let n = recv(fd, scratch.baseAddress, scratch.count, 0)
            if n > 0 { continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return }
            if n < 0 && errno == EINTR { continue }
            close(notify: false)
            return
        }
    }

    private func handleEOF() {
        peerClosed = true
        if let ex = current, !ex.responseFinished, !ex.requestEnded, ex.requestFraming != .none {
            close(notify: true)  // the body can never complete: the client is gone
            return
        }
        if current == nil && inbound.isEmpty {
            // Idle, or a request cut short before its head: nothing more to answer, but
            // earlier responses may still be on their way out.
            if outbound.isEmpty { close(notify: false) } else { closeAfterFlush(linger: false) }
            return
        }
        // A half-closed client still gets its answers; the connection closes after them.
        mustCloseAfterResponse = true
    }

    // MARK: - Writing

    /// Writes `outbound` after the current batch of work (at once when already inside I/O
    /// handling, which flushes on its way out).
    func scheduleFlush() {
        guard !inIO else { return }
        deferFlush()
    }

    private func deferFlush() {
        guard !flushScheduled, !closed else { return }
        flushScheduled = true
        loop.deferToEndOfTick { [self] in
            flushScheduled = false
            guard !closed else { return }
            flush()
            settle()
        }
    }

    /// Sends what `outbound` holds until it is empty or the socket is full.
    func flush() {
        var rounds = 0
        while !closed && !outbound.isEmpty && rounds < 16 {
            rounds += 1
            let r = outbound.readable
            let n = send(fd, r.baseAddress, r.count, Int32(MSG_NOSIGNAL))
            if n > 0 {
                outbound.consume(n)
                writeBlocked = false
                notifyWritableIfDrained()
                continue
            }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                writeBlocked = true
                return
            }
            close(notify: true)
            return
        }
        guard !closed else { return }
        guard outbound.isEmpty else {
            if !writeBlocked { deferFlush() }  // gave other connections a turn; go on later
            return
        }
        writeBlocked = false
        outbound.shrinkIfEmpty(above: 256 * 1024)
        notifyWritableIfDrained()
        if closeWhenFlushed && !lingering { finishClosing() }
    }

    private func notifyWritableIfDrained() {
        guard let ex = current, ex.wantsWritable, outbound.count < configuration.writeLowWater else { return }
        ex.wantsWritable = false
        ex.delegate?.exchangeBecameWritable(ex)
    }

    /// Queues (or writes at once, when large and the socket is not known to be full) one
    /// piece of response body, with chunk framing when asked.
    func writeBody(_ bytes: UnsafeRawBufferPointer, chunked: Bool) {
        guard !closed, bytes.count > 0 else { return }
        guard bytes.count >= Self.directWriteThreshold, !writeBlocked else {
            if chunked {
                HTTPResponseSerializer.writeChunk(bytes, into: outbound)
            } else {
                outbound.append(bytes)
            }
            scheduleFlush()
            return
        }
        if chunked { HTTPResponseSerializer.writeChunkHeader(bytes.count, into: outbound) }
        let written = sendVectored(outbound.readable, bytes)
        let fromQueue = min(written, outbound.count)
        outbound.consume(fromQueue)
        let fromBytes = written - fromQueue
        if fromBytes < bytes.count { outbound.append(UnsafeRawBufferPointer(rebasing: bytes[fromBytes...])) }
        if chunked { outbound.append("\r\n" as StaticString) }
        if writeBlocked {
            if !inIO { settle() }  // EPOLLOUT will drive the rest
        } else if !outbound.isEmpty {
            scheduleFlush()
        }
    }

    /// `sendmsg` of two buffers with MSG_NOSIGNAL; returns bytes written (0 when the socket is
    /// full or failed: a failure is left for the next `flush` to detect and handle).
    private func sendVectored(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        var iov = (
            iovec(iov_base: UnsafeMutableRawPointer(mutating: a.baseAddress), iov_len: a.count),
            iovec(iov_base: UnsafeMutableRawPointer(mutating: b.baseAddress), iov_len: b.count)
        )
        let n = withUnsafeMutableBytes(of: &iov) { raw -> Int in
            var msg = msghdr()
            let vectors = raw.baseAddress!.assumingMemoryBound(to: iovec.self)
            msg.msg_iov = a.count > 0 ? vectors : vectors + 1
            msg.msg_iovlen = a.count > 0 ? 2 : 1
            while true {
                let n = sendmsg(fd, &msg, Int32(MSG_NOSIGNAL))
                if n < 0 && errno == EINTR { continue }
                return n
            }
        }
        if n >= 0 { return n }
        if errno == EAGAIN || errno == EWOULDBLOCK { writeBlocked = true }
        return 0
    }

    // MARK: - Closing

    /// Server drain: close now when idle, otherwise after the current response.
    ///
    /// "Idle" includes the socket: a keep-alive client often sends its next request right after
    /// reading a response, and that request may be waiting in the kernel, unread, when the drain
    /// begins. Closing then would reset it unanswered, so such a connection stays open, its
    /// request is read on the next loop turn and answered with `Connection: close`.
    func beginDrain() {
        mustCloseAfterResponse = true
        if current == nil && !parser.isMidMessage && inbound.isEmpty && !closeWhenFlushed && !hasUnreadInput {
            close(notify: false)
        }
    }

    /// Whether bytes are waiting in the socket (peeked, not consumed; never blocks).
    private var hasUnreadInput: Bool {
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) > 0
    }

    /// Stops parsing and closes once `outbound` is written (lingering first when asked).
    func closeAfterFlush(linger: Bool) {
        if !closeWhenFlushed { closingSince = loop.now }
        closeWhenFlushed = true
        lingerOnClose = lingerOnClose || linger
        if outbound.isEmpty && !inIO {
            finishClosing()
        } else {
            scheduleFlush()
        }
    }

    /// Everything is written: close, or linger first.
    private func finishClosing() {
        guard !closed else { return }
        if lingerOnClose && !peerClosed {
            shutdown(fd, Int32(SHUT_WR))
            lingering = true
            closingSince = loop.now
            // The responder is done with this connection; nothing more reaches it.
            detachCurrent(notify: false)
            settle()
        } else {
            close(notify: false)
        }
    }

    /// Closes the socket now. With `notify`, an unfinished exchange's delegate hears
    /// `exchangeDidClose` (once: the exchange is detached first).
    func close(notify: Bool) {
        guard !closed else { return }
        closed = true
        if let t = timer {
            loop.cancel(t)
            timer = nil
        }
        loop.unregister(fd: fd)
        Glibc.close(fd)
        detachCurrent(notify: notify)
        context.connectionClosed(self)
    }

    func detachCurrent(notify: Bool) {
        guard let ex = current else { return }
        current = nil
        let delegate = ex.detach()
        if notify, let delegate { delegate.exchangeDidClose(ex) }
    }
}
