import EventLoop
import HTTPServer
import HTTPTypes
import Logging
import Metrics
import ProxyCore
import ReplicateAPI
import Upstream

/// Relays one client exchange to an upstream URL and the answer back, streaming both ways.
///
/// Request body: client bytes are pushed into the upstream transfer as they arrive; when the
/// transfer has buffered its high-water mark the client socket is paused, and resumed when
/// curl asks for more. Response body: bytes go to the client as they arrive (through the JSON
/// URL rewriter for JSON answers); when the client's write buffer is full the transfer is paused
/// and curl keeps the bytes until the client drains.
///
/// Threading: created and used on one event loop only (the exchange's); both delegate protocols
/// call back on that loop. The object keeps itself alive through the exchange's and the
/// transfer's delegate references until both sides are done.
final class ForwardedExchange: HTTPExchangeDelegate, UpstreamTransferDelegate {
    /// What kind of relay this is; decides rewriting and the route label in logs.
    struct Plan {
        var url: String
        var method: HTTPMethod
        var headers: HTTPHeaders
        var body: ForwardingPolicy.RequestBody
        /// Rewrite Replicate's absolute URLs in JSON answers (API calls yes, SSE streams no).
        var rewritesJSON: Bool
        var routeLabel: String
    }

    private enum Phase {
        /// Waiting for upstream's response head.
        case awaitingHead
        /// Relaying the response body.
        case relaying
        /// Finished, failed or abandoned; every later event is ignored.
        case done
    }

    private let exchange: any HTTPExchange
    private let host: ProxyResponder
    private let plan: Plan
    private var transfer: UpstreamTransfer?
    private var rewriter: JSONURLRewriter?
    private var phase: Phase = .awaitingHead
    private var requestBodyOpen: Bool
    private var status = 0
    private let startedAt: UInt64
    private var headAt: UInt64 = 0
    private var scratch: [UInt8] = []
    private var counted = false
    private var isEventStream = false

    init(exchange: any HTTPExchange, host: ProxyResponder, plan: Plan) {
        self.exchange = exchange
        self.host = host
        self.plan = plan
        self.requestBodyOpen = plan.body != .none
        self.startedAt = exchange.loop.now
    }

    /// Starts the upstream transfer and begins listening to the client.
    func start() {
        let body: UpstreamRequest.Body
        switch plan.body {
        case .none: body = .none
        case .length(let n): body = n == 0 ? .bytes([]) : .streamed(length: n)
        case .chunked: body = .streamed(length: nil)
        }
        let request = UpstreamRequest(method: plan.method, url: plan.url, headers: plan.headers, body: body)
        transfer = host.upstream.start(request, delegate: self)
        exchange.delegate = self
    }

    // MARK: - Client side

    func exchange(_ exchange: any HTTPExchange, didReceiveBody bytes: UnsafeRawBufferPointer) {
        guard let transfer, phase != .done else { return }
        transfer.appendBody(bytes)
        if transfer.bufferedBodyBytes >= host.upstreamBodyHighWater { exchange.pauseRequestBody() }
    }

    func exchangeDidEndRequestBody(_ exchange: any HTTPExchange) {
        guard requestBodyOpen else { return }
        requestBodyOpen = false
        if phase != .done, plan.body != .none, case .length(let n) = plan.body, n == 0 { return }
        if phase != .done { transfer?.endBody() }
    }

    func exchangeBecameWritable(_ exchange: any HTTPExchange) {
        guard phase == .relaying else { return }
        transfer?.resumeResponse()
    }

    func exchangeDidClose(_ exchange: any HTTPExchange) {
        guard phase != .done else { return }
        phase = .done
        host.log.clientGone(route: plan.routeLabel, status: status, elapsedNanos: exchange.loop.now &- startedAt)
        transfer?.cancel()
        count(status: status == 0 ? 499 : status)
    }

    // MARK: - Upstream side

    func upstreamTransferWantsMoreBody(_ transfer: UpstreamTransfer) {
        guard phase != .done, requestBodyOpen else { return }
        exchange.resumeRequestBody()
    }

    func upstreamTransfer(_ transfer: UpstreamTransfer, didReceiveHead head: HTTPResponseHead) {
        guard phase == .awaitingHead else { return }
        phase = .relaying
        headAt = exchange.loop.now
        host.observeUpstreamLatency(nanos: headAt &- startedAt)
        status = head.status
        if let ct = head.headers[.contentType], ct.hasPrefix("text/event-stream") {
            isEventStream = true
            host.cache.metrics.adjust(MetricSeries(.sseStreamsActive), by: 1)
        }
        let rewrite = plan.rewritesJSON && ForwardingPolicy.isRewritableJSON(head.headers)
        var out = HTTPResponseHead(status: head.status)
        out.headers = ForwardingPolicy.clientResponseHeaders(head.headers, bodyRewritten: rewrite)
        if plan.rewritesJSON {
            let base = host.baseRewrite(for: exchange.head)
            if rewrite {
                let host = self.host
                let publicBase = base.publicBase
                rewriter = JSONURLRewriter(
                    base: base, streamURL: { host.streamURL(relaying: $0, context: nil, publicBase: publicBase) })
            }
            if let location = out.headers[.location], let moved = base.rewrite(location) {
                out.headers.set(.location, moved)
            }
        }
        exchange.sendHead(out)
    }

    func upstreamTransfer(_ transfer: UpstreamTransfer, didReceiveBody bytes: UnsafeRawBufferPointer) -> Bool {
        guard phase == .relaying else { return true }  // abandoned: let curl drain into nothing
        guard exchange.isWritable else { return false }
        if rewriter != nil {
            scratch.removeAll(keepingCapacity: true)
            rewriter!.feed(bytes, into: &scratch)
            if !scratch.isEmpty { exchange.sendBody(scratch) }
        } else {
            exchange.sendBody(bytes)
        }
        return true
    }

    func upstreamTransfer(_ transfer: UpstreamTransfer, didFinishWith error: UpstreamError?) {
        defer { self.transfer = nil }
        switch phase {
        case .done:
            return
        case .awaitingHead:
            phase = .done
            guard let error else {
                // A finished transfer always reported a head first; treat the impossible as a failure.
                answerGatewayError(UpstreamError(kind: .protocolError, message: "no response head"))
                return
            }
            answerGatewayError(error)
        case .relaying:
            phase = .done
            if let error {
                // The client already has a status line: a short but well-formed body would lie.
                host.log.upstreamBroke(route: plan.routeLabel, error: error)
                host.cache.metrics.increment(MetricSeries(.upstreamErrors, [error.kind.rawValue]))
                exchange.abort()
                count(status: status)
                return
            }
            if rewriter != nil {
                scratch.removeAll(keepingCapacity: true)
                rewriter!.finish(into: &scratch)
                if !scratch.isEmpty { exchange.sendBody(scratch) }
                if rewriter!.didFail { host.log.rewriteFailed(route: plan.routeLabel) }
            }
            exchange.finish()
            count(status: status)
        }
    }

    private func answerGatewayError(_ error: UpstreamError) {
        let problem = GatewayProblem.problem(for: error)
        status = problem.status
        host.noteUpstreamError(error)
        // The request body may still be arriving; the server closes after answering early.
        exchange.respond(problem: problem)
        count(status: status)
    }

    /// Reports the request to metrics and the log, once, whichever way it ended.
    private func count(status: Int) {
        guard !counted else { return }
        counted = true
        if isEventStream { host.cache.metrics.adjust(MetricSeries(.sseStreamsActive), by: -1) }
        host.countRequest(route: plan.routeLabel, status: status, startedAt: startedAt)
    }
}
