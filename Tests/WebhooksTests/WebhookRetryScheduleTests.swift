import Testing

@testable import Webhooks

@Suite struct WebhookRetryScheduleTests {
    @Test func theDefaultsBackOffExponentiallyWithTheLastTryAMinuteIn() {
        let s = WebhookRetrySchedule(initial: .seconds(1), window: .seconds(60))
        #expect(s.retryOffsets == [1, 3, 7, 15, 31, 60].map { Duration.seconds($0) })
        #expect(s.attempts == 7)
        let delays = (1...6).map { s.delay(afterAttempts: $0) }
        #expect(delays == [1, 2, 4, 8, 16, 29].map { Duration.seconds($0) })
        #expect(s.delay(afterAttempts: 7) == nil)
        #expect(s.delay(afterAttempts: 0) == nil)
    }

    @Test func aShortTestScheduleHasAFixedNumberOfAttempts() {
        let s = WebhookRetrySchedule(initial: .milliseconds(20), window: .milliseconds(150))
        #expect(s.retryOffsets == [20, 60, 140, 150].map { Duration.milliseconds($0) })
        #expect(s.attempts == 5)
    }

    @Test func aZeroWindowMeansNoRetries() {
        let s = WebhookRetrySchedule(initial: .seconds(1), window: .zero)
        #expect(s.attempts == 1)
        #expect(s.delay(afterAttempts: 1) == nil)
    }

    @Test func aWindowShorterThanTheFirstDelayRetriesOnceAtTheWindow() {
        let s = WebhookRetrySchedule(initial: .seconds(5), window: .seconds(2))
        #expect(s.retryOffsets == [.seconds(2)])
    }
}
