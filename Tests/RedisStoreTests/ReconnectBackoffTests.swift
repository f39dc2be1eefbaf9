import Testing

@testable import RedisStore

@Suite struct ReconnectBackoffTests {
    static let ms: UInt64 = 1_000_000

    @Test func doublesUpToTheCapAtFullJitter() {
        var b = ReconnectBackoff(minimum: .milliseconds(100), maximum: .seconds(5))
        let delays = (0..<10).map { _ in b.nextDelay(unit: 1) / Self.ms }
        #expect(delays == [100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000, 5000])
    }

    @Test func jitterStaysInTheUpperHalf() {
        var low = ReconnectBackoff(minimum: .milliseconds(100), maximum: .seconds(5))
        #expect((0..<4).map { _ in low.nextDelay(unit: 0) / Self.ms } == [50, 100, 200, 400])
        var mid = ReconnectBackoff(minimum: .milliseconds(100), maximum: .seconds(5))
        #expect(mid.nextDelay(unit: 0.5) / Self.ms == 75)
        var wild = ReconnectBackoff(minimum: .milliseconds(100), maximum: .seconds(5))
        #expect(wild.nextDelay(unit: 7) / Self.ms == 100)
    }

    @Test func resetStartsOverAndManyFailuresDoNotOverflow() {
        var b = ReconnectBackoff(minimum: .milliseconds(100), maximum: .seconds(5))
        for _ in 0..<200 { _ = b.nextDelay(unit: 1) }
        #expect(b.nextDelay(unit: 1) / Self.ms == 5000)
        b.reset()
        #expect(b.failures == 0)
        #expect(b.nextDelay(unit: 1) / Self.ms == 100)
    }
}
