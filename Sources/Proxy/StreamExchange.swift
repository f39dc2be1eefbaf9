import CacheCore
import EventLoop
import HTTPServer
import HTTPTypes
import JSONCore
import Metrics
import ProxyCore
import ReplicateAPI
import Upstream
import Webhooks

/// `GET /v1/streams/{token}`: opens what a stream capability stands for.
///
/// A relay opens the upstream stream URL (one that upstream produced, and that passes the
/// stream host check) and passes it through byte for byte, recording it for later hits when
/// the prediction is cached; clients of a stream that is already being relayed in this process
/// join that relay (`StreamRelay`). A replay serves a
/// cached entry's recording, or a stream synthesised from its output. The capability is looked
/// up in this process first, then in Redis (another replica may have minted it).
/// Threading: loop-bound.
final class StreamExchange {
    private let exchange: any HTTPExchange
    private let host: ProxyResponder
    private let token: String
    private let startedAt: UInt64

    init(exchange: any HTTPExchange, host: ProxyResponder, token: String) {
        self.exchange = exchange
        self.host = host
        self.token = token
        startedAt = exchange.loop.now
    }

    func start() {
        guard exchange.head.method == .get || exchange.head.method == .head else {
            return finish(ReplicateErrors.methodNotAllowed, extra: ["allow": "GET, HEAD"])
        }
        if let capability = host.streams.capability(for: token) {
            return open(capability)
        }
        host.cache.store.streamCapability(token: token) { [self] result in
            switch result {
            case .failure(let error):
                host.noteStoreError(error)
                finish(ReplicateErrors.streamLookupUnavailable, extra: ["retry-after": "1"])
            case .success(let bytes):
                guard let bytes, let capability = StreamCapability.decode(bytes) else {
                    return finish(ReplicateErrors.streamNotFound, extra: HTTPHeaders())
                }
                host.streams.adopt(capability, token: token)
                open(capability)
            }
        }
    }

    private func open(_ capability: StreamCapability) {
        switch capability.kind {
        case .relay:
            guard let url = capability.upstreamURL else { return finish(ReplicateErrors.streamNotFound, extra: HTTPHeaders()) }
            relay(url, capability: capability)
        case .replay:
            guard let hex = capability.cacheKey, let key = CacheKey(hex: hex) else {
                return finish(ReplicateErrors.streamNotFound, extra: HTTPHeaders())
            }
            host.cache.store.replaySource(key: key) { [self] result in
                switch result {
                case .failure(let error):
                    host.noteStoreError(error)
                    finish(ReplicateErrors.streamLookupUnavailable, extra: ["retry-after": "1"])
                case .success(let source):
                    if let bytes = source.recording, let recording = StreamRecording.decode(bytes) {
                        replay(recording.events, paced: host.cache.settings.replayAtOriginalPace)
                    } else if let bytes = source.entry, let entry = CacheEntry.decode(bytes) {
                        let events = StreamSynthesizer.events(for: entry.prediction["output"])
                        replay(events.map { StreamRecording.Event(offsetMillis: 0, bytes: $0) }, paced: false)
                    } else {
                        finish(ReplicateErrors.streamNotFound, extra: HTTPHeaders())
                    }
                }
            }
        }
    }

    /// Joins the process's live relay of `url` (on this loop or another), or opens one, once
    /// the URL passed the stream host
    /// check (a capability read from Redis may have been planted by whoever can write there).
    private func relay(_ url: String, capability: StreamCapability) {
        let guardAddresses: Bool
        switch host.settings.streamURLs.judge(url) {
        case .refused(let why):
            host.cache.metrics.increment(MetricSeries(.streamRelays, ["refused"]))
            host.log.rejected(route: "stream", status: 502, reason: "stream URL refused: \(why.rawValue)")
            exchange.respond(problem: ReplicateErrors.badGateway("stream host not allowed"))
            host.countRequest(route: "stream", status: 502, startedAt: startedAt)
            return
        case .allowed(let guarded):
            guardAddresses = guarded
        }
        if let live = host.liveRelays.lookup(url) {
            if live.loop === host.loop {
                if live.relay.join(exchange, startedAt: startedAt) {
                    host.cache.metrics.increment(MetricSeries(.streamRelays, ["joined"]))
                    return
                }
            } else {
                return joinOnAnotherLoop(live, url: url, capability: capability, guardAddresses: guardAddresses)
            }
        }
        openRelay(url, capability: capability, guardAddresses: guardAddresses)
    }

    /// Sends the join to the relay's loop; if it is refused there, opens a relay here after all.
    private func joinOnAnotherLoop(
        _ live: LiveRelayDirectory.Entry, url: String, capability: StreamCapability, guardAddresses: Bool
    ) {
        let endpoint = RemoteRelayEndpoint(exchange: exchange, relay: live.relay, relayLoop: live.loop) { [self] in
            openRelay(url, capability: capability, guardAddresses: guardAddresses)
        }
        exchange.delegate = endpoint
        let box = UncheckedBox(endpoint)
        let relay = UncheckedBox(live.relay)
        let (clientLoop, startedAt, isHead) = (host.loop, startedAt, exchange.head.method == .head)
        live.loop.execute { relay.value.joinRemote(box, clientLoop: clientLoop, startedAt: startedAt, isHead: isHead) }
    }

