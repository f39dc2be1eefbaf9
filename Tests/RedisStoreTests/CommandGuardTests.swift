import Testing

@testable import RedisStore

@Suite struct CommandGuardTests {
    @Test func acceptsOrdinaryCommands() {
        #expect(CommandGuard.rejection(["GET", .string("k")]) == nil)
        #expect(CommandGuard.rejection(["client", "setname", "x"]) == nil)
        #expect(CommandGuard.rejection(["PING"]) == nil)
        #expect(CommandGuard.rejection([.string("subscriber")]) == nil)
    }

    @Test(arguments: [
        "SUBSCRIBE", "psubscribe", "SSubscribe", "UNSUBSCRIBE", "punsubscribe", "sunsubscribe", "MONITOR", "sync",
        "PSYNC",
    ])
    func refusesCommandsThatBreakReplyPairing(_ name: String) {
        #expect(CommandGuard.rejection([.string(name), .string("x")])?.kind == .invalidCommand)
    }

    @Test func refusesClientReplyAndEmptyCommands() {
        #expect(CommandGuard.rejection(["CLIENT", "REPLY", "OFF"])?.kind == .invalidCommand)
        #expect(CommandGuard.rejection([])?.kind == .invalidCommand)
        #expect(CommandGuard.rejection([.bytes([])])?.kind == .invalidCommand)
    }
}
