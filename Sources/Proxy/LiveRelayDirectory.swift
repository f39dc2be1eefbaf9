import EventLoop
import Synchronization

/// The live stream relays of this process, by upstream URL, with the loop each runs on: where a
/// client opening a stream looks for a relay to join before opening an upstream transfer.
///
/// A relay is listed from its start until it is over (`StreamRelay.start` / `delist`). The
/// relay object itself is only ever touched on its own loop: a client on another loop sends
/// its join there (`EventLoop.execute`). A listing can be stale by the time the join arrives
/// (the relay ended, or let its prefix go); the join is then refused and the client opens a
/// relay of its own, which replaces the listing.
///
/// Threading: thread-safe (one short lock per call), shared by all loops of the process.
final class LiveRelayDirectory: Sendable {
    /// A listed relay and the loop it belongs to.
    struct Entry: @unchecked Sendable {
        let loop: EventLoop
        /// Use only on `loop`.
        let relay: StreamRelay
    }

    private let table = Mutex<[String: Entry]>([:])

    init() {}

    func lookup(_ url: String) -> Entry? {
        table.withLock { $0[url] }
    }

    func list(_ relay: StreamRelay, url: String, loop: EventLoop) {
        table.withLock { $0[url] = Entry(loop: loop, relay: relay) }
    }

    /// Removes the listing of `url` if it is still `relay`'s (a newer relay may have replaced it).
    func delist(_ relay: StreamRelay, url: String) {
        table.withLock { t in
            if let e = t[url], e.relay === relay { t[url] = nil }
        }
    }

    /// Relays listed right now (tests, status).
    var count: Int { table.withLock { $0.count } }
}
