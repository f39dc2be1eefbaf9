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
/// bound the oldest is dropped (and logged). Threading: loop-bound.
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
    }

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
            stop(oldest)
            host.log.logger.warn("background poll dropped: too many predictions watched", ["limit": .int(capacity)])
        }
        let limit = Duration.seconds(host.cache.settings.pollLimitSeconds)
        var w = Watch(
            id: id, authorization: authorization, key: key, inputSHA256: inputSHA256, ttlSeconds: ttlSeconds,
            deadline: host.loop.now &+ limit.nanosecondsClamped, delay: .seconds(1))
        w.timer = host.loop.schedule(after: w.delay) { [weak self] in self?.poll(id) }
        watches[id] = w
        order.append(id)
    }

    /// Polls `id` at once (a stream reported the prediction done), if it is watched here.
    func pollSoon(_ id: String) {
        guard var w = watches[id], let timer = w.timer else { return }
        host.loop.cancel(timer)
        w.timer = nil
        watches[id] = w
        poll(id)
    }

    /// Stops watching (the prediction ended, or was seen ending through a client's poll).
    func stop(_ id: String) {
        guard let w = watches.removeValue(forKey: id) else { return }
        if let t = w.timer { host.loop.cancel(t) }
        if let i = order.firstIndex(of: id) { order.remove(at: i) }
    }

    func stopAll() {
        for id in Array(watches.keys) { stop(id) }
    }

    private func poll(_ id: String) {
        guard var w = watches[id] else { return }
        w.timer = nil
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
            stop(id)  // gone, or the token no longer works: nothing more to learn
            return
        }
        guard host.loop.now < w.deadline else {
            stop(id)
            return
        }
        w.delay = min(w.delay * 2, .seconds(30))
        w.timer = host.loop.schedule(after: w.delay) { [weak self] in self?.poll(id) }
        watches[id] = w
    }
}
