import EventLoop
import HTTPTypes
import Logging

/// Starting transfers on the native HTTP/1.1 engine (see `NativeExchange`).
extension UpstreamClient {
    /// The native pool for `configuration.nativeOrigin`, or nil (logged) when it names no origin
    /// the native engine serves.
    static func makeNativePool(loop: EventLoop, configuration: UpstreamClientConfiguration, logger: Logger) -> NativePool? {
        guard let text = configuration.nativeOrigin else { return nil }
        switch NativeOrigin.make(text) {
        case .success(let origin):
            return NativePool(
                loop: loop, origin: origin, maxIdle: configuration.maxIdleConnections,
                connectTimeout: configuration.connectTimeout)
        case .failure(let reason):
            if loop.index == 0 {
                logger.info("upstream requests go through libcurl", ["origin": .string(text), "native": .string("\(reason)")])
            }
            return nil
        }
    }

    /// Sends `transfer` over the native engine to `target` on the pool's origin.
    func startNative(_ transfer: UpstreamTransfer, target: Substring, pool: NativePool) {
        transfer.usesNativeEngine = true
        let request = transfer.request
        let body = Self.bodyBuffer(for: request, retainLimit: configuration.bodyHighWater)
        let framing = RequestWriter.framing(for: body, method: request.method)
        guard
            let head = RequestWriter.head(
                method: request.method.rawValue, target: target, host: pool.origin.authority,
                headers: request.headers, framing: framing)
        else {
            transfer.abort(
                with: UpstreamError(kind: .other, message: "request cannot be sent (method or header not a token, or CR/LF/NUL)"))
            return
        }
        transfer.body = request.method == .head ? nil : body
        let exchange = NativeExchange(transfer: transfer, pool: pool, requestHead: head, chunkedBody: framing == .chunked)
        transfer.native = exchange
        exchange.begin()
    }
}
