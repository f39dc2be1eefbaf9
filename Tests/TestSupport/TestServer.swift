import Dispatch
import EventLoop
import HTTPServer
import HTTPTypes
import Logging

/// A responder that runs a closure for every exchange (tests only).
///
/// Threading: `handle` runs on the loop the exchange belongs to; the closure must be safe to
/// call from every loop of the server.
public final class ClosureResponder: HTTPResponder {
    private let body: (any HTTPExchange) -> Void

    public init(_ body: @escaping (any HTTPExchange) -> Void) {
        self.body = body
    }

    public func handle(_ exchange: any HTTPExchange) { body(exchange) }
}

/// An `EventLoopGroup` plus an `HTTPServer` on 127.0.0.1 and an ephemeral port, for tests.
///
/// `shutdown()` drains the server (bounded) and stops the loops; call it at the end of every
/// test (also on failure, via `defer`). Threading: thread-safe.
public final class TestServer: Sendable {
    public let group: EventLoopGroup
    public let server: HTTPServer
    public let port: Int

    /// A server whose every loop answers with `handler`.
    public convenience init(
        configuration: HTTPServerConfiguration = HTTPServerConfiguration(), loops: Int = 1,
        handler: @escaping @Sendable (any HTTPExchange) -> Void
    ) throws {
        try self.init(configuration: configuration, loops: loops) { _ in ClosureResponder(handler) }
    }

    /// A server with one responder per loop from `responderFactory`.
    public init(
        configuration: HTTPServerConfiguration = HTTPServerConfiguration(), loops: Int = 1,
        logLevel: LogLevel = .warn,
        responderFactory: @escaping @Sendable (EventLoop) -> any HTTPResponder
    ) throws {
        group = try EventLoopGroup(loopCount: loops)
        let logger = Logger(sink: LogSink(fd: 2, background: false), level: logLevel)
        server = HTTPServer(
            group: group, configuration: configuration, logger: logger, responderFactory: responderFactory)
        group.start()
        do {
            port = try server.start(SocketAddressSpec(host: "127.0.0.1", port: 0))
        } catch {
            group.stopAndJoin()
            throw error
        }
    }

    /// A new client connected to this server.
    public func client(timeout: Duration = .seconds(10), receiveBufferSize: Int? = nil) throws -> RawHTTPClient {
        try RawHTTPClient(port: port, timeout: timeout, receiveBufferSize: receiveBufferSize)
    }

    /// Drains (active exchanges get `drainTimeout` to finish, then are closed) and stops the loops.
    public func shutdown(drainTimeout: Duration = .milliseconds(200)) {
        let done = DispatchSemaphore(value: 0)
        server.drain(timeout: drainTimeout) { done.signal() }
        _ = done.wait(timeout: .now() + .seconds(10))
        group.stopAndJoin()
    }
}

/// A one-shot event a test waits for, signalled from a loop thread.
///
/// Waiting blocks the calling thread with a timeout; it replaces sleeps as synchronisation.
/// Threading: thread-safe.
public final class TestSignal: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)

    public init() {}

    public func signal() { semaphore.signal() }

    /// True when signalled within `timeout`.
    public func wait(timeout: Duration = .seconds(10)) -> Bool {
        let ns = Int(timeout.components.seconds) * 1_000_000_000 + Int(timeout.components.attoseconds / 1_000_000_000)
        return semaphore.wait(timeout: .now() + .nanoseconds(ns)) == .success
    }
}
