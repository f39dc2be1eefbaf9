/// The state of one upstream stream relayed to several clients: who has been sent what, when to
/// pause or cancel the upstream transfer, which client to drop. Pure value type in the style of
/// async-http-client's state machines: every event goes in as a method call, and what the
/// caller must do comes back as `Action`s, executed in order. The bytes live here once (`log`),
/// whatever the number of clients; a client's backlog is the range it has not been sent yet.
///
/// Rules:
/// - Everything upstream sent is kept from byte 0 while the stream is *joinable* (at most
///   `maxPrefix` bytes): a late joiner is sent the head, then the whole prefix, then live bytes.
///   Past `maxPrefix` no one can join any more, and bytes every client has been sent are freed.
/// - A client is *writable* until its connection says its write buffer is full (`blocked`);
///   writable clients are always caught up (`sent == total`).
/// - Upstream is paused only when no client is writable (one client: classic back-pressure);
///   otherwise bytes are taken and a blocked client falls behind. A client more than `maxLag`
///   bytes behind is dropped: its response ends as an upstream EOF would end it (`.finish`).
/// - A client leaving does not end the relay; the last one leaving cancels the upstream transfer.
/// - Upstream ending cleanly sends every client its backlog, then ends it (`.finish`); upstream
///   breaking off ends every client with `.abort` (the truncation stays visible); upstream failing
///   before its head fails every client (`.fail`: the caller answers a gateway error).
public struct StreamFanOut: Sendable {
    public typealias SubscriberID = Int

    /// How a client's response ends.
    public enum Ending: Sendable, Equatable {
        /// End the body cleanly (upstream EOF, or a client dropped for lagging).
        case finish
        /// Close the connection (upstream broke off mid-body).
        case abort
    }

    public enum Action: Sendable, Equatable {
        /// Send the upstream response head to this client.
        case sendHead(SubscriberID)
        /// Send the stream bytes `range` (absolute offsets; read them with `bytes(_:)`), then
        /// call `blocked` if the connection reports its write buffer full.
        case write(SubscriberID, Range<Int>)
        /// End this client's response; it is no longer a subscriber.
        case end(SubscriberID, Ending, dropped: Bool)
        /// Upstream failed before its head: answer this client with a gateway error.
        case fail(SubscriberID)
        /// A client can take bytes again: resume the paused upstream transfer.
        case resumeUpstream
        /// No client is left: cancel the upstream transfer.
        case cancelUpstream
    }

    private enum Phase: Sendable, Equatable {
        case awaitingHead, relaying, over
    }

    private struct Subscriber: Sendable {
        let id: SubscriberID
        var sent: Int
        var writable: Bool
    }

    /// Bytes from absolute offset `base` to `total`.
    private var log: [UInt8] = []
    private var base = 0
    private var subscribers: [Subscriber] = []
    private var phase = Phase.awaitingHead
    private var nextID = 0
    private var upstreamPaused = false
    private let maxLag: Int
    private let maxPrefix: Int

    /// Stream bytes received so far.
    public var total: Int { base + log.count }
    /// True while a new client can still be sent the whole stream.
    public private(set) var joinable = true
    /// Clients being served.
    public var subscriberCount: Int { subscribers.count }
    /// True once the relay has ended (every client ended or failed, or all left).
    public var isOver: Bool { phase == .over }

    public init(maxLag: Int, maxPrefix: Int) {
        self.maxLag = max(1, maxLag)
        self.maxPrefix = maxPrefix
    }

    /// The stream bytes in `range`, which must come from a `.write` returned by the last event
    /// (`blocked` may come in between). A slice
    /// shares the log's storage (no copy) and stays valid whatever happens to the state after.
    public func bytes(_ range: Range<Int>) -> ArraySlice<UInt8> {
        log[(range.lowerBound - base)..<(range.upperBound - base)]
    }

