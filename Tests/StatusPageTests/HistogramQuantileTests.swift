import Metrics
import StatusPage
import Testing

@Suite struct HistogramQuantileTests {
    @Test func interpolatesInsideTheBucketThatHoldsTheRank() {
        // 10 observations in (0, 1], 10 in (1, 2]: the median is the top of the first bucket,
        // the 75th percentile halfway through the second (Prometheus' linear interpolation).
        let bounds = [1.0, 2, 4]
        #expect(HistogramQuantile.estimate(0.5, counts: [10, 10, 0], total: 20, bounds: bounds) == 1)
        #expect(HistogramQuantile.estimate(0.75, counts: [10, 10, 0], total: 20, bounds: bounds) == 1.5)
        #expect(HistogramQuantile.estimate(0.25, counts: [10, 10, 0], total: 20, bounds: bounds) == 0.5)
    }

    @Test func skipsEmptyBucketsAndAnswersTheHighestBoundForTheOverflow() {
        let bounds = [1.0, 2, 4]
        #expect(HistogramQuantile.estimate(0.5, counts: [0, 0, 4], total: 4, bounds: bounds) == 3)
        // Half the observations are above the last bound: p95 can only say "at least 4".
        #expect(HistogramQuantile.estimate(0.95, counts: [2, 0, 0], total: 4, bounds: bounds) == 4)
    }

    @Test func noObservationsHaveNoQuantile() {
        #expect(HistogramQuantile.estimate(0.5, counts: [0, 0], total: 0, bounds: [1, 2]) == nil)
    }

    @Test func readsASnapshotSeriesWithTheCatalogueBuckets() throws {
        // 90 fast calls (≤ 1 ms) and 10 slow ones (in the 0.25–0.5 s bucket).
        let snap = Fixtures.snapshot(upstream: Array(repeating: 0.0008, count: 90) + Array(repeating: 0.3, count: 10))
        let h = try #require(snap.histograms[MetricSeries(.upstreamRequestDuration)])
        let p50 = try #require(HistogramQuantile.estimate(0.5, h, of: .upstreamRequestDuration))
        let p95 = try #require(HistogramQuantile.estimate(0.95, h, of: .upstreamRequestDuration))
        #expect(p50 > 0.0005 && p50 <= 0.001)
        #expect(p95 == 0.375)  // rank 95 is the 5th of 10 in (0.25, 0.5]
    }
}
