import CHiredis

/// Builds the `argc`/`argv`/`argvlen` triple `redisAsyncCommandArgv` wants, without copying the
/// arguments' bytes when it can.
///
/// hiredis copies the arguments into its own output buffer during the call, so the pointers only
/// need to live that long. For up to `nestingLimit` arguments each one's own storage is pinned
/// by nesting `withUnsafeBytes` calls (no copy at all); longer commands (bulk `DEL`, `MSET`)
/// are packed into one reusable contiguous buffer instead, to bound the recursion depth.
/// The pointer and length arrays are allocated once and grown when needed.
///
/// Threading: owned by one `RedisClient`; loop thread only. Not reentrant (hiredis does not
/// call back into Swift while formatting a command).
final class CommandArgv {
    static let nestingLimit = 32

    private var capacity: Int
    private var pointers: UnsafeMutablePointer<UnsafePointer<CChar>?>
    private var lengths: UnsafeMutablePointer<Int>
    private var packed: UnsafeMutableRawBufferPointer

    /// A valid pointer for empty arguments (hiredis copies zero bytes from it): static storage.
    private static var empty: UnsafePointer<CChar> {
        let literal: StaticString = ""
        return UnsafeRawPointer(literal.utf8Start).assumingMemoryBound(to: CChar.self)
    }

    init() {
        capacity = 8
        pointers = .allocate(capacity: capacity)
        lengths = .allocate(capacity: capacity)
        packed = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    }

    deinit {
        pointers.deallocate()
        lengths.deallocate()
        packed.deallocate()
    }

    /// Calls `body(argc, argv, argvlen)` with pointers valid only inside `body`.
    func withArgv<R>(
        _ args: [RedisArgument],
        _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> R
    ) -> R {
        reserve(args.count)
        if args.count <= Self.nestingLimit {
            return pin(args, 0, body)
        }
        return pack(args, body)
    }

    private func pin<R>(
        _ args: [RedisArgument], _ i: Int,
        _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> R
    ) -> R {
        if i == args.count { return body(Int32(args.count), pointers, lengths) }
        return args[i].withUnsafeBytes { raw in
            pointers[i] = raw.baseAddress.map { $0.assumingMemoryBound(to: CChar.self) } ?? Self.empty
            lengths[i] = raw.count
            return pin(args, i + 1, body)
        }
    }

    private func pack<R>(
        _ args: [RedisArgument],
        _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> R
    ) -> R {
        let total = args.reduce(0) { $0 + $1.count }
        if packed.count < total {
            packed.deallocate()
            packed = .allocate(byteCount: max(total, 2 * packed.count), alignment: 1)
        }
        var offset = 0
        for (i, arg) in args.enumerated() {
            arg.withUnsafeBytes { raw in
                if raw.count > 0 {
                    UnsafeMutableRawBufferPointer(rebasing: packed[offset..<(offset + raw.count)]).copyMemory(from: raw)
                }
            }
            pointers[i] = arg.count > 0
                ? UnsafeRawPointer(packed.baseAddress! + offset).assumingMemoryBound(to: CChar.self) : Self.empty
            lengths[i] = arg.count
            offset += arg.count
        }
        return body(Int32(args.count), pointers, lengths)
    }

    private func reserve(_ count: Int) {
        guard count > capacity else { return }
        let newCapacity = max(count, 2 * capacity)
        pointers.deallocate()
        lengths.deallocate()
        pointers = .allocate(capacity: newCapacity)
        lengths = .allocate(capacity: newCapacity)
        capacity = newCapacity
    }
}
