import HTTPTypes

/// A request to send upstream. Value type; `Sendable`.
public struct UpstreamRequest: Sendable {
    /// How the request body is supplied.
    public enum Body: Sendable {
        /// No body.
        case none
        /// The whole body, known up front (sent with Content-Length).
        case bytes([UInt8])
        /// Pushed piece by piece with `UpstreamTransfer.appendBody` and `endBody`; `length` is
        /// the declared Content-Length, or nil to send chunked.
        case streamed(length: Int?)
    }

    public var method: HTTPMethod
    /// Absolute URL (scheme, host, path, query).
    public var url: String
    /// Headers to send as given (the caller strips hop-by-hop fields). The engine adds `Host`
    /// from the URL unless one is given; framing headers are the engine's business.
    public var headers: HTTPHeaders
    public var body: Body
    /// Longest time the whole transfer may take (connect to last byte); past it the transfer
    /// fails with `.timeout`. nil: only the client's connect and idle timeouts apply.
    public var timeout: Duration?
    /// Judges every address curl is about to connect to, after DNS resolution: return false to
    /// refuse it (curl then tries the host's other addresses). When every address is refused the
    /// transfer fails with kind `.refused`. A filtered request always opens a connection of its
    /// own and never leaves it in the pool, so no request skips its filter by reusing a
    /// connection that was opened without it (or under a different one). A filtered request
    /// always goes through curl, never the native engine. Runs on the loop thread.
    public var addressFilter: (@Sendable (UpstreamPeerAddress) -> Bool)?

    public init(method: HTTPMethod, url: String, headers: HTTPHeaders = HTTPHeaders(), body: Body = .none) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// Why an upstream transfer failed. `kind` is a bounded set, safe as a metric label.
public struct UpstreamError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// DNS failure or connection refused: no connection was made.
        case connect
        /// A connection was made, and upstream closed or reset it before any response head.
        case closed
        /// Connect, idle or total timeout.
        case timeout
        /// TLS handshake or certificate failure.
        case tls
        /// Malformed response or a transfer that broke off mid-body.
        case protocolError = "protocol"
        /// Cancelled by Reprise (client left, shutdown).
        case canceled
        /// The request's `addressFilter` refused every address its host resolved to.
        case refused
        /// Anything else curl reported.
        case other
    }

    public let kind: Kind
    /// The engine's message, for logs (contains no request data).
    public let message: String

    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "\(kind.rawValue): \(message)" }
}

/// Receives the events of one upstream transfer, on the transfer's loop.
public protocol UpstreamTransferDelegate: AnyObject {
    /// The final response head (1xx interim responses are not reported).
    func upstreamTransfer(_ transfer: UpstreamTransfer, didReceiveHead head: HTTPResponseHead)
    /// Response body bytes as they arrive. Return false to pause: the bytes are then NOT consumed
    /// and will be delivered again after `resumeResponse()`. Valid only during the call.
    func upstreamTransfer(_ transfer: UpstreamTransfer, didReceiveBody bytes: UnsafeRawBufferPointer) -> Bool
    /// The streamed request body was sent down to its low-water mark: push more.
    func upstreamTransferWantsMoreBody(_ transfer: UpstreamTransfer)
    /// The transfer is over: `error` is nil when the whole response arrived. Called exactly once,
    /// also after `cancel()` (with kind `.canceled`).
    func upstreamTransfer(_ transfer: UpstreamTransfer, didFinishWith error: UpstreamError?)
}

extension UpstreamTransferDelegate {
    public func upstreamTransferWantsMoreBody(_ transfer: UpstreamTransfer) {}
}

/// Timeouts and connection policy of the upstream client. Defaults stated here only.
public struct UpstreamClientConfiguration: Sendable, Equatable {
    /// Time to establish a connection (TCP + TLS).
    public var connectTimeout: Duration = .seconds(10)
    /// Longest time with no byte moving in either direction before the transfer fails. Streams
    /// with keep-alive comments stay open; a stalled upstream does not hold a client forever.
    public var idleTimeout: Duration = .seconds(120)
    /// Connections kept open for reuse, per loop.
    public var maxIdleConnections: Int = 64
    /// Offer HTTP/2 over TLS (ALPN) and use it when the upstream agrees.
    public var allowHTTP2: Bool = true
    /// Request-body bytes buffered before the producer is paused.
    public var bodyHighWater: Int = 256 * 1024
    /// PEM file of CA certificates that upstream certificates must chain to; nil uses the system
    /// bundle. Verification itself is never switched off.
    public var caFile: String? = nil
    /// `http://host[:port]` of the one origin the native HTTP/1.1 engine serves (Reprise sets
    /// `upstream.url`'s origin when `upstream.client` is `native`); nil: curl for everything.
    /// Requests to exactly this origin without an `addressFilter` go native. Served for now:
    /// `http://` with an IP address literal host; any other origin is logged and left to curl.
    public var nativeOrigin: String? = nil

    public init() {}
}
