/// Limits and timeouts of the HTTP/1.1 server. Every default is stated here and nowhere else;
/// the `server:` section of the config file overrides them. Value type.
public struct HTTPServerConfiguration: Sendable, Equatable {
    /// Largest request head (start line + headers). Past it: 431.
    public var maxHeaderBytes: Int = 64 * 1024
    /// Largest request body. Past it (declared or received): 413.
    public var maxBodyBytes: Int = 100 * 1024 * 1024
    /// Time allowed from the first byte of a request to the end of its head. Past it: 408.
    public var headerTimeout: Duration = .seconds(10)
    /// Time a keep-alive connection may sit with no request before it is closed (no answer).
    public var idleTimeout: Duration = .seconds(75)
    /// Time a request body may stall (no byte while the server is reading it). Past it: 408.
    public var bodyTimeout: Duration = .seconds(60)
    /// Open client connections across all loops. Past it: 503 in Replicate's error shape, close.
    public var maxConnections: Int = 10_000
    /// Response bytes queued per connection before `sendBody` reports back-pressure.
    public var writeHighWater: Int = 256 * 1024
    /// Queued bytes below which a paused producer is told to resume.
    public var writeLowWater: Int = 64 * 1024

    public init() {}
}
