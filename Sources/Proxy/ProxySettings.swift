import ProxyCore
import WebhookDelivery

/// The part of the configuration the request path reads, flattened for speed.
///
/// Each loop holds its own copy; a reload (SIGHUP) hands every loop a new value through
/// `EventLoop.execute`, so requests never take a lock to read settings and a request always
/// sees one consistent version. Value type; `Sendable`.
public struct ProxySettings: Sendable, Equatable {
    /// Upstream API base, scheme://host[:port] without a trailing slash or `/v1`.
    public var upstreamBase: String
    /// Configured public base URL, or nil to derive it from each request's Host.
    public var publicURL: String?
    /// `host:port` Reprise listens on (fallback public base for Host-less requests).
    public var listen: String
    /// Write one access-log line per request.
    public var logRequests: Bool
    /// Request-body bytes buffered toward upstream before the client is paused.
    public var upstreamBodyHighWater: Int
    /// How webhooks owed by cache hits are delivered (`webhooks.*`).
    public var webhooks: WebhookDeliverySettings
    /// Which stream URLs a relay may open (`upstream.stream_hosts` and `upstream.url`).
    public var streamURLs: StreamURLPolicy
    /// Bytes a client of a shared stream may lag behind before it is dropped.
    public var streamClientBuffer: Int

    public init(
        upstreamBase: String, publicURL: String? = nil, listen: String, logRequests: Bool = true,
        upstreamBodyHighWater: Int = 256 * 1024, webhooks: WebhookDeliverySettings = WebhookDeliverySettings(),
        streamHosts: [String] = StreamURLPolicy.replicateHostSuffixes, streamClientBuffer: Int = 1 << 20
    ) {
        self.upstreamBase = upstreamBase
        self.publicURL = publicURL
        self.listen = listen
        self.logRequests = logRequests
        self.upstreamBodyHighWater = upstreamBodyHighWater
        self.webhooks = webhooks
        self.streamURLs = StreamURLPolicy(upstreamBase: upstreamBase, hostSuffixes: streamHosts)
        self.streamClientBuffer = streamClientBuffer
    }
}
