import Testing

@testable import RedisStore

@Suite struct CommandArgvTests {
    /// What hiredis would read through argv/argvlen.
    static func seen(_ argv: CommandArgv, _ args: [RedisArgument]) -> [[UInt8]] {
        argv.withArgv(args) { argc, pointers, lengths in
            (0..<Int(argc)).map { i in
                Array(UnsafeRawBufferPointer(start: UnsafeRawPointer(pointers[i]!), count: lengths[i]))
            }
        }
    }

    static func expected(_ args: [RedisArgument]) -> [[UInt8]] {
        args.map { a in a.withUnsafeBytes { Array($0) } }
    }

    @Test func shortCommandsPointAtTheArgumentsThemselves() {
        let argv = CommandArgv()
        let args: [RedisArgument] = ["SET", .bytes([0, 1, 0]), .bytes([]), .integer(-17), .string("é")]
        #expect(Self.seen(argv, args) == [Array("SET".utf8), [0, 1, 0], [], Array("-17".utf8), Array("é".utf8)])
    }

    @Test func longCommandsArePackedAndTheBuffersAreReused() {
        let argv = CommandArgv()
        for n in [CommandArgv.nestingLimit + 1, 300, 40] {
            var args: [RedisArgument] = ["RPUSH"]
            for i in 0..<n { args.append(i % 9 == 0 ? .bytes([]) : .bytes(Array(repeating: UInt8(i % 256), count: i))) }
            #expect(Self.seen(argv, args) == Self.expected(args))
        }
        // Back to the nesting path after packing.
        #expect(Self.seen(argv, ["GET", "k"]) == [Array("GET".utf8), Array("k".utf8)])
    }
}
