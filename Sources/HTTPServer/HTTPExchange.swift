import EventLoop
import HTTPTypes

/// One request and its response on a client connection: what the proxy logic talks to.
///
/// It is a protocol so that request flows can be driven in unit tests by an in-memory exchange
/// with no socket (the server's own implementation is `ServerExchange`).
///
/// Threading: every method must be called on `loop`, and every delegate callback arrives there.
/// Life cycle: the server creates the exchange when a request head is complete and hands it to
/// its `HTTPResponder`. The responder sets `delegate` (request body bytes are held, and the
/// socket is not read, until it does), answers with `sendHead` / `sendBody` / `finish`, or
/// with `abort()` to drop the connection. Requests pipelined behind this one wait until
/// `finish()`; the responses therefore leave in request order.
public protocol HTTPExchange: AnyObject {
    /// The request's start line and headers.
    var head: HTTPRequestHead { get }
    /// The loop that owns the connection.
    var loop: EventLoop { get }
    /// Client address, for logs.
    var peer: String { get }
    /// Receives the request body and response-side events; see `HTTPExchangeDelegate`.
    var delegate: (any HTTPExchangeDelegate)? { get set }

    /// Stops reading the request body from the client until `resumeRequestBody()`.
    func pauseRequestBody()
    func resumeRequestBody()

    /// Sends the status line and headers. The server frames the body: `Content-Length` if the
    /// head has one; none for HEAD requests, 1xx, 204 and 304; otherwise chunked for HTTP/1.1
    /// clients and close-delimited for HTTP/1.0. Hop-by-hop fields in `head` are the caller's
    /// business; the server adds `Connection`/`Transfer-Encoding` as its framing needs.
    func sendHead(_ head: HTTPResponseHead)

    /// Queues body bytes (copied). Returns false once the connection's write buffer is above its
    /// high-water mark: stop producing until `exchangeBecameWritable` arrives. Bytes passed are
    /// never dropped, whatever the return value.
    @discardableResult
    func sendBody(_ bytes: UnsafeRawBufferPointer) -> Bool

    /// Ends the response. After this the exchange is done and the delegate hears nothing more.
    func finish()

    /// Closes the connection at once (e.g. the upstream answer broke off mid-body, so the
    /// client must see a truncated response rather than a well-formed short one).
    func abort()

    /// True while `sendBody` would return true.
    var isWritable: Bool { get }
}

extension HTTPExchange {
    /// Queues `bytes` as body.
    @discardableResult
    public func sendBody(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { sendBody($0) }
    }

    /// A whole response with a known body: head with `Content-Length`, body, finish.
    public func respond(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8]) {
        var h = headers
        h.set(.contentLength, String(body.count))
        sendHead(HTTPResponseHead(status: status, headers: h))
        if !body.isEmpty { sendBody(body) }
        finish()
    }
}

/// Events of one exchange, delivered on its loop.
public protocol HTTPExchangeDelegate: AnyObject {
    /// A piece of the request body (de-chunked). Valid only during the call: copy what you keep.
    func exchange(_ exchange: any HTTPExchange, didReceiveBody bytes: UnsafeRawBufferPointer)
    /// The request body is complete (called at once for requests without a body).
    func exchangeDidEndRequestBody(_ exchange: any HTTPExchange)
    /// The write buffer drained below its low-water mark after `sendBody` returned false.
    func exchangeBecameWritable(_ exchange: any HTTPExchange)
    /// The client went away (or the connection failed or timed out) before `finish()`. Stop all
    /// work for this exchange; further sends are ignored.
    func exchangeDidClose(_ exchange: any HTTPExchange)
}

/// Turns request heads into work. One responder per event loop, so a responder can keep
/// loop-local state (upstream client, hashers) without locks.
public protocol HTTPResponder: AnyObject {
    /// Called on the loop when a request head is complete. The responder must eventually
    /// `finish()` or `abort()` the exchange.
    func handle(_ exchange: any HTTPExchange)
}
