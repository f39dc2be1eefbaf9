@preconcurrency import Glibc
import EventLoop
import HTTPTypes

/// One request/response on a native connection: the native engine's counterpart of a curl easy
/// handle. It writes the request (head, then the body as the transfer's buffer supplies it,
/// framed by `RequestWriter`), reads the response through `ResponseDecoder`, and hands events to
/// its `UpstreamTransfer`, whose shared code talks to the delegate (`deliverHead`, `offerBody`,
/// `takeBody`) and owns pausing, cancelling and finishing.
///
/// Failures go through `transfer.abort` (the delegate hears them at the end of the tick); a
/// complete response finishes the transfer through `UpstreamClient.complete` as the last thing
/// an I/O event does, after the connection is back in the pool.
///
/// Never resends a request that may have reached upstream and changed something (a create is
/// paid for): a reused connection that fails before a single byte of the request was written,
/// or — for `GET` and `HEAD`, which change nothing — that upstream closes or resets before a
/// single byte of the answer (the race of reusing a connection upstream is closing as idle),
/// is tried once more on a new connection. Anything else fails the transfer (`.closed` before
/// a response).
///
/// Threading: loop-bound, owned by its transfer; every member is used on the loop thread.
/// Invariant: `connection`, when set, is `.active` (or `.connecting`, until `connected`) and
/// belongs to this exchange alone.
final class NativeExchange {
    unowned let transfer: UpstreamTransfer
    let pool: NativePool
    private let requestHead: [UInt8]
    private let chunkedBody: Bool
    private var decoder: ResponseDecoder
    private var connection: NativeConnection?
    /// Bytes to write: the head and framed body pieces; `outputSent` of them are written.
    private var output: [UInt8] = []
    private var outputSent = 0
    /// Request bytes written on the current connection.
    private var bytesWritten = 0
    /// The whole request, last chunk included, is in `output` (it may not all be written yet).
    private var requestQueued = false
    private var retried = false
    /// Upstream stopped taking the request (a send failed): nothing more is written, and the
    /// read side decides how the exchange ends (an early answer, or the end of the connection).
    private var writeClosed = false
    private var totalTimer: TimerHandle?

    /// Largest body piece moved into `output` at once.
    private static let bodySlice = 64 * 1024

    init(transfer: UpstreamTransfer, pool: NativePool, requestHead: [UInt8], chunkedBody: Bool) {
        self.transfer = transfer
        self.pool = pool
        self.requestHead = requestHead
        self.chunkedBody = chunkedBody
        decoder = ResponseDecoder(isHeadRequest: transfer.request.method == .head)
    }

    // MARK: - Life cycle (called by the client)

    /// Takes an idle connection or opens one; arms the total timeout.
    func begin() {
        if let timeout = transfer.request.timeout {
            totalTimer = transfer.loop.schedule(after: timeout) { [weak self] in
                guard let self else { return }
                self.totalTimer = nil
                let ms = timeout.nanosecondsClamped / 1_000_000
                self.transfer.abort(with: UpstreamError(kind: .timeout, message: "transfer took longer than \(ms) ms"))
            }
        }
        if let idle = pool.checkout() {
            attach(idle)
        } else {
            connection = pool.connect(for: self)
        }
    }

    /// The transfer finished (`clean`: its response arrived whole): lets go of the connection,
    /// pooling it only when it may carry another request.
    func end(clean: Bool) {
        if let totalTimer { transfer.loop.cancel(totalTimer) }
        totalTimer = nil
        guard let connection else { return }
        self.connection = nil
        if connection.state == .connecting {
            pool.abandonConnect(of: connection)
            return
        }
        let reusable = clean && decoder.isComplete && decoder.keepAlive && requestQueued && !writeClosed
            && outputSent == output.count && !connection.hasUnreadBytes
        if reusable {
            connection.requestsServed += 1
            pool.checkin(connection)
        } else {
            connection.close()
        }
    }

    // MARK: - Connecting

