/// Refuses the commands that would break the client's invariant of exactly one reply per
/// command, in order.
///
/// The client matches replies to callers by position, so a command that makes the server push
/// unsolicited messages (`SUBSCRIBE` and friends, `MONITOR`, replication streams) or suppress
/// replies (`CLIENT REPLY`) would hand every later caller someone else's reply. hiredis 0.14 also
/// aborts the process on an empty command. Pure; `Sendable`.
enum CommandGuard {
    private static let refused: [[UInt8]] = [
        "subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe",
        "monitor", "sync", "psync",
    ].map { Array($0.utf8) }
    private static let client = Array("client".utf8)
    private static let reply = Array("reply".utf8)

    /// Nil when the command may be sent, else the reason it may not.
    static func rejection(_ command: [RedisArgument]) -> RedisError? {
        guard let name = command.first, name.count > 0 else {
            return RedisError(.invalidCommand, detail: "empty command")
        }
        let refusedName = name.withUnsafeBytes { raw -> Bool in
            refused.contains { equalsIgnoringCase(raw, $0) }
        }
        if refusedName {
            return RedisError(.invalidCommand, detail: "command breaks request/reply pairing")
        }
        if command.count >= 2, name.withUnsafeBytes({ equalsIgnoringCase($0, client) }),
            command[1].withUnsafeBytes({ equalsIgnoringCase($0, reply) })
        {
            return RedisError(.invalidCommand, detail: "CLIENT REPLY breaks request/reply pairing")
        }
        return nil
    }

    private static func equalsIgnoringCase(_ raw: UnsafeRawBufferPointer, _ lower: [UInt8]) -> Bool {
        guard raw.count == lower.count else { return false }
        for i in 0..<raw.count {
            var b = raw[i]
            if b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z") { b |= 0x20 }
            if b != lower[i] { return false }
        }
        return true
    }
}
