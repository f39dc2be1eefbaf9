import HTTPServer
import Logging
import CacheCore
import Upstream

/// The proxy's log lines, each a fixed message with typed fields, written in one place so that
/// no call site can put a header, URL or token into a log by accident.
///
/// Threading: a value per loop; `Logger` is `Sendable` and its sink is thread-safe.
struct ProxyLog {
    var logger: Logger
    var logRequests: Bool
    private let loopIndex: Int

    init(logger: Logger, logRequests: Bool, loopIndex: Int) {
        self.logger = logger
        self.logRequests = logRequests
        self.loopIndex = loopIndex
    }

    /// One line per finished request: route label, status and duration.
    func request(route: String, status: Int, elapsedNanos: UInt64) {
        guard logRequests else { return }
        logger.request(route: route, status: status, micros: Int(elapsedNanos / 1000), loop: loopIndex)
    }

    func bypass(reason: String) {
        logger.debug("create not cached", ["reason": .string(reason)])
    }

    /// `suppressed`: lines of this kind left out since the previous one (`LogRateLimiter`).
    func storeFailed(_ error: CacheStoreError, suppressed: Int) {
        logger.warn(
            "redis unavailable; forwarding upstream",
            ["error": .string(error.kind.rawValue), "detail": .string(error.detail), "suppressed": .int(suppressed)])
    }

    func clientGone(route: String, status: Int, elapsedNanos: UInt64) {
        logger.debug(
            "client closed before the response was complete",
            ["route": .string(route), "status": .int(status), "duration_ms": .double(Double(elapsedNanos) / 1e6)])
    }

    func upstreamFailed(route: String, error: UpstreamError) {
        logger.warn(
            "upstream request failed", ["route": .string(route), "error": .string(error.kind.rawValue), "detail": .string(error.message)])
    }

    func upstreamBroke(route: String, error: UpstreamError) {
        logger.warn(
            "upstream response broke off", ["route": .string(route), "error": .string(error.kind.rawValue), "detail": .string(error.message)])
    }

    func rewriteFailed(route: String) {
        logger.warn("upstream JSON could not be parsed; URLs after the error were not rewritten", ["route": .string(route)])
    }

    func rejected(route: String, status: Int, reason: String) {
        logger.info("request rejected", ["route": .string(route), "status": .int(status), "reason": .string(reason)])
    }
}
