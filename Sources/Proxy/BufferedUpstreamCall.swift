import HTTPTypes
import Upstream

/// An upstream request whose whole answer is wanted before anything goes to the client: the
/// prediction routes (create, get, cancel), whose answers the cache must read and reshape, and
/// Reprise's own calls (token checks, background polls).
///
/// Answers larger than `maxBodyBytes` fail with a protocol error rather than growing memory
/// without bound (a prediction with inline `data:` outputs is hundreds of kB; 64 MiB is far
/// beyond any real one). Threading: loop-bound; the completion runs on the transfer's loop,
/// exactly once.
final class BufferedUpstreamCall: UpstreamTransferDelegate {
    typealias Completion = (Result<(head: HTTPResponseHead, body: [UInt8], upstreamNanos: UInt64), UpstreamError>) -> Void

    private var head: HTTPResponseHead?
    private var body: [UInt8] = []
    private let maxBodyBytes: Int
    private var completion: Completion?
    private var overflowed = false
    /// Nanoseconds from start to the response head (for the upstream latency histogram).
    private(set) var headLatencyNanos: UInt64 = 0
    private var transfer: UpstreamTransfer?

    private init(maxBodyBytes: Int, completion: @escaping Completion) {
        self.maxBodyBytes = maxBodyBytes
        self.completion = completion
    }

    /// Starts `request` on `client`; `completion` gets the whole answer or the failure.
    @discardableResult
    static func start(
        _ request: UpstreamRequest, on client: UpstreamClient, maxBodyBytes: Int = 64 << 20,
        completion: @escaping Completion
    ) -> BufferedUpstreamCall {
        let call = BufferedUpstreamCall(maxBodyBytes: maxBodyBytes, completion: completion)
        call.transfer = client.start(request, delegate: call)
        return call
    }

    func upstreamTransfer(_ transfer: UpstreamTransfer, didReceiveHead head: HTTPResponseHead) {
        self.head = head
        headLatencyNanos = (transfer.headReceivedAt ?? transfer.startedAt) &- transfer.startedAt
    }

    func upstreamTransfer(_ transfer: UpstreamTransfer, didReceiveBody bytes: UnsafeRawBufferPointer) -> Bool {
        guard !overflowed else { return true }
        if body.count + bytes.count > maxBodyBytes {
            overflowed = true
            transfer.cancel()
            return true
        }
        body.append(contentsOf: bytes)
        return true
    }

    func upstreamTransfer(_ transfer: UpstreamTransfer, didFinishWith error: UpstreamError?) {
        guard let completion else { return }
        self.completion = nil
        self.transfer = nil
        if overflowed {
            completion(.failure(UpstreamError(kind: .protocolError, message: "answer larger than \(maxBodyBytes) bytes")))
        } else if let error {
            completion(.failure(error))
        } else if let head {
            completion(.success((head, body, headLatencyNanos)))
        } else {
            completion(.failure(UpstreamError(kind: .protocolError, message: "no response head")))
        }
    }
}
