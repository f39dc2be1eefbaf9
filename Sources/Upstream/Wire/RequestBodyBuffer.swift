/// The request body on its way to libcurl: the bytes the producer pushed that curl has not taken
/// yet, plus, for a while, the bytes it has taken.
///
/// Why keep sent bytes: curl may have to send the request again, from the start, on a fresh
/// connection, when a pooled connection turns out to be dead or an HTTP/2 stream is refused
/// (GOAWAY). It then asks to rewind (CURLOPT_SEEKFUNCTION). Sent bytes are therefore kept until
/// the response starts (`releaseSent()`: no resend can happen after that) or until more than
/// `retainLimit` bytes have been sent; after that a rewind is refused and curl reports the
/// transfer as failed instead of sending a corrupt body.
///
/// Positions are absolute offsets into the body. Invariants: `base <= readPosition <= appended`;
/// `storage` holds body bytes `base..<appended`; with a declared length, `appended <= length`.
/// Value type, no I/O; owned by one transfer.
struct RequestBodyBuffer {
    /// The Content-Length the request declares, or nil when it is sent chunked.
    let declaredLength: Int?
    private var storage: [UInt8]
    private var base = 0
    private var retainLimit: Int
    /// Bytes handed to curl so far (after a rewind: since the rewind).
    private(set) var readPosition = 0
    /// Bytes pushed by the producer so far.
    private(set) var appended: Int
    /// The producer said there is no more (`endBody`), or the body was whole from the start.
    private(set) var isEnded: Bool

    /// A body known in full up front. It is never trimmed: the caller's array is shared, not copied.
    init(bytes: [UInt8]) {
        declaredLength = bytes.count
        storage = bytes
        appended = bytes.count
        isEnded = true
        retainLimit = Int.max
    }

    /// A body pushed piece by piece, of `length` bytes or (nil) of unknown length.
    init(streamedLength length: Int?, retainLimit: Int) {
        declaredLength = length
        storage = []
        appended = 0
        isEnded = length == 0
        self.retainLimit = retainLimit
    }

    /// Bytes pushed but not yet handed to curl (what the producer's backpressure looks at).
    var unsent: Int { appended - readPosition }

    /// Appends `bytes`. Returns false, appending nothing, when that would pass the declared length
    /// or the body has already ended.
    mutating func append(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard !isEnded else { return bytes.isEmpty }
        if let limit = declaredLength, appended + bytes.count > limit { return false }
        storage.append(contentsOf: bytes)
        appended += bytes.count
        if let limit = declaredLength, appended == limit { isEnded = true }
        return true
    }

    /// Marks the end of the body. Returns false when fewer bytes than declared were pushed.
    mutating func end() -> Bool {
        if let limit = declaredLength, appended != limit { return false }
        isEnded = true
        return true
    }

    /// Copies up to `capacity` unsent bytes to `destination`; returns how many.
    mutating func read(into destination: UnsafeMutableRawPointer, capacity: Int) -> Int {
        let n = min(capacity, unsent)
        guard n > 0 else { return 0 }
        let from = readPosition - base
        storage.withUnsafeBytes { src in
            destination.copyMemory(from: src.baseAddress! + from, byteCount: n)
        }
        readPosition += n
        if readPosition > retainLimit { trimSent(force: false) }
        return n
    }

    /// Moves the read position back to `offset`. False when those bytes were already released.
    mutating func rewind(to offset: Int) -> Bool {
        guard offset >= base, offset <= appended else { return false }
        readPosition = offset
        return true
    }

    /// Stops keeping sent bytes: the response has started, so curl will not resend the request.
    mutating func releaseSent() {
        guard retainLimit != Int.max || base != 0 else { return }
        retainLimit = 0
        trimSent(force: true)
    }

    /// Drops sent bytes, in amortised O(1): only once they are at least half of the storage.
    private mutating func trimSent(force: Bool) {
        let sent = readPosition - base
        guard sent > 0 else { return }
        if sent == storage.count {
            storage.removeAll(keepingCapacity: true)
        } else if force || sent >= storage.count / 2 {
            storage.removeFirst(sent)
        } else {
            return
        }
        base = readPosition
        retainLimit = 0
    }
}