    private func openRelay(_ url: String, capability: StreamCapability, guardAddresses: Bool) {
        var tap: StreamRecordingTap?
        if capability.store, let hex = capability.cacheKey, let key = CacheKey(hex: hex) {
            tap = StreamRecordingTap(
                host: host, key: key, predictionID: capability.predictionID, ttlSeconds: capability.ttlSeconds)
        }
        var request = UpstreamRequest(
            method: .get, url: url, headers: ForwardingPolicy.upstreamRequestHeaders(exchange.head.headers))
        if guardAddresses {
            request.addressFilter = { peer in IPAddress(bytes: peer.bytes).map(WebhookAddressPolicy.isPublic) ?? false }
        }
        let relay = StreamRelay(host: host, request: request, tap: tap)
        _ = relay.join(exchange, startedAt: startedAt)
        relay.start()
    }

    private func replay(_ events: [StreamRecording.Event], paced: Bool) {
        ReplayWriter(exchange: exchange, host: host, events: events, paced: paced, startedAt: startedAt).start()
    }

    private func finish(_ problem: ProblemDetails, extra: HTTPHeaders) {
        host.log.rejected(route: "stream", status: problem.status, reason: problem.title)
        exchange.respond(problem: problem, extraHeaders: extra)
        host.countRequest(route: "stream", status: problem.status, startedAt: startedAt)
    }
}

/// Records a relayed stream and stores it beside its entry when it completes successfully.
/// Threading: loop-bound (fed by the `StreamRelay` that relays the stream, once whatever the
/// number of its clients).
final class StreamRecordingTap {
    private var recorder: SSERecorder
    private let host: ProxyResponder
    private let key: CacheKey
    private let predictionID: String?
    private let ttlSeconds: Int

    init(host: ProxyResponder, key: CacheKey, predictionID: String?, ttlSeconds: Int) {
        self.host = host
        self.key = key
        self.predictionID = predictionID
        self.ttlSeconds = ttlSeconds
        recorder = SSERecorder(maxBytes: host.cache.settings.streamMaxBytes, startedAtMillis: host.clock.unixMillis())
    }

    func observe(_ bytes: UnsafeRawBufferPointer) {
        recorder.feed(bytes, nowMillis: host.clock.unixMillis())
    }

    /// The relay ended; `complete` is true when upstream finished the body cleanly.
    func ended(complete: Bool) {
        guard complete, let recording = recorder.finishedRecording() else { return }
        host.cache.store.storeRecording(key: key, recording: recording.encoded(), ttlSeconds: ttlSeconds)
        // The stream says the prediction is done: fetch its final state now rather than at the
        // next backoff step, so the next identical create is already a hit.
        if let predictionID { host.poller.pollSoon(predictionID) }
    }
}

/// Writes recorded or synthesised events to a client, immediately or at their original pace,
/// respecting back-pressure. Threading: loop-bound; keeps itself alive as the exchange's delegate.
final class ReplayWriter: HTTPExchangeDelegate {
    private let exchange: any HTTPExchange
    private let host: ProxyResponder
    private let events: [StreamRecording.Event]
    private let paced: Bool
    private let startedAt: UInt64
    private var next = 0
    private var timer: TimerHandle?
    private var done = false
    private var replayStart: UInt64 = 0

    init(exchange: any HTTPExchange, host: ProxyResponder, events: [StreamRecording.Event], paced: Bool, startedAt: UInt64) {
        self.exchange = exchange
        self.host = host
        self.events = events
        self.paced = paced
        self.startedAt = startedAt
    }

    func start() {
        exchange.delegate = self
        var headers = HTTPHeaders()
        headers.add(.contentType, "text/event-stream")
        headers.add(.cacheControl, "no-cache")
        headers.add(.xCacheStatus, "HIT")
        exchange.sendHead(HTTPResponseHead(status: 200, headers: headers))
        host.cache.metrics.adjust(MetricSeries(.sseStreamsActive), by: 1)
        replayStart = host.loop.now
        if exchange.head.method == .head { return end() }
        pump()
    }

    private func pump() {
        while !done, next < events.count {
            if paced {
                let due = replayStart &+ UInt64(events[next].offsetMillis) * 1_000_000
                if due > host.loop.now {
                    timer = host.loop.schedule(atNanoseconds: due) { [weak self] in
                        self?.timer = nil
                        self?.pump()
                    }
                    return
                }
            }
            let writable = exchange.sendBody(events[next].bytes)
            next += 1
            if !writable { return }  // resumes on exchangeBecameWritable
        }
        if next >= events.count { end() }
    }

    private func end() {
        guard !done else { return }
        done = true
        exchange.finish()
        host.cache.metrics.adjust(MetricSeries(.sseStreamsActive), by: -1)
        host.countRequest(route: "stream", status: 200, startedAt: startedAt)
    }

    func exchange(_ exchange: any HTTPExchange, didReceiveBody bytes: UnsafeRawBufferPointer) {}
    func exchangeDidEndRequestBody(_ exchange: any HTTPExchange) {}

    func exchangeBecameWritable(_ exchange: any HTTPExchange) {
        if timer == nil { pump() }
    }

    func exchangeDidClose(_ exchange: any HTTPExchange) {
        guard !done else { return }
        done = true
        if let timer { host.loop.cancel(timer) }
        host.cache.metrics.adjust(MetricSeries(.sseStreamsActive), by: -1)
        host.countRequest(route: "stream", status: 499, startedAt: startedAt)
    }
}
