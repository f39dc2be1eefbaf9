import EventLoop
import HTTPServer
import HTTPTypes
import Metrics
import ProxyCore
import StatusPage

/// Answers `GET /` with the status page: the current merged metrics (one hop per loop, like a
/// `/metrics` scrape) plus the sampled history, rendered by `StatusPageRenderer` on the loop
/// that received the request.
///
/// Threading: `answer` runs on the request's loop and replies there. The page holds no script
/// and loads nothing, which the Content-Security-Policy states so a browser enforces it.
enum StatusPageEndpoint {
    static let refreshSeconds = 10

    static func answer(_ exchange: any HTTPExchange, loop: EventLoop, collector: MetricsCollector, clock: WallClock) {
        collector.collectSnapshot(replyOn: loop) { current in
            let now = loop.preciseNow()
            let history = collector.history.current
            let info = StatusPageInfo(
                version: RepriseVersion.current, generatedAt: displayTime(unixNanos: clock.unixNanos()),
                uptimeSeconds: collector.history.uptimeSeconds(now: now), refreshSeconds: refreshSeconds)
            let body = StatusPageRenderer.render(current: current, history: history, now: now, info: info)
            var headers = HTTPHeaders()
            headers.add(.contentType, StatusPageRenderer.contentType)
            headers.add(.cacheControl, "no-store")
            headers.add(.contentSecurityPolicy, "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'")
            headers.add(.xContentTypeOptions, "nosniff")
            exchange.respond(status: 200, headers: headers, body: body)
        }
    }

    /// `2025-06-01 12:34:56 UTC`: the ISO timestamp to the second, for people.
    static func displayTime(unixNanos: Int64) -> String {
        let iso = UTCTimestamp.iso8601(unixNanos: unixNanos)
        return String(iso.prefix(10)) + " " + String(iso.dropFirst(11).prefix(8)) + " UTC"
    }
}
