import EventLoop
@preconcurrency import Glibc
import HTTPTypes
import Logging
import Synchronization

/// The HTTP/1.1 server: one `SO_REUSEPORT` listener per event loop (the kernel spreads new
/// connections), each connection served on the loop that accepted it for its whole life.
///
/// Life cycle: `init`, then `start(_:)` (before or after `group.start()`: listeners are bound
/// at once on the calling thread, so errors and the port come back synchronously, and each
/// loop picks its listener up through `execute`, i.e. as soon as it runs), then `drain` or
/// `stopAccepting` when shutting down. Stop the group only after the drain completed.
///
/// Threading: every public member is thread-safe.
public final class HTTPServer: Sendable {
    private let group: EventLoopGroup
    private let configuration: HTTPServerConfiguration
    private let logger: Logger
    private let factory: ResponderFactory
    private let shared: HTTPServerShared
    private let contexts = Mutex<[HTTPServerLoopContext]>([])

    /// Holds the caller's responder factory so that each loop can call it.
    ///
    /// `@unchecked Sendable` because the signature takes a plain closure: the contract is that
    /// the factory is called once per loop, on that loop's thread, which is exactly how the
    /// server uses it; it is never called concurrently from two threads for the same state
    /// unless the caller's closure itself shares state between loops.
    private struct ResponderFactory: @unchecked Sendable {
        let make: (EventLoop) -> any HTTPResponder
    }

    /// - Parameter responderFactory: called once per loop, on that loop, to make the loop's
    ///   responder.
    public init(
        group: EventLoopGroup, configuration: HTTPServerConfiguration, logger: Logger,
        responderFactory: @escaping (EventLoop) -> any HTTPResponder
    ) {
        self.group = group
        self.configuration = configuration
        self.logger = logger
        self.factory = ResponderFactory(make: responderFactory)
        self.shared = HTTPServerShared(maxConnections: configuration.maxConnections)
    }

    /// Binds one listener per loop to `address` and starts accepting. Returns the bound port;
    /// with port 0 the first listener's ephemeral port is used for all of them.
    /// Throws when binding fails (nothing is left open then). Call once.
    public func start(_ address: SocketAddressSpec) throws -> Int {
        var fds: [Int32] = []
        let port: Int
        do {
            let first = try Socket.listen(address, reusePort: true)
            fds.append(first.fd)
            port = first.port
            let fixed = SocketAddressSpec(host: address.host, port: port)
            for _ in 1..<group.loops.count {
                fds.append(try Socket.listen(fixed, reusePort: true).fd)
            }
        } catch {
            for fd in fds { Glibc.close(fd) }
            throw error
        }
        let made = group.loops.map {
            HTTPServerLoopContext(loop: $0, configuration: configuration, logger: logger, shared: shared)
        }
        contexts.withLock { list in
            precondition(list.isEmpty, "HTTPServer.start called twice")
            list = made
        }
        for (ctx, fd) in zip(made, fds) {
            let factory = self.factory
            ctx.loop.execute {
                ctx.responder = factory.make(ctx.loop)
                ctx.startListening(fd: fd)
            }
        }
        logger.info("listening", ["address": .string(address.host), "port": .int(port), "loops": .int(made.count)])
        return port
    }

    /// Closes the listeners; open connections go on. Safe to call more than once.
    public func stopAccepting() {
        for ctx in contexts.withLock({ $0 }) {
            ctx.loop.execute { ctx.stopListening() }
        }
    }

    /// Graceful shutdown: stops accepting, closes idle keep-alive connections, lets active
    /// exchanges finish (their responses carry `Connection: close`), and after `timeout`
    /// closes whatever remains. `completion` runs once, on some loop thread, when no
    /// connection is left. A second call only adds its completion.
    public func drain(timeout: Duration, completion: @escaping @Sendable () -> Void) {
        let list = contexts.withLock { $0 }
        guard shared.beginDrain(loops: list.count, completion: completion) else { return }
        guard !list.isEmpty else {
            shared.forceComplete()
            return
        }
        let shared = self.shared
        for ctx in list {
            ctx.loop.execute {
                ctx.beginDrain()
                shared.loopBeganDraining()
            }
        }
        let deadlineLoop = list[0].loop
        let forced = ForceClose(contexts: list, shared: shared)
        deadlineLoop.execute {
            deadlineLoop.schedule(after: timeout) { forced.run() }
        }
    }

    /// Open client connections across all loops (connections refused with 503 not counted).
    public var connectionCount: Int { shared.connectionCount.load(ordering: .relaxed) }
}

/// The drain's timeout action: every loop closes what it still has, and the last one to do so
/// completes the drain. Thread-safe: contexts are only touched through their own loops.
private final class ForceClose: Sendable {
    let contexts: [HTTPServerLoopContext]
    let remaining: Atomic<Int>
    let shared: HTTPServerShared

    init(contexts: [HTTPServerLoopContext], shared: HTTPServerShared) {
        self.contexts = contexts
        self.remaining = Atomic(contexts.count)
        self.shared = shared
    }

    func run() {
        for ctx in contexts {
            ctx.loop.execute { [self] in
                ctx.closeAll()
                if remaining.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 {
                    shared.forceComplete()
                }
            }
        }
    }
}
