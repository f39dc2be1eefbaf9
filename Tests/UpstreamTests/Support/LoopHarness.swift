@preconcurrency import Glibc
import EventLoop
import Foundation
import HTTPTypes
import Logging
import Testing

@testable import Upstream

/// An event loop on its own thread with an `UpstreamClient` on it, for tests.
///
/// Tests hand closures to the loop with `onLoop` (which waits for the result), so the client and
/// its transfers are only ever touched on the loop thread, as their contract requires.
/// `@unchecked Sendable`: `client` is set once on the loop before `init` returns and then only
/// read from closures that run on the loop.
final class LoopHarness: @unchecked Sendable {
    let group: EventLoopGroup
    var loop: EventLoop { group.loops[0] }
    private(set) var client: UpstreamClient!
    let logSink = LogSink(fd: 2, background: false)
    let engine: Engine

    /// With `.native`, `origin` (`http://127.0.0.1:port`, the scripted server's) is the
    /// client's native origin, and `perform` checks that its requests really went native.
    init(
        configuration: UpstreamClientConfiguration = UpstreamClientConfiguration(), engine: Engine = .curl,
        origin: String? = nil
    ) throws {
        signal(SIGPIPE, SIG_IGN)
        self.engine = engine
        var configuration = configuration
        if engine == .native { configuration.nativeOrigin = origin }
        group = try EventLoopGroup(loopCount: 1)
        group.start()
        let logger = Logger(sink: logSink, level: .warn)
        onLoop { self.client = UpstreamClient(loop: self.loop, configuration: configuration, logger: logger) }
    }

    /// Runs `body` on the loop thread and waits for it (10 s at most, then fails the test).
    @discardableResult
    func onLoop<T>(_ body: @escaping () -> T) -> T {
        let box = ResultBox<T>()
        let task = ResultBox<() -> T>()
        task.value = body
        let done = DispatchSemaphore(value: 0)
        loop.execute {
            box.value = task.value!()
            done.signal()
        }
        let waited = done.wait(timeout: .now() + 10)
        precondition(waited == .success, "loop did not run the closure within 10 s")
        return box.value!
    }

    /// Starts `request` on the loop (then runs `afterStart` there) and waits until the delegate
    /// hears `didFinishWith`, 20 s at most.
    @discardableResult
    func perform(
        _ request: UpstreamRequest, delegate: RecordingDelegate = RecordingDelegate(),
        afterStart: ((UpstreamTransfer) -> Void)? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) -> RecordingDelegate {
        let native = onLoop {
            let transfer = self.client.start(request, delegate: delegate)
            afterStart?(transfer)
            return transfer.usesNativeEngine
        }
        #expect(native == (engine == .native), "request went to the wrong engine", sourceLocation: sourceLocation)
        #expect(delegate.finished.wait(seconds: 20), "transfer did not finish", sourceLocation: sourceLocation)
        return delegate
    }

    /// Starts `request` and waits until its head arrived (false on timeout); the transfer runs on.
    func startAndWaitForHead(_ request: UpstreamRequest, delegate: RecordingDelegate) -> Bool {
        let headSeen = Signal()
        delegate.onHead = { _, _ in headSeen.fire() }
        onLoop { _ = self.client.start(request, delegate: delegate) }
        return headSeen.wait(seconds: 15)
    }

    /// Releases the client without `shutdown` (call on the loop).
    func dropClient() { client = nil }

    /// Shuts the client down, lets its deferred work run, and stops the loop thread.
    func close() {
        onLoop { self.client.shutdown() }
        onLoop { self.client = nil }
        group.stopAndJoin()
    }
}

/// Which engine a parametrised test runs against (the same HTTP/1.1 behaviour is expected of both).
enum Engine: String, CaseIterable, Sendable {
    case curl
    case native
}

/// Carries a value from the loop thread back to the waiting test thread (the semaphore orders it).
final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}

/// A signal with a timeout, for "wait until X happened" (never for "wait N ms").
struct Signal: @unchecked Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    func fire() { semaphore.signal() }
    /// True when fired within `seconds`.
    func wait(seconds: Double = 10) -> Bool { semaphore.wait(timeout: .now() + seconds) == .success }
}
