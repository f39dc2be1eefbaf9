import EventLoop
@preconcurrency import Glibc
import Logging

/// A listening socket on one loop: accepts until EAGAIN and hands sockets to its context.
///
/// When accept fails for lack of resources (EMFILE, ENFILE, ENOBUFS, ENOMEM) the pending
/// connection stays in the kernel's queue and the listener would be reported readable again
/// at once; to keep the loop from spinning, it stops watching the socket for a short pause.
///
/// Threading: created and used on its context's loop only.
final class HTTPListener: IOHandler {
    let fd: Int32
    unowned let context: HTTPServerLoopContext
    private var resumeTimer: TimerHandle?
    private var closed = false

    /// How long accepting pauses after a resource error.
    static let pauseAfterError: Duration = .milliseconds(100)
    /// Connections accepted per readiness event, so one busy listener cannot starve the loop.
    static let acceptBatch = 256

    init(fd: Int32, context: HTTPServerLoopContext) {
        self.fd = fd
        self.context = context
    }

    func handleIO(_ events: IOEvents) {
        for _ in 0..<Self.acceptBatch {
            guard !closed else { return }
            do {
                guard let (client, peer) = try Socket.accept(fd) else { return }
                context.accepted(fd: client, peer: peer)
            } catch {
                pause(error)
                return
            }
        }
    }

    /// Accepts every connection already in the kernel's queue (until EAGAIN), so that closing
    /// the socket afterwards resets none that a client completed before the drain. Stops at the
    /// first error (a resource error leaves the rest queued; closing resets them).
    func acceptQueued() {
        while !closed {
            do {
                guard let (client, peer) = try Socket.accept(fd) else { return }
                context.accepted(fd: client, peer: peer)
            } catch {
                context.logger.warn(
                    "accept failed while draining the listen queue",
                    ["error": .string(String(describing: error)), "loop": .int(context.loop.index)])
                return
            }
        }
    }

    private func pause(_ error: any Error) {
        context.logger.warn(
            "accept failed; pausing accepts",
            ["error": .string(String(describing: error)), "pause_ms": .int(100), "loop": .int(context.loop.index)])
        context.loop.setInterest(fd: fd, .none)
        resumeTimer = context.loop.schedule(after: Self.pauseAfterError) { [weak self] in
            guard let self, !self.closed else { return }
            self.resumeTimer = nil
            self.context.loop.setInterest(fd: self.fd, .read)
        }
    }

    func close() {
        guard !closed else { return }
        closed = true
        if let t = resumeTimer { context.loop.cancel(t) }
        context.loop.unregister(fd: fd)
        Glibc.close(fd)
    }
}
