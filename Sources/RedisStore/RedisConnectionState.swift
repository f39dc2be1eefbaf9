/// What a `RedisClient` reports through `onStateChange`: usable or not, and why not.
///
/// Reported only on change (and once for the first outcome after `start()`), so the proxy can
/// drive `/readyz`, a gauge and an error counter from it without de-duplicating.
public enum RedisConnectionState: Hashable, Sendable {
    /// Connected, authenticated and on the configured database: commands are sent.
    case connected
    /// Not usable; commands fail at once with `notConnected` while the client reconnects.
    case disconnected(RedisError)

    public var isConnected: Bool { self == .connected }
}
