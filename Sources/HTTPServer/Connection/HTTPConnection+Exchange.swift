import EventLoop
import HTTPTypes

// Parsing and the life of the current exchange.
extension HTTPConnection {
    /// Parses `input` as far as the state allows and delivers the events; returns the bytes
    /// consumed. Stops at the end of a request whose response is not finished, and while the
    /// current exchange has no delegate or paused its body.
    func process(_ input: UnsafeRawBufferPointer) -> Int {
        pumping = true
        defer { pumping = false }
        var offset = 0
        while offset < input.count && canParse {
            let startsRequest = current == nil && !parser.isMidMessage
            let step: (consumed: Int, event: HTTPRequestParseEvent?)
            do {
                step = try parser.parse(UnsafeRawBufferPointer(rebasing: input[offset...]))
            } catch {
                reject(error)
                return input.count
            }
            offset += step.consumed
            if startsRequest && parser.isMidMessage { headStartedAt = loop.now }
            if let event = step.event {
                deliver(event)
            } else if step.consumed == 0 {
                break
            }
        }
        sendContinueIfWanted()
        return offset
    }

    /// Parses what `inbound` holds (after a state change let the parser go on).
    func pump() {
        guard !pumping, !closed else { return }
        let used = process(inbound.readable)
        if !closed { inbound.consume(min(used, inbound.count)) }
        finishIfHalfClosed()
    }

    /// Runs `pump` after the current batch of work; inside a running pump the loop in
    /// `process` re-checks the state itself, so nothing is scheduled.
    func schedulePump() {
        guard !pumping, !pumpScheduled, !closed else { return }
        pumpScheduled = true
        loop.deferToEndOfTick { [self] in
            pumpScheduled = false
            guard !closed else { return }
            pump()
            if !closed {
                flush()
                settle()
            }
        }
    }

    /// The exchange's delegate, pause state or response changed.
    func exchangeStateChanged() {
        if let ex = current, ex.wantsRequestEvents { lastBodyActivity = loop.now }
        schedulePump()
        if !pumping && !inIO { settle() }
    }

    private func deliver(_ event: HTTPRequestParseEvent) {
        switch event {
        case .head(let head, let framing):
            let ex = ServerExchange(head: head, framing: framing, connection: self)
            current = ex
            lastBodyActivity = loop.now
            context.responder.handle(ex)
        case .body(let bytes):
            guard let ex = current, !ex.responseFinished else { return }
            lastBodyActivity = loop.now
            ex.delegate?.exchange(ex, didReceiveBody: bytes)
        case .end:
            guard let ex = current else { return }
            ex.requestEnded = true
            if ex.responseFinished {
                completeExchange(ex)
            } else {
                ex.delegate?.exchangeDidEndRequestBody(ex)
            }
        }
    }

    private func sendContinueIfWanted() {
        guard let ex = current, ex.awaitsContinue, ex.wantsRequestEvents, !ex.headSent, !closeWhenFlushed else {
            return
        }
        ex.awaitsContinue = false
        outbound.append(HTTPResponseSerializer.continueLine)
        scheduleFlush()
    }

    /// After the client half-closed: once nothing is left to answer, close.
    private func finishIfHalfClosed() {
        guard peerClosed, !closed, !closeWhenFlushed, current == nil, inbound.isEmpty else { return }
        if parser.isMidMessage {
            close(notify: false)
        } else {
            closeAfterFlush(linger: false)
        }
    }

    private func completeExchange(_ ex: ServerExchange) {
        current = nil
        _ = ex.detach()
        idleSince = loop.now
    }

    // MARK: - Called by ServerExchange

    func exchangeFinished(_ ex: ServerExchange) {
        guard ex === current else { return }
        idleSince = loop.now
        let bodyLeft = !ex.requestEnded && ex.requestFraming != .none
        if ex.plan.closes || ex.framingBroken || mustCloseAfterResponse || bodyLeft {
            // Never parse the rest of an unread body as a new request.
            closeAfterFlush(linger: bodyLeft || !inbound.isEmpty)
        } else if ex.requestEnded {
            completeExchange(ex)
            schedulePump()
        } else {
            schedulePump()  // a body-less request: the parser still has to pass its end
        }
        scheduleFlush()
        if !pumping && !inIO { settle() }
    }

    func exchangeAborted(_ ex: ServerExchange) {
        guard ex === current else { return }
        flush()
        close(notify: false)
    }

    // MARK: - Answers of the server's own

    /// Answers a request the parser rejected, then closes.
    func reject(_ error: HTTPRequestParseError) {
        if error.kind == .malformed, context.logger.isEnabled(.debug) {
            context.logger.debug(
                "rejected malformed request", ["peer": .string(peer), "detail": .string(error.detail)])
        }
        respondWithProblem(ProblemDetails(status: error.status, title: error.title, detail: error.detail))
    }

    /// Writes `problem` with `Connection: close` and closes after it. An exchange in progress
    /// is cut off (its delegate hears `exchangeDidClose`); when its head already went out,
    /// no answer is possible and the connection just closes.
    func respondWithProblem(_ problem: ProblemDetails, extraHeaders: HTTPHeaders = HTTPHeaders()) {
        guard !closed else { return }
        if let ex = current, ex.headSent {
            close(notify: true)
            return
        }
        let body = problem.jsonBytes()
        var headers = ProblemDetails.headers(length: body.count)
        for f in extraHeaders { headers.add(f.name, f.value) }
        let head = HTTPResponseHead(status: problem.status, headers: headers)
        HTTPResponseSerializer.writeHead(
            head, plan: .init(framing: .length(body.count), closes: true), http10Client: false, into: outbound)
        body.withUnsafeBytes { outbound.append($0) }
        detachCurrent(notify: true)
        closeAfterFlush(linger: true)
    }
}
