/// Turns a YAML tree (plus environment overrides) into a `RepriseConfig`, checking every key
/// against `ConfigSchema` and collecting every problem instead of stopping at the first.
///
/// Two passes: `checkStructure` walks the file and reports unknown keys (with a suggestion) and
/// sections that are not mappings; then each table key is read with its parser, falling back to
/// the table's default when absent or invalid (the config is rejected anyway if anything was
/// reported, but decoding goes on so that later keys are checked too). Environment variables
/// named in the table replace the file's value after it has been checked. Single-use,
/// single-threaded value type.
struct ConfigDecoder {
    let root: YAMLNode?
    let environment: [String: String]
    var diagnostics = ConfigDiagnostics()
    /// Table patterns that were read; a test checks this covers `ConfigSchema.keys`, so a key
    /// cannot be in the table (hence accepted) yet ignored by the decoder.
    private(set) var visited: Set<String> = []

    init(root: YAMLNode?, environment: [String: String]) {
        self.root = root
        self.environment = environment
    }

    mutating func decode() -> RepriseConfig {
        if let root { checkStructure(root, pattern: "", display: "") }
        // Table order, so environment errors come out in the order the docs list the variables.
        let listen = setting("listen", ListenAddress.init(parsing:))
        let publicURL = optionalSetting("public_url", HTTPBaseURL.init(parsing:))
        let positive = ValueParsers.duration(allowZero: false)
        let upstream = UpstreamSettings(
            url: setting("upstream.url", HTTPBaseURL.init(parsing:)),
            timeout: setting("upstream.timeout", positive),
            connectTimeout: setting("upstream.connect_timeout", positive),
            maxIdleConnections: setting("upstream.max_idle_connections", ValueParsers.integer(0...10_000)),
            http2: setting("upstream.http2", ValueParsers.boolean),
            client: setting("upstream.client", ValueParsers.choice(UpstreamEngine.self)),
            streamHosts: setting("upstream.stream_hosts", ValueParsers.hostSuffixes))
        let redis = RedisSettings(
            url: setting("redis.url", RedisURL.init(parsing:)),
            keyPrefix: setting("redis.key_prefix", ValueParsers.string),
            timeout: setting("redis.timeout", positive))
        let cache = CacheSettings(
            defaultTTL: setting("cache.default_ttl", positive),
            scope: setting("cache.scope", ValueParsers.choice(CacheScope.self)),
            streamMaxBytes: setting("cache.stream_max_bytes", ValueParsers.size(atLeast: .kibibytes(1))),
            streamReplay: setting("cache.stream_replay", ValueParsers.choice(StreamReplayPace.self)),
            hotTTL: setting("cache.hot_ttl", ValueParsers.duration(allowZero: true)),
            hotMaxBytes: setting("cache.hot_max_bytes", ValueParsers.size(atLeast: .kibibytes(64))),
            hotGrace: setting("cache.hot_grace", ValueParsers.duration(allowZero: true)),
            models: cacheRules())
        let server = ServerSettings(
            loops: setting("server.loops", ValueParsers.integer(0...256)),
            maxConnections: setting("server.max_connections", ValueParsers.integer(1...1_000_000)),
            maxBodySize: setting("server.max_body_size", ValueParsers.size(atLeast: ByteSize(bytes: 1))),
            maxHeaderSize: setting("server.max_header_size", ValueParsers.size(atLeast: .kibibytes(1))),
            headerTimeout: setting("server.header_timeout", positive),
            idleTimeout: setting("server.idle_timeout", positive),
            bodyTimeout: setting("server.body_timeout", positive),
            drainTimeout: setting("server.drain_timeout", ValueParsers.duration(allowZero: true)),
            streamClientBuffer: setting("server.stream_client_buffer", ValueParsers.size(atLeast: .kibibytes(1))))
        let webhooks = WebhookSettings(
            allowPrivate: setting("webhooks.allow_private", ValueParsers.boolean),
            timeout: setting("webhooks.timeout", positive),
            retryBackoff: setting("webhooks.retry_backoff", positive),
            retryWindow: setting("webhooks.retry_window", ValueParsers.duration(allowZero: true)),
            queueSize: setting("webhooks.queue_size", ValueParsers.integer(1...1_000_000)))
        let log = LogSettings(
            level: setting("log.level", ValueParsers.choice(LogLevelSetting.self)),
            requests: setting("log.requests", ValueParsers.boolean))
        return RepriseConfig(
            listen: listen, publicURL: publicURL, upstream: upstream, redis: redis, cache: cache, pricing: pricing(),
            server: server, webhooks: webhooks, log: log)
    }