    func connected(_ connection: NativeConnection) {
        guard transfer.phase == .running else {
            connection.close()
            return
        }
        attach(connection)
    }

    func connectFailed(_ error: UpstreamError) {
        connection = nil
        transfer.abort(with: error)
    }

    private func attach(_ connection: NativeConnection) {
        self.connection = connection
        connection.exchange = self
        output = requestHead
        outputSent = 0
        bytesWritten = 0
        requestQueued = false
        queueBody()
        flush()
    }

    // MARK: - Writing

    /// Moves body bytes from the transfer's buffer into `output`, framed; marks the request
    /// queued once the body ended and all of it is taken.
    private func queueBody() {
        guard !requestQueued else { return }
        guard transfer.body != nil, transfer.request.method != .head else {
            requestQueued = true
            return
        }
        let available = min(transfer.body!.unsent, Self.bodySlice)
        if available > 0 {
            let start = output.count
            if chunkedBody { RequestWriter.appendChunkStart(available, to: &output) }
            let headerBytes = output.count - start
            output.append(contentsOf: repeatElement(0, count: available))
            let taken = output.withUnsafeMutableBytes { raw in
                transfer.takeBody(into: raw.baseAddress! + start + headerBytes, capacity: available)
            }
            precondition(taken == available, "body buffer gave fewer bytes than it had")
            if chunkedBody { output.append(contentsOf: RequestWriter.chunkEnd) }
        }
        if transfer.body!.isEnded && transfer.body!.unsent == 0 {
            if chunkedBody { output.append(contentsOf: RequestWriter.lastChunk) }
            requestQueued = true
        }
    }

    /// Writes what is queued, refilling from the body until the socket is full, the body has
    /// nothing more for now (the send side pauses) or the request is out.
    private func flush() {
        guard let connection, transfer.phase == .running, !writeClosed else { return }
        while true {
            if outputSent == output.count {
                output.removeAll(keepingCapacity: true)
                outputSent = 0
                queueBody()
                if output.isEmpty {
                    if !requestQueued { transfer.sendPaused = true }
                    break
                }
            }
            let n = output.withUnsafeBytes { raw in
                // MSG_NOSIGNAL: a peer that went away is an error to report, not a SIGPIPE.
                send(connection.fd, raw.baseAddress! + outputSent, raw.count - outputSent, Int32(MSG_NOSIGNAL))
            }
            if n > 0 {
                outputSent += n
                bytesWritten += n
                transfer.lastActivity = transfer.loop.now
                continue
            }
            let e = errno
            if n < 0 && (e == EAGAIN || e == EWOULDBLOCK) { break }
            if n < 0 && e == EINTR { continue }
            writeFailed(e)
            return
        }
        updateInterest()
    }

    private func writeFailed(_ code: Int32) {
        guard let connection else { return }
        if bytesWritten == 0 && connection.isReused && !retried && transfer.body?.rewind(to: 0) != false {
            // Upstream had closed this pooled connection: nothing of the request reached it.
            retried = true
            connection.close()
            self.connection = pool.connect(for: self)
            return
        }
        // Upstream may have answered before it stopped reading (a 401 or 413 to a large
        // create) and then closed or reset the connection: that answer is the caller's. Stop
        // writing and read; the answer, or the end of the connection (reported at once, since
        // it is closed), decides — `inputEnded` fails the transfer when no answer came.
        writeClosed = true
        output.removeAll()
        outputSent = 0
        updateInterest()
    }

    private func updateInterest() {
        guard let connection else { return }
        var interest: IOInterest = []
        if !transfer.receivePaused { interest.insert(.read) }
        if outputSent < output.count && !writeClosed { interest.insert(.write) }
        connection.setInterest(interest)
    }

    // MARK: - Reading

    /// The loop saw `events` on the connection.
    func connectionReady(_ events: IOEvents) {
        guard transfer.phase == .running, let connection else { return }
        if events.contains(.writable) || events.contains(.error) { flush() }
        guard transfer.phase == .running, !transfer.receivePaused else {
            if !events.isDisjoint(with: [.hangup, .error]) && transfer.receivePaused {
                // Paused with a dead peer: epoll reports a hang-up whatever the interest, so stop
                // watching until the delegate resumes; the end is read then.
                connection.suspendWatch()
            }
            return
        }
        readAndDeliver()
    }

