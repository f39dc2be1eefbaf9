import HTTPTypes
import Upstream

/// One webhook POST: sends the request and reports the receiver's status, discarding whatever
/// body it answers with (only the status matters, and a receiver must not make Reprise buffer
/// anything). Threading: loop-bound; the completion runs once, on the transfer's loop.
final class WebhookPost: UpstreamTransferDelegate {
    enum Outcome {
        /// The receiver answered with this status (redirects are not followed: a 3xx is final).
        case answered(Int)
        case failed(UpstreamError)
    }

    private var status: Int?
    private var completion: ((Outcome) -> Void)?
    private var transfer: UpstreamTransfer?

    private init(completion: @escaping (Outcome) -> Void) {
        self.completion = completion
    }

    @discardableResult
    static func start(_ request: UpstreamRequest, on client: UpstreamClient, completion: @escaping (Outcome) -> Void)
        -> WebhookPost
    {
        let post = WebhookPost(completion: completion)
        post.transfer = client.start(request, delegate: post)
        return post
    }

    func upstreamTransfer(_ transfer: UpstreamTransfer, didReceiveHead head: HTTPResponseHead) {
        status = head.status
    }

    func upstreamTransfer(_ transfer: UpstreamTransfer, didReceiveBody bytes: UnsafeRawBufferPointer) -> Bool {
        true
    }

    func upstreamTransfer(_ transfer: UpstreamTransfer, didFinishWith error: UpstreamError?) {
        guard let completion else { return }
        self.completion = nil
        self.transfer = nil
        // A status that arrived counts even if the receiver then broke off its body.
        if let status {
            completion(.answered(status))
        } else {
            completion(.failed(error ?? UpstreamError(kind: .protocolError, message: "no response head")))
        }
    }
}
