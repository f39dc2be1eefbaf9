import Config
import HTTPServer
import Logging
import RedisStore
import Upstream
import WebhookDelivery
import Webhooks

/// Turns the typed config into the settings each component takes. This is the only place
/// that maps config keys onto runtime knobs: components keep their own defaults for tests, but a
/// running Reprise always gets every value from `RepriseConfig`, whose defaults live in the
/// config key table alone.
extension RepriseConfig {
    public var httpServerConfiguration: HTTPServerConfiguration {
        var c = HTTPServerConfiguration()
        c.maxHeaderBytes = server.maxHeaderSize.bytes
        c.maxBodyBytes = server.maxBodySize.bytes
        c.headerTimeout = server.headerTimeout
        c.idleTimeout = server.idleTimeout
        c.bodyTimeout = server.bodyTimeout
        c.maxConnections = server.maxConnections
        return c
    }

    public var upstreamClientConfiguration: UpstreamClientConfiguration {
        var c = UpstreamClientConfiguration()
        c.connectTimeout = upstream.connectTimeout
        c.idleTimeout = upstream.timeout
        c.maxIdleConnections = upstream.maxIdleConnections
        c.allowHTTP2 = upstream.http2
        if upstream.client == .native {
            // The origin only: Reprise's upstream URLs are this text plus a path.
            let url = upstream.url
            c.nativeOrigin = HTTPBaseURL(scheme: url.scheme, host: url.host, port: url.port).string
        }
        return c
    }

    public var proxySettings: ProxySettings {
        ProxySettings(
            upstreamBase: upstream.url.string, publicURL: publicURL?.string,
            listen: "\(listen.host.contains(":") ? "[\(listen.host)]" : listen.host):\(listen.port)",
            logRequests: log.requests, webhooks: webhookDeliverySettings, streamHosts: upstream.streamHosts,
            streamClientBuffer: server.streamClientBuffer.bytes)
    }

    public var webhookDeliverySettings: WebhookDeliverySettings {
        var c = WebhookDeliverySettings()
        c.allowPrivate = webhooks.allowPrivate
        c.timeout = webhooks.timeout
        c.retry = WebhookRetrySchedule(initial: webhooks.retryBackoff, window: webhooks.retryWindow)
        c.maxQueued = webhooks.queueSize
        c.secretURL = upstream.url.string + "/v1/webhooks/default/secret"
        c.userAgent = "reprise/" + RepriseVersion.current
        return c
    }

    public var redisConnectionConfiguration: RedisConnectionConfiguration {
        var c = RedisConnectionConfiguration(host: redis.url.host, port: redis.url.port)
        c.username = redis.url.username
        c.password = redis.url.password
        c.database = redis.url.database
        c.commandTimeout = redis.timeout
        // The connection is declared dead after a silence longer than any one command may take;
        // a `redis.timeout` past the client's default must move that bound along, or start-up
        // fails validation on a config that `--check-config` accepted.
        if c.unresponsiveTimeout <= c.commandTimeout { c.unresponsiveTimeout = c.commandTimeout * 2 }
        return c
    }

    public var logLevel: LogLevel {
        LogLevel(name: log.level.rawValue) ?? .info
    }
}