    /// A client arrives. nil when it cannot be served the whole stream any more (the relay is
    /// over, or its prefix was let go): the caller opens a relay of its own for it.
    public mutating func join() -> (SubscriberID, [Action])? {
        guard joinable, phase != .over else { return nil }
        let id = nextID
        nextID += 1
        subscribers.append(Subscriber(id: id, sent: 0, writable: true))
        guard phase == .relaying else { return (id, []) }
        var actions: [Action] = [.sendHead(id)]
        if total > 0 { actions.append(.write(id, 0..<total)) }
        subscribers[subscribers.count - 1].sent = total
        if upstreamPaused {
            upstreamPaused = false
            actions.append(.resumeUpstream)
        }
        return (id, actions)
    }

    /// Upstream's response head arrived.
    public mutating func receivedHead() -> [Action] {
        guard phase == .awaitingHead else { return [] }
        phase = .relaying
        return subscribers.map { .sendHead($0.id) }
    }

    /// Upstream body bytes. `accepted` false: no client can take them; the caller leaves them
    /// with upstream (pauses it) and gets `.resumeUpstream` when a client can.
    public mutating func received(_ bytes: UnsafeRawBufferPointer) -> (accepted: Bool, actions: [Action]) {
        guard phase == .relaying else { return (true, []) }
        trim()
        guard subscribers.contains(where: \.writable) else {
            upstreamPaused = true
            return (false, [])
        }
        let start = total
        log.append(contentsOf: bytes)
        let end = total
        var actions: [Action] = []
        var kept: [Subscriber] = []
        for var s in subscribers {
            if s.writable {
                actions.append(.write(s.id, start..<end))
                s.sent = end
            } else if end - s.sent > maxLag {
                actions.append(.end(s.id, .finish, dropped: true))
                continue
            }
            kept.append(s)
        }
        subscribers = kept
        if total > maxPrefix { joinable = false }
        return (true, actions)
    }

    /// The client's connection reported its write buffer full after a `.write`.
    public mutating func blocked(_ id: SubscriberID) {
        guard let i = subscribers.firstIndex(where: { $0.id == id }) else { return }
        subscribers[i].writable = false
    }

    /// The client's connection drained: it is sent its backlog, and upstream resumes if paused.
    public mutating func becameWritable(_ id: SubscriberID) -> [Action] {
        guard let i = subscribers.firstIndex(where: { $0.id == id }), !subscribers[i].writable else { return [] }
        trim()
        var actions: [Action] = []
        subscribers[i].writable = true
        if subscribers[i].sent < total {
            actions.append(.write(id, subscribers[i].sent..<total))
            subscribers[i].sent = total
        }
        if upstreamPaused {
            upstreamPaused = false
            actions.append(.resumeUpstream)
        }
        return actions
    }

    /// The client went away. The last one leaving cancels the upstream transfer.
    public mutating func left(_ id: SubscriberID) -> [Action] {
        guard let i = subscribers.firstIndex(where: { $0.id == id }) else { return [] }
        subscribers.remove(at: i)
        guard subscribers.isEmpty, phase != .over else { return [] }
        phase = .over
        release()
        return [.cancelUpstream]
    }

    /// Upstream's transfer ended: `broke` when it failed (before or after the head).
    public mutating func upstreamEnded(broke: Bool) -> [Action] {
        guard phase != .over else { return [] }
        let wasRelaying = phase == .relaying
        phase = .over
        var actions: [Action] = []
        for s in subscribers {
            if !wasRelaying {
                actions.append(.fail(s.id))
            } else if broke {
                actions.append(.end(s.id, .abort, dropped: false))
            } else {
                if s.sent < total { actions.append(.write(s.id, s.sent..<total)) }
                actions.append(.end(s.id, .finish, dropped: false))
            }
        }
        subscribers = []
        return actions
    }

    /// Frees the stored bytes once every action that reads them has been executed.
    public mutating func release() {
        guard phase == .over else { return }
        base = total
        log = []
        joinable = false
    }

    /// Frees bytes every client has been sent, once no one can join any more. Called when the
    /// next event comes in, never before returning actions: the bytes that the last actions
    /// name stay readable until then.
    private mutating func trim() {
        guard !joinable else { return }
        let floor = subscribers.map(\.sent).min() ?? total
        let drop = floor - base
        // Shift the log only when the freed part is worth it: amortised O(1) per byte.
        guard drop > 0, drop >= log.count / 2 else { return }
        log.removeFirst(drop)
        base = floor
    }
}
