/// What a file descriptor registered with an `EventLoop` wants to hear about.
public struct IOInterest: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let read = IOInterest(rawValue: 1)
    public static let write = IOInterest(rawValue: 2)
    public static let none: IOInterest = []
}

/// What happened on a file descriptor, as reported by epoll.
public struct IOEvents: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let readable = IOEvents(rawValue: 1)
    public static let writable = IOEvents(rawValue: 2)
    /// The peer closed its side (EPOLLRDHUP/EPOLLHUP). Reading still drains buffered bytes.
    public static let hangup = IOEvents(rawValue: 4)
    /// EPOLLERR: the next read or write returns the error.
    public static let error = IOEvents(rawValue: 8)
}

/// An object that owns a file descriptor registered with an `EventLoop`.
///
/// Threading: `handleIO` is only ever called on the loop the descriptor is registered with.
/// The loop keeps a strong reference until `unregister`, so a handler lives as long as its
/// descriptor is watched.
public protocol IOHandler: AnyObject {
    func handleIO(_ events: IOEvents)
}
