/// What a `SIGHUP` reload applies. The config table (`ConfigSchema.keys`, `ConfigKey.reload`)
/// says which keys are read only at start; this is where a running config keeps their values,
/// so that the running instance, its log line and its later reads (`server.drain_timeout` on
/// `SIGTERM`) all agree with the table.
extension RepriseConfig {
    /// `new` with every key the table marks `.restart` kept at its running value (`self`), and
    /// the paths of those whose value in `new` differs (they need a restart), in table order.
    public func reloaded(from new: RepriseConfig) -> (config: RepriseConfig, needRestart: [String]) {
        var applied = new
        var needRestart: [String] = []
        let keepers = Self.restartKeepers
        for key in ConfigSchema.keys where key.reload == .restart {
            // Every restart key has a keeper (checked by ConfigReloadTests); a missing one would
            // apply the new value, so it is reported as needing a restart rather than ignored.
            guard let keep = keepers[key.path] else {
                needRestart.append(key.path)
                continue
            }
            if keep(&applied, self) { needRestart.append(key.path) }
        }
        return (applied, needRestart)
    }

    /// For each key read only at start: copies the running value (second argument) into the
    /// reloaded config (first) and says whether they differed.
    static var restartKeepers: [String: (inout RepriseConfig, RepriseConfig) -> Bool] {
        [
            "listen": keeper(\.listen),
            "upstream.timeout": keeper(\.upstream.timeout),
            "upstream.connect_timeout": keeper(\.upstream.connectTimeout),
            "upstream.max_idle_connections": keeper(\.upstream.maxIdleConnections),
            "upstream.http2": keeper(\.upstream.http2),
            "upstream.client": keeper(\.upstream.client),
            "redis.url": keeper(\.redis.url),
            "redis.key_prefix": keeper(\.redis.keyPrefix),
            "redis.timeout": keeper(\.redis.timeout),
            "server.loops": keeper(\.server.loops),
            "server.max_connections": keeper(\.server.maxConnections),
            "server.max_body_size": keeper(\.server.maxBodySize),
            "server.max_header_size": keeper(\.server.maxHeaderSize),
            "server.header_timeout": keeper(\.server.headerTimeout),
            "server.idle_timeout": keeper(\.server.idleTimeout),
            "server.body_timeout": keeper(\.server.bodyTimeout),
            "server.drain_timeout": keeper(\.server.drainTimeout),
            "log.level": keeper(\.log.level),
        ]
    }

    private static func keeper<V: Equatable>(
        _ field: WritableKeyPath<RepriseConfig, V>
    ) -> (inout RepriseConfig, RepriseConfig) -> Bool {
        { reloaded, running in
            let differs = reloaded[keyPath: field] != running[keyPath: field]
            reloaded[keyPath: field] = running[keyPath: field]
            return differs
        }
    }
}
