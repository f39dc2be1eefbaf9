import Metrics
import StatusPage
import Testing

@Suite struct MetricsHistoryTests {
    @Test func keepsOnlyTheNewestCapacityPointsInOrder() {
        var history = MetricsHistory(capacity: 5, intervalNanos: 10 * Fixtures.second)
        #expect(history.count == 0 && history.points.isEmpty && history.intervals.isEmpty)
        for i in 0..<23 {
            history.append(Fixtures.snapshot(requests: [("create", "201", Double(i))]), at: UInt64(i) * 10 * Fixtures.second)
            #expect(history.count == min(i + 1, 5))
        }
        #expect(history.points.map(\.atNanos) == [18, 19, 20, 21, 22].map { $0 * 10 * Fixtures.second })
        #expect(history.intervals.count == 4)
        #expect(history.windowNanos == 40 * Fixtures.second)
    }

    @Test func ratesComeFromDifferencesBetweenNeighbouringPoints() throws {
        var history = MetricsHistory(capacity: 60, intervalNanos: 10 * Fixtures.second)
        history.append(Fixtures.snapshot(requests: [("create", "201", 100)]), at: 5 * Fixtures.second)
        history.append(
            Fixtures.snapshot(
                lookups: [("a/b", "hit", 30), ("a/b", "miss", 10)], requests: [("create", "201", 150), ("get", "502", 10)]),
            at: 15 * Fixtures.second)
        history.append(
            Fixtures.snapshot(
                lookups: [("a/b", "hit", 30), ("a/b", "miss", 10)], requests: [("create", "201", 150), ("get", "502", 10)],
                inflight: 3),
            at: 35 * Fixtures.second)
        let intervals = history.intervals
        try #require(intervals.count == 2)
        let first = StatusFigures(intervals[0].delta)
        #expect(intervals[0].seconds == 10)
        #expect(intervals[0].rate(first.requests) == 6)  // (150 + 10 − 100) / 10 s
        #expect(intervals[0].rate(first.serverErrors) == 1)
        #expect(first.hitRatio == 0.75)
        let second = StatusFigures(intervals[1].delta)
        #expect(intervals[1].seconds == 20)
        #expect(intervals[1].rate(second.requests) == 0)
        #expect(second.hitRatio == nil)
        #expect(second.inflight == 3)  // gauges are values, not differences
    }

    @Test func aCounterThatWentBackwardsCountsAsNoChange() {
        let later = Fixtures.snapshot(lookups: [("a/b", "hit", 2)], upstream: [0.1])
        let earlier = Fixtures.snapshot(lookups: [("a/b", "hit", 5)], upstream: [0.1, 0.2])
        let delta = MetricsInterval.difference(later, minus: earlier)
        #expect(delta.scalars[MetricSeries(.cacheLookups, ["a/b", "hit"])] == 0)
        #expect(delta.histograms[MetricSeries(.upstreamRequestDuration)]?.count == 0)
        #expect(delta.histograms[MetricSeries(.upstreamRequestDuration)]?.counts.allSatisfy { $0 == 0 } == true)
    }

    @Test func figuresSplitLookupsAndSavingsByModel() {
        let figures = StatusFigures(
            Fixtures.snapshot(
                lookups: [("a/x", "hit", 8), ("a/x", "miss", 2), ("b/y", "bypass", 5), ("b/y", "coalesced", 1), ("c/z", "hit", 8)],
                saved: [("a/x", 0.5, 12), ("c/z", 0, 40)]))
        #expect(figures.hits == 16)
        #expect(figures.cacheableLookups == 19)
        #expect(figures.hitRatio == 16.0 / 19)
        #expect(figures.savedUSD == 0.5 && figures.computeSecondsSaved == 52)
        #expect(figures.topModels(by: [\.lookups, \.hits], limit: 10).map(\.name) == ["a/x", "c/z", "b/y"])
        #expect(figures.topModels(by: [\.savedUSD, \.computeSecondsSaved], limit: 10).map(\.name) == ["a/x", "c/z"])
        #expect(figures.topModels(by: [\.lookups], limit: 1).map(\.name) == ["a/x"])
    }
}
