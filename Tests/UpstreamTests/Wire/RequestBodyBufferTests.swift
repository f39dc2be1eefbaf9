import Testing

@testable import Upstream

@Suite struct RequestBodyBufferTests {
    static func drain(_ buffer: inout RequestBodyBuffer, capacity: Int) -> [UInt8] {
        var out: [UInt8] = []
        var scratch = [UInt8](repeating: 0, count: capacity)
        while true {
            let n = scratch.withUnsafeMutableBytes { buffer.read(into: $0.baseAddress!, capacity: capacity) }
            if n == 0 { return out }
            out += scratch[..<n]
        }
    }

    /// Runs a mutating call outside `#expect` (the macro cannot mutate) and returns its result.
    static func ok(_ buffer: inout RequestBodyBuffer, _ call: (inout RequestBodyBuffer) -> Bool) -> Bool {
        call(&buffer)
    }

    static func append(_ buffer: inout RequestBodyBuffer, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { buffer.append($0) }
    }

    @Test func wholeBodyReadsInAnyCapacityAndRewinds() {
        let body = (0..<100).map { UInt8($0) }
        var buffer = RequestBodyBuffer(bytes: body)
        #expect(buffer.isEnded && buffer.declaredLength == 100 && buffer.unsent == 100)
        #expect(Self.drain(&buffer, capacity: 7) == body)
        #expect(buffer.unsent == 0)
        buffer.releaseSent()  // never trims a whole body: it shares the caller's array
        #expect(Self.ok(&buffer) { $0.rewind(to: 0) })
        #expect(Self.drain(&buffer, capacity: 1000) == body)
    }

    @Test func streamedPiecesComeOutInOrderAcrossReads() {
        var buffer = RequestBodyBuffer(streamedLength: nil, retainLimit: 1 << 20)
        var expected: [UInt8] = []
        var got: [UInt8] = []
        for i in 0..<50 {
            let piece = [UInt8](repeating: UInt8(i), count: i + 1)
            #expect(Self.append(&buffer, piece))
            expected += piece
            got += Self.drain(&buffer, capacity: 3)
        }
        #expect(!buffer.isEnded)
        #expect(Self.ok(&buffer) { $0.end() })
        #expect(got == expected)
    }

    @Test func declaredLengthIsEnforcedBothWays() {
        var buffer = RequestBodyBuffer(streamedLength: 5, retainLimit: 100)
        #expect(Self.append(&buffer, [1, 2, 3]))
        #expect(!Self.append(&buffer, [4, 5, 6]))
        #expect(buffer.appended == 3)
        #expect(!Self.ok(&buffer) { $0.end() })
        #expect(Self.append(&buffer, [4, 5]))
        #expect(buffer.isEnded)  // reaching the declared length ends the body
        #expect(!Self.append(&buffer, [6]))
        #expect(Self.ok(&buffer) { $0.end() })
    }

    @Test func sentBytesAreKeptForARewindUntilReleased() {
        var buffer = RequestBodyBuffer(streamedLength: nil, retainLimit: 1000)
        #expect(Self.append(&buffer, Array(repeating: 1, count: 600)))
        #expect(Self.drain(&buffer, capacity: 256).count == 600)
        #expect(Self.ok(&buffer) { $0.rewind(to: 0) })
        #expect(buffer.unsent == 600)
        #expect(Self.drain(&buffer, capacity: 256).count == 600)
        buffer.releaseSent()
        #expect(!Self.ok(&buffer) { $0.rewind(to: 0) })
        #expect(Self.ok(&buffer) { $0.rewind(to: 600) })
        #expect(Self.append(&buffer, [9, 9]))
        #expect(Self.drain(&buffer, capacity: 10) == [9, 9])
    }

    @Test func pastTheRetainLimitRewindIsRefused() {
        var buffer = RequestBodyBuffer(streamedLength: nil, retainLimit: 100)
        #expect(Self.append(&buffer, Array(repeating: 2, count: 300)))
        #expect(Self.drain(&buffer, capacity: 50).count == 300)
        #expect(!Self.ok(&buffer) { $0.rewind(to: 0) })
        #expect(buffer.unsent == 0)
    }
}
