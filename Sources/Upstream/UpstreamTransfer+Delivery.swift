import HTTPTypes

/// The delegate side shared by both engines: delivering the head and body bytes, and handing
/// out request-body bytes. The curl callbacks (`UpstreamTransfer+Curl`) and the native exchange
/// (`NativeExchange`) call these and differ only in how they move bytes on the wire.
extension UpstreamTransfer {
    /// What became of body bytes offered to the delegate.
    enum BodyOffer {
        /// Taken (counted in `responseBodyBytes`).
        case accepted
        /// Refused: the transfer is now receive-paused; offer the same bytes again after resume.
        case refused
        /// The transfer stopped (cancelled or failed from inside the callback).
        case stopped
    }

    /// Hands the final response head to the delegate, once.
    func deliverHead(_ head: HTTPResponseHead, version: String?) {
        headDelivered = true
        headReceivedAt = loop.now
        responseHTTPVersion = version
        // A response has started: the request will not be resent, so sent bytes can go.
        body?.releaseSent()
        delegate?.upstreamTransfer(self, didReceiveHead: head)
    }

    /// Offers response body bytes to the delegate (the head was delivered).
    func offerBody(_ bytes: UnsafeRawBufferPointer) -> BodyOffer {
        lastActivity = loop.now
        resumeRequested = false
        guard let delegate else { return .accepted }
        let accepted = delegate.upstreamTransfer(self, didReceiveBody: bytes)
        guard phase == .running else { return .stopped }
        guard accepted else {
            receivePaused = true
            return .refused
        }
        responseBodyBytes += bytes.count
        return .accepted
    }

    /// Copies up to `capacity` request-body bytes to `destination` (0 when the buffer is dry),
    /// telling the producer to push more once the buffer drains below the low-water mark.
    func takeBody(into destination: UnsafeMutableRawPointer, capacity: Int) -> Int {
        guard body != nil else { return 0 }
        let n = body!.read(into: destination, capacity: capacity)
        if moreBodyArmed && body!.unsent < lowWater && !body!.isEnded {
            moreBodyArmed = false
            scheduleMoreBodyNotice()
        }
        if n > 0 { lastActivity = loop.now }
        return n
    }
}
