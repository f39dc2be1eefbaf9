import CacheCore
import EventLoop
import HTTPTypes
import Logging
import ProxyCore
import Upstream

/// Finishes misses that nobody polls through Reprise: webhook clients, `wait=False` clients that
/// poll elsewhere, clients that left. For each it polls `GET /v1/predictions/{id}` upstream
/// with backoff (1 s doubling to 30 s) until the prediction ends or Replicate's 30-minute limit
/// passes, and stores a success.
///
/// The creating request's `Authorization` value is held in memory for the duration — it is
/// needed to ask Replicate — and never written anywhere. Watches are bounded per loop; past the
/// bound the oldest is dropped (and logged).
///
/// Watches are listed in the app's `PollRouter`, so that a stream ending on another loop
/// (`pollSoon`) and creates waiting for this prediction's result (`hurry`) reach the poller
/// that watches it. A watch that ends without a stored result (the prediction is gone, the
/// token no longer works, the time limit passed, the watch was dropped) lifts the key's
/// in-flight mark, so that waiting creates stop waiting and go upstream themselves.
/// Threading: loop-bound.
final class CompletionPoller {
    private struct Watch {
        let id: String
        let authorization: String
        let key: CacheKey
        let inputSHA256: String
        let ttlSeconds: Int
        let deadline: UInt64
        var delay: Duration
        var timer: TimerHandle?
        /// When the pending timer fires (valid while `timer` is set).
        var dueAt: UInt64
        /// When the last poll was sent (the create's answer counts as the first look).
        var lastPolledAt: UInt64
    }

    /// Shortest time between polls while creates wait for the result (`hurry`).
    static let hurriedInterval: Duration = .milliseconds(500)

    private var watches: [String: Watch] = [:]
    private var order: [String] = []
    private unowned let host: ProxyResponder
    private let capacity: Int

    init(host: ProxyResponder, capacity: Int = 10_000) {
        self.host = host
        self.capacity = capacity
    }

    var count: Int { watches.count }

    func watch(id: String, authorization: String, key: CacheKey, inputSHA256: String, ttlSeconds: Int) {
        guard watches[id] == nil else { return }
        if watches.count >= capacity, let oldest = order.first {
            endWithoutResult(oldest)
            host.log.logger.warn("background poll dropped: too many predictions watched", ["limit": .int(capacity)])
        }
        let limit = Duration.seconds(host.cache.settings.pollLimitSeconds)
        let now = host.loop.now
        var w = Watch(
            id: id, authorization: authorization, key: key, inputSHA256: inputSHA256, ttlSeconds: ttlSeconds,
            deadline: now &+ limit.nanosecondsClamped, delay: .seconds(1), dueAt: 0, lastPolledAt: now)
        schedule(&w, at: now &+ w.delay.nanosecondsClamped)
        watches[id] = w
        order.append(id)
        host.pollRoutes.add(id: id, key: key.hex, loop: host.loop, poller: self)
    }

    /// Polls `id` at once (a stream reported the prediction done), on whichever loop of this
    /// process watches it.
    func pollSoon(_ id: String) {
        if watches[id] != nil {
            pollWatchedSoon(id)
        } else {
            host.pollRoutes.pollSoon(id: id)
        }
    }

    /// Polls `id` at once if it is watched here and no poll is under way.
    func pollWatchedSoon(_ id: String) {
        guard var w = watches[id], let timer = w.timer else { return }
        host.loop.cancel(timer)
        w.timer = nil
        watches[id] = w
        poll(id)
    }

    /// A create waits for `id`'s result: poll now, or as soon as `hurriedInterval` has passed
    /// since the last poll, instead of at the next backoff step. A poll under way is left alone
    /// (its answer may be the one).
    func hurry(_ id: String) {
        guard var w = watches[id], let timer = w.timer else { return }
        let now = host.loop.now
        let soonest = max(now, w.lastPolledAt &+ Self.hurriedInterval.nanosecondsClamped)
        guard w.dueAt > soonest else { return }
        host.loop.cancel(timer)
        w.timer = nil
        if soonest <= now {
            watches[id] = w
            poll(id)
        } else {
            schedule(&w, at: soonest)
            watches[id] = w
        }
    }

    /// Stops watching (the prediction ended, or was seen ending through a client's poll).
    func stop(_ id: String) {
        guard let w = watches.removeValue(forKey: id) else { return }
        if let t = w.timer { host.loop.cancel(t) }
        if let i = order.firstIndex(of: id) { order.remove(at: i) }
        host.pollRoutes.remove(id: id)
    }

    /// Stops watching a prediction whose result will not be stored from here: lifts the in-flight
    /// mark so that creates waiting for it go upstream themselves instead of waiting it out.
    private func endWithoutResult(_ id: String) {
        guard let w = watches[id] else { return }
        stop(id)
        host.cache.store.clearInFlight(key: w.key)
    }

    private func schedule(_ w: inout Watch, at deadline: UInt64) {
        let id = w.id
        w.dueAt = deadline
        w.timer = host.loop.schedule(atNanoseconds: deadline) { [weak self] in self?.poll(id) }
    }

    func stopAll() {
        for id in Array(watches.keys) { stop(id) }
    }

    private func poll(_ id: String) {
        guard var w = watches[id] else { return }
        w.timer = nil
        w.lastPolledAt = host.loop.now
        watches[id] = w
        var headers = HTTPHeaders()
        headers.add(.authorization, w.authorization)
        let request = UpstreamRequest(method: .get, url: host.upstreamBase + "/v1/predictions/" + id, headers: headers)
        host.callUpstream(request) { [weak self] result in
            self?.handle(id, result.map { ($0.head.status, PredictionAnswer(body: $0.body)) })
        }
    }

    private func handle(_ id: String, _ result: Result<(Int, PredictionAnswer), UpstreamError>) {
        guard var w = watches[id] else { return }
        if case .success(let (status, answer)) = result, status == 200, let s = answer.status {
            if answer.isStorableSuccess {
                host.cache.storeSucceeded(
                    answer, key: w.key, inputSHA256: w.inputSHA256, ttlSeconds: w.ttlSeconds,
                    nowMillis: host.clock.unixMillis())
            }
            if s.isTerminal {
                host.cache.store.clearInFlight(key: w.key)
                stop(id)
                return
            }
        } else if case .success(let (status, _)) = result, status == 404 || status == 401 || status == 403 {
            endWithoutResult(id)  // gone, or the token no longer works: nothing more to learn
            return
        }
        guard host.loop.now < w.deadline else {
            endWithoutResult(id)
            return
        }
        w.delay = min(w.delay * 2, .seconds(30))
        schedule(&w, at: host.loop.now &+ w.delay.nanosecondsClamped)
        watches[id] = w
    }
}
