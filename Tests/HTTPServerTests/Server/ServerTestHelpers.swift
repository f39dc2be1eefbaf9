import EventLoop
import HTTPServer
import HTTPTypes
import TestSupport

/// Holds a loop-bound value (an exchange, a delegate) so that a test thread can hand it back
/// to its loop with `execute`. Only touch `value` on that loop.
final class LoopBound<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
}

/// A delegate that records what happens to an exchange and calls `onEnd` with the whole body.
final class RecordingDelegate: HTTPExchangeDelegate {
    var body: [UInt8] = []
    var closeCount = 0
    var callbacksAfterClose = 0
    var writableCount = 0
    let onEnd: (any HTTPExchange, [UInt8]) -> Void
    let onClose: (any HTTPExchange) -> Void
    let onWritable: (any HTTPExchange) -> Void

    init(
        onEnd: @escaping (any HTTPExchange, [UInt8]) -> Void = { _, _ in },
        onClose: @escaping (any HTTPExchange) -> Void = { _ in },
        onWritable: @escaping (any HTTPExchange) -> Void = { _ in }
    ) {
        self.onEnd = onEnd
        self.onClose = onClose
        self.onWritable = onWritable
    }

    func exchange(_ exchange: any HTTPExchange, didReceiveBody bytes: UnsafeRawBufferPointer) {
        if closeCount > 0 { callbacksAfterClose += 1 }
        body.append(contentsOf: bytes)
    }

    func exchangeDidEndRequestBody(_ exchange: any HTTPExchange) {
        if closeCount > 0 { callbacksAfterClose += 1 }
        onEnd(exchange, body)
    }

    func exchangeBecameWritable(_ exchange: any HTTPExchange) {
        if closeCount > 0 { callbacksAfterClose += 1 }
        writableCount += 1
        onWritable(exchange)
    }

    func exchangeDidClose(_ exchange: any HTTPExchange) {
        closeCount += 1
        onClose(exchange)
    }
}

/// Answers every request with its own method, target and body (200, Content-Length).
@Sendable func echo(_ exchange: any HTTPExchange) {
    exchange.delegate = RecordingDelegate(onEnd: { ex, body in
        var h = HTTPHeaders()
        h.add("X-Method", ex.head.method.rawValue)
        h.add("X-Target", ex.head.target)
        ex.respond(status: 200, headers: h, body: body)
    })
}

/// Answers `200 ok` without reading the body.
@Sendable func ok(_ exchange: any HTTPExchange) {
    exchange.respond(status: 200, body: Array("ok".utf8))
}

func serverConfig(_ edit: (inout HTTPServerConfiguration) -> Void = { _ in }) -> HTTPServerConfiguration {
    var c = HTTPServerConfiguration()
    edit(&c)
    return c
}
