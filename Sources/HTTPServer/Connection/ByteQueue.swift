@preconcurrency import Glibc

/// A growable FIFO of bytes over one raw allocation: a connection's unparsed input and its
/// pending output.
///
/// Why not `[UInt8]`: the socket code wants to `recv` straight into spare capacity and to
/// consume from the front without shifting on every send; both need a read index and
/// uninitialised tail room, which an array does not give. Bytes are only moved (one `memmove`)
/// when the front gap is needed for room.
///
/// Threading: owned by one connection on one loop; not thread-safe.
/// Invariant: `0 <= head <= tail <= capacity`; `storage` is nil only while `capacity == 0`.
final class ByteQueue {
    private var storage: UnsafeMutableRawPointer?
    private(set) var capacity: Int = 0
    private var head = 0
    private var tail = 0

    init(capacity: Int = 0) {
        if capacity > 0 { reallocate(to: capacity) }
    }

    deinit { free(storage) }

    var count: Int { tail &- head }
    var isEmpty: Bool { tail == head }

    /// The queued bytes. Valid until the next mutating call.
    var readable: UnsafeRawBufferPointer {
        guard let s = storage else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: s + head, count: tail &- head)
    }

    /// Drops `n` bytes from the front.
    func consume(_ n: Int) {
        precondition(n >= 0 && n <= count)
        head &+= n
        if head == tail {
            head = 0
            tail = 0
        }
    }

    func removeAll() {
        head = 0
        tail = 0
    }

    /// Frees the allocation when it is empty and bigger than `keep`, so that a connection that
    /// once buffered a large body does not hold that memory while idle.
    func shrinkIfEmpty(above keep: Int) {
        guard isEmpty, capacity > keep else { return }
        free(storage)
        storage = nil
        capacity = 0
    }

    /// Makes room for at least `n` more bytes at the tail and returns it (uninitialised).
    /// Call `commit(_:)` with the number of bytes actually written.
    func writableTail(atLeast n: Int) -> UnsafeMutableRawBufferPointer {
        reserve(n)
        return UnsafeMutableRawBufferPointer(start: storage! + tail, count: capacity &- tail)
    }

    func commit(_ n: Int) {
        precondition(n >= 0 && tail &+ n <= capacity)
        tail &+= n
    }

    // MARK: - Appending

    func append(_ bytes: UnsafeRawBufferPointer) {
        guard let src = bytes.baseAddress, bytes.count > 0 else { return }
        reserve(bytes.count)
        memcpy(storage! + tail, src, bytes.count)
        tail &+= bytes.count
    }

    func append(_ s: StaticString) {
        s.withUTF8Buffer { append(UnsafeRawBufferPointer($0)) }
    }

    /// Appends the UTF-8 bytes of `s` (one copy for native strings).
    func append(_ s: String) {
        var s = s
        s.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    func append(byte: UInt8) {
        reserve(1)
        storage!.storeBytes(of: byte, toByteOffset: tail, as: UInt8.self)
        tail &+= 1
    }

    /// Appends `value` (>= 0) in decimal.
    func appendDecimal(_ value: Int) {
        appendDigits(UInt64(max(0, value)), radix: 10)
    }

    /// Appends `value` (>= 0) in lowercase hexadecimal, as chunk sizes are written.
    func appendHex(_ value: Int) {
        appendDigits(UInt64(max(0, value)), radix: 16)
    }

    private func appendDigits(_ value: UInt64, radix: UInt64) {
        // 20 digits cover UInt64 in decimal; fill from the right, then copy once.
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &scratch) { buf in
            var i = buf.count
            var v = value
            repeat {
                i -= 1
                let d = UInt8(truncatingIfNeeded: v % radix)
                buf[i] = d < 10 ? 0x30 &+ d : 0x57 &+ d
                v /= radix
            } while v > 0
            append(UnsafeRawBufferPointer(rebasing: buf[i...]))
        }
    }

    // MARK: - Room

    private func reserve(_ n: Int) {
        if capacity &- tail >= n { return }
        let live = count
        // Slide to the front when that gives enough room and the move is cheap relative to the
        // space won; otherwise grow.
        if head > 0 && capacity - live >= n {
            if live > 0 { memmove(storage!, storage! + head, live) }
            head = 0
            tail = live
            return
        }
        var newCapacity = max(capacity, 1024)
        while newCapacity - live < n { newCapacity *= 2 }
        if head > 0 {
            let fresh = malloc(newCapacity)!
            if live > 0 { memcpy(fresh, storage! + head, live) }
            free(storage)
            storage = fresh
            capacity = newCapacity
            head = 0
            tail = live
        } else {
            reallocate(to: newCapacity)
        }
    }

    private func reallocate(to newCapacity: Int) {
        guard let p = realloc(storage, newCapacity) else { fatalError("out of memory (\(newCapacity) bytes)") }
        storage = p
        capacity = newCapacity
    }
}