    // MARK: - Structure

    /// Reports unknown keys and non-mapping sections under `node`, recursing into known sections.
    private mutating func checkStructure(_ node: YAMLNode, pattern: String, display: String) {
        guard let entries = node.entries else {
            if node.isNull || node.content == .invalid { return }
            if display.isEmpty {
                diagnostics.add(
                    line: node.line,
                    "the top level must be a mapping such as 'listen: 127.0.0.1:8080', "
                        + "not \(node.kindDescription)")
            } else {
                diagnostics.add(line: node.line, "\(display): expected a mapping, found \(node.kindDescription)")
            }
            return
        }
        let children = ConfigSchema.children(of: pattern)
        for entry in entries {
            let childDisplay = KeySuggestion.join(display, entry.key)
            let childPattern: String
            if children == ["*"] {
                childPattern = pattern + ".*"
            } else if children.contains(entry.key) {
                childPattern = KeySuggestion.join(pattern, entry.key)
            } else {
                let hint = KeySuggestion.hint(for: entry.key, siblings: children, displayParent: display)
                diagnostics.add(line: entry.keyLine, "unknown key '\(childDisplay)'\(hint)")
                continue
            }
            if !ConfigSchema.children(of: childPattern).isEmpty {
                checkStructure(entry.value, pattern: childPattern, display: childDisplay)
            }
        }
    }

    // MARK: - Reading values

    /// A fixed key: the file's value, else the table default; then its environment override.
    private mutating func setting<T>(_ path: String, _ parse: ValueParser<T>) -> T {
        var value = leaf(path, node: node(at: path), display: path, parse) ?? defaultValue(path, parse)
        if let override = environmentOverride(path, parse) { value = override }
        return value
    }

    /// A key whose default is "unset".
    private mutating func optionalSetting<T>(_ path: String, _ parse: ValueParser<T>) -> T? {
        environmentOverride(path, parse) ?? leaf(path, node: node(at: path), display: path, parse)
    }

    private mutating func environmentOverride<T>(_ path: String, _ parse: ValueParser<T>) -> T? {
        guard let variable = schemaKey(path).environmentVariable, let text = environment[variable], !text.isEmpty
        else { return nil }
        do throws(ConfigValueError) {
            return try parse(text)
        } catch {
            diagnostics.addEnvironment(variable, error.message)
            return nil
        }
    }

    /// Parses one scalar node; nil when absent, or invalid (and then reported).
    mutating func leaf<T>(_ pattern: String, node: YAMLNode?, display: String, _ parse: ValueParser<T>) -> T? {
        visited.insert(pattern)
        guard let node else { return nil }
        switch node.content {
        case .invalid:
            return nil
        case .scalar(let scalar) where scalar.isNull:
            var message = "\(display): no value given"
            if case .literal(let text) = schemaKey(pattern).defaultValue {
                message += "; remove the key to use the default (\(text))"
            }
            diagnostics.add(line: node.line, message)
            return nil
        case .scalar(let scalar):
            do throws(ConfigValueError) {
                return try parse(scalar.text)
            } catch {
                diagnostics.add(line: node.line, "\(display): \(error.message)")
                return nil
            }
        case .mapping, .sequence:
            let type = schemaKey(pattern).type
            diagnostics.add(
                line: node.line, "\(display): expected a single \(type) value, found \(node.kindDescription)")
            return nil
        }
    }

    /// The table default of `pattern`, parsed by the same parser as the file's text.
    mutating func defaultValue<T>(_ pattern: String, _ parse: ValueParser<T>) -> T {
        guard case .literal(let text) = schemaKey(pattern).defaultValue else {
            preconditionFailure("ConfigSchema: '\(pattern)' is read with a default but has no literal one")
        }
        do throws(ConfigValueError) {
            return try parse(text)
        } catch {
            preconditionFailure("ConfigSchema: default of '\(pattern)' does not parse: \(error)")
        }
    }

    /// The entries of a map key (`cache.models`), or none when absent, empty or not a mapping.
    mutating func mapEntries(_ path: String) -> [YAMLMappingEntry] {
        visited.insert(path)
        return node(at: path)?.entries ?? []
    }

    /// The node at a fixed dotted path, if every section on the way is a mapping that has it.
    private func node(at path: String) -> YAMLNode? {
        var current = root
        for segment in path.split(separator: ".") { current = current?[String(segment)] }
        return current
    }

    func schemaKey(_ pattern: String) -> ConfigKey {
        guard let key = ConfigSchema.key(pattern) else { preconditionFailure("'\(pattern)' is not in ConfigSchema") }
        return key
    }
}
