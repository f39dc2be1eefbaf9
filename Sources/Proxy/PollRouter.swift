import EventLoop
import Synchronization

/// Which loop's `CompletionPoller` watches which prediction (and for which cache key), so that
/// news about a prediction reaches the one poller watching it whatever loop it arrives on: a
/// relayed stream that ended (`pollSoon`), or a create waiting for an identical one's result
/// (`hurry(key:)`). Pollers are per loop; a stream's or a waiting create's connection is often
/// on another loop than the create that started the watch.
///
/// Only this process's loops are reached; a waiter on another replica still waits for the
/// watching replica's own polls. Threading: thread-safe; a route's poller is only touched
/// inside its loop's `execute`.
final class PollRouter: Sendable {
    private struct Route: @unchecked Sendable {
        let loop: EventLoop
        let poller: CompletionPoller
        let key: String
    }

    private struct Routes {
        var byID: [String: Route] = [:]
        var idByKey: [String: String] = [:]
    }

    private let routes = Mutex(Routes())

    init() {}

    /// `poller` (on `loop`) now watches prediction `id`, created for cache key `key` (hex).
    func add(id: String, key: String, loop: EventLoop, poller: CompletionPoller) {
        routes.withLock {
            $0.byID[id] = Route(loop: loop, poller: poller, key: key)
            $0.idByKey[key] = id
        }
    }

    /// The watch of `id` ended.
    func remove(id: String) {
        routes.withLock {
            guard let route = $0.byID.removeValue(forKey: id) else { return }
            if $0.idByKey[route.key] == id { $0.idByKey[route.key] = nil }
        }
    }

    /// Asks the poller watching `id` to poll it at once (the prediction was seen ending).
    func pollSoon(id: String) {
        guard let route = routes.withLock({ $0.byID[id] }) else { return }
        route.loop.execute { route.poller.pollWatchedSoon(id) }
    }

    /// A create is waiting for the result of the prediction running for `key`: asks the poller
    /// watching it to poll more often than its backoff would (`CompletionPoller.hurry`).
    func hurry(key: String) {
        let route = routes.withLock { r -> (Route, String)? in
            guard let id = r.idByKey[key], let route = r.byID[id] else { return nil }
            return (route, id)
        }
        guard let (route, id) = route else { return }
        route.loop.execute { route.poller.hurry(id) }
    }
}