    /// Resumes what the delegate or the producer allows again (from `applyPauseState`).
    func applyPauseState() {
        guard transfer.phase == .running, connection != nil, let change = transfer.takePauseChange() else { return }
        if change.resumeSend { flush() }
        if change.resumeReceive && transfer.phase == .running { readAndDeliver() }
    }

    /// Delivers held bytes, then reads until the socket is dry, the delegate pauses, or the
    /// response ends. Completing the transfer is the last thing it does.
    private func readAndDeliver() {
        guard let connection else { return }
        var reads = 0
        while transfer.phase == .running {
            switch deliver(connection) {
            case .stop:
                updateInterest()
                return
            case .complete:
                // `complete` pools the connection before the delegate hears of it.
                transfer.client?.complete(transfer, error: nil)
                return
            case .needMore:
                break
            }
            if reads == 4 { break }  // fair to other sockets; level-triggered epoll calls back
            reads += 1
            let n = connection.readMore()
            if n > 0 {
                transfer.lastActivity = transfer.loop.now
                continue
            }
            if n == -Int(EAGAIN) || n == -Int(EWOULDBLOCK) || n == -Int(EINTR) { break }
            inputEnded(errorCode: n == 0 ? nil : Int32(-n))
            return
        }
        updateInterest()
    }

    private enum DeliveryOutcome {
        case needMore
        case stop
        case complete
    }

    /// Runs the decoder over the connection's unread bytes.
    private func deliver(_ connection: NativeConnection) -> DeliveryOutcome {
        while true {
            let (event, used) = decoder.next(connection.unread)
            connection.readStart += used
            switch event {
            case .needMore:
                return .needMore
            case .head(let head, let version):
                transfer.deliverHead(head, version: version)
                guard transfer.phase == .running else { return .stop }
            case .body(let n):
                let bytes = UnsafeRawBufferPointer(rebasing: connection.unread.prefix(n))
                switch transfer.offerBody(bytes) {
                case .accepted:
                    decoder.bodyTaken(n)
                    connection.readStart += n
                case .refused, .stopped:
                    return .stop
                }
            case .end:
                return .complete
            case .invalid(let reason):
                transfer.abort(with: UpstreamError(kind: .protocolError, message: reason))
                return .stop
            }
        }
    }

    /// Methods that change nothing upstream: sent again when a reused connection turns out to
    /// have been closed before answering.
    static func isResendable(_ method: HTTPMethod) -> Bool { method == .get || method == .head }

    /// Upstream closed the connection (`errorCode` nil) or reset it.
    private func inputEnded(errorCode: Int32?) {
        if errorCode == nil && decoder.endOfInput() {
            // A close-delimited body: done (`end` closes the spent connection).
            transfer.client?.complete(transfer, error: nil)
            return
        }
        if !decoder.sawResponseBytes, let connection, connection.isReused, !retried,
            Self.isResendable(transfer.request.method), transfer.body?.rewind(to: 0) != false
        {
            // A pooled connection upstream was closing as idle when the request went out: a read
            // changes nothing upstream, so it is sent again, once, on a new connection.
            retried = true
            connection.close()
            self.connection = pool.connect(for: self)
            return
        }
        let how = errorCode.map { "reset the connection (\(NativePool.describe($0)))" } ?? "closed the connection"
        if !decoder.sawResponseBytes {
            transfer.abort(with: UpstreamError(kind: .closed, message: "upstream \(how) before answering"))
        } else {
            let part = decoder.headComplete ? "mid-body" : "mid-head"
            transfer.abort(with: UpstreamError(kind: .protocolError, message: "upstream \(how) \(part)"))
        }
    }
}

@available(*, unavailable)
extension NativeExchange: Sendable {}
