import ProxyCore
import Testing

/// The fan-out state of a shared stream relay: late joiners get the prefix, slow clients are
/// dropped past their lag bound without stalling the others, the last client leaving cancels.
@Suite struct StreamFanOutTests {
    typealias Action = StreamFanOut.Action

    /// Feeds `text` as upstream bytes.
    static func receive(_ s: inout StreamFanOut, _ text: String) -> (accepted: Bool, actions: [Action]) {
        Array(text.utf8).withUnsafeBytes { s.received($0) }
    }

    /// A client joins; fails the test when it cannot.
    static func join(_ s: inout StreamFanOut) throws -> (StreamFanOut.SubscriberID, [Action]) {
        let joined = s.join()
        return try #require(joined)
    }

    static func text(_ s: StreamFanOut, _ range: Range<Int>) -> String {
        String(decoding: s.bytes(range), as: UTF8.self)
    }

    @Test func aLateJoinerGetsTheHeadAndTheWholePrefixThenLiveBytes() throws {
        var s = StreamFanOut(maxLag: 1024, maxPrefix: 1 << 20)
        let (a, joinA) = try Self.join(&s)
        #expect(joinA.isEmpty)  // no head yet
        #expect(s.receivedHead() == [.sendHead(a)])
        #expect(Self.receive(&s, "event: output\n").actions == [.write(a, 0..<14)])
        #expect(Self.receive(&s, "data: 1\n\n").actions == [.write(a, 14..<23)])
        let (b, joinB) = try Self.join(&s)
        #expect(joinB == [.sendHead(b), .write(b, 0..<23)])
        #expect(Self.text(s, 0..<23) == "event: output\ndata: 1\n\n")
        #expect(Self.receive(&s, "x").actions == [.write(a, 23..<24), .write(b, 23..<24)])
        #expect(s.upstreamEnded(broke: false) == [.end(a, .finish, dropped: false), .end(b, .finish, dropped: false)])
        #expect(s.isOver)
        #expect(s.join() == nil)
    }

    @Test func joinersBeforeTheHeadAllGetIt() throws {
        var s = StreamFanOut(maxLag: 1024, maxPrefix: 1 << 20)
        let (a, _) = try Self.join(&s)
        let (b, _) = try Self.join(&s)
        #expect(s.receivedHead() == [.sendHead(a), .sendHead(b)])
    }

    @Test func aBlockedClientFallsBehindWithoutStallingTheOthersAndCatchesUp() throws {
        var s = StreamFanOut(maxLag: 10, maxPrefix: 1 << 20)
        let (a, _) = try Self.join(&s)
        let (b, _) = try Self.join(&s)
        _ = s.receivedHead()
        _ = Self.receive(&s, "abc")
        s.blocked(b)
        let r = Self.receive(&s, "defg")
        #expect(r.accepted)
        #expect(r.actions == [.write(a, 3..<7)])
        #expect(s.becameWritable(b) == [.write(b, 3..<7)])
    }

    @Test func aClientTooFarBehindIsDroppedAsIfUpstreamHadEnded() throws {
        var s = StreamFanOut(maxLag: 5, maxPrefix: 1 << 20)
        let (a, _) = try Self.join(&s)
        let (b, _) = try Self.join(&s)
        _ = s.receivedHead()
        s.blocked(b)
        #expect(Self.receive(&s, "12345").actions == [.write(a, 0..<5)])  // exactly at the bound: kept
        #expect(Self.receive(&s, "6").actions == [.write(a, 5..<6), .end(b, .finish, dropped: true)])
        #expect(s.subscriberCount == 1)
        #expect(s.becameWritable(b).isEmpty)
    }

    @Test func upstreamPausesOnlyWhenNoClientCanTakeBytes() throws {
        var s = StreamFanOut(maxLag: 1024, maxPrefix: 1 << 20)
        let (a, _) = try Self.join(&s)
        _ = s.receivedHead()
        s.blocked(a)
        let r = Self.receive(&s, "abc")
        #expect(!r.accepted)
        #expect(r.actions.isEmpty)
        #expect(s.total == 0)
        #expect(s.becameWritable(a) == [.resumeUpstream])
        #expect(Self.receive(&s, "abc").actions == [.write(a, 0..<3)])
    }

    @Test func aJoinerResumesAPausedUpstream() throws {
        var s = StreamFanOut(maxLag: 1024, maxPrefix: 1 << 20)
        let (a, _) = try Self.join(&s)
        _ = s.receivedHead()
        _ = Self.receive(&s, "ab")
        s.blocked(a)
        #expect(!Self.receive(&s, "c").accepted)
        let (b, actions) = try Self.join(&s)
        #expect(actions == [.sendHead(b), .write(b, 0..<2), .resumeUpstream])
    }

    @Test func leavingDoesNotEndTheRelayUntilTheLastClientGoes() throws {
        var s = StreamFanOut(maxLag: 1024, maxPrefix: 1 << 20)
        let (a, _) = try Self.join(&s)
        let (b, _) = try Self.join(&s)
        _ = s.receivedHead()
        #expect(s.left(a).isEmpty)
        #expect(Self.receive(&s, "x").actions == [.write(b, 0..<1)])
        #expect(s.left(b) == [.cancelUpstream])
        #expect(s.isOver)
        #expect(s.upstreamEnded(broke: true).isEmpty)
    }

    @Test func aCleanEndSendsEachBacklogFirstAndABreakAbortsEveryone() throws {
        var s = StreamFanOut(maxLag: 1024, maxPrefix: 1 << 20)
        let (a, _) = try Self.join(&s)
        let (b, _) = try Self.join(&s)
        _ = s.receivedHead()
        s.blocked(b)
        _ = Self.receive(&s, "abc")
        #expect(s.upstreamEnded(broke: false) == [.end(a, .finish, dropped: false), .write(b, 0..<3), .end(b, .finish, dropped: false)])

        var t = StreamFanOut(maxLag: 1024, maxPrefix: 1 << 20)
        let (c, _) = try Self.join(&t)
        _ = t.receivedHead()
        #expect(t.upstreamEnded(broke: true) == [.end(c, .abort, dropped: false)])
    }

    @Test func failureBeforeTheHeadFailsEveryClient() throws {
        var s = StreamFanOut(maxLag: 1024, maxPrefix: 1 << 20)
        let (a, _) = try Self.join(&s)
        let (b, _) = try Self.join(&s)
        #expect(s.upstreamEnded(broke: true) == [.fail(a), .fail(b)])
    }

    @Test func pastThePrefixBoundNoOneJoinsAndSentBytesAreFreed() throws {
        var s = StreamFanOut(maxLag: 1024, maxPrefix: 4)
        let (a, _) = try Self.join(&s)
        _ = s.receivedHead()
        _ = Self.receive(&s, "abcd")
        #expect(s.joinable)
        _ = Self.receive(&s, "ef")
        #expect(!s.joinable)
        #expect(s.join() == nil)
        // Bytes are still addressed by their absolute offsets after the log is trimmed.
        s.blocked(a)
        _ = s.becameWritable(a)
        let r = Self.receive(&s, "gh")
        #expect(r.actions == [.write(a, 6..<8)])
        #expect(Self.text(s, 6..<8) == "gh")
    }
}
