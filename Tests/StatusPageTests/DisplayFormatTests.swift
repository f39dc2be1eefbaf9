import StatusPage
import Testing

@Suite struct DisplayFormatTests {
    @Test func dollarsKeepSensiblePrecision() {
        #expect(DisplayFormat.usd(0) == "$0.00")
        #expect(DisplayFormat.usd(1234.567) == "$1,234.57")
        #expect(DisplayFormat.usd(12.5) == "$12.50")
        #expect(DisplayFormat.usd(0.2) == "$0.20")
        #expect(DisplayFormat.usd(0.1553) == "$0.1553")
        #expect(DisplayFormat.usd(0.003) == "$0.003")
        #expect(DisplayFormat.usd(0.00074) == "$0.00074")
        #expect(DisplayFormat.usd(0.0000025) == "$0.0000025")
        #expect(DisplayFormat.usd(-2) == "-$2.00")
    }

    @Test func numbersPercentagesAndRates() {
        #expect(DisplayFormat.fixed(1234567.891, 2) == "1,234,567.89")
        #expect(DisplayFormat.fixed(-0.0001, 2) == "0.00")
        #expect(DisplayFormat.fixed(999.996, 2, grouped: false) == "1000.00")
        #expect(DisplayFormat.count(42) == "42" && DisplayFormat.count(12345) == "12,345")
        #expect(DisplayFormat.count(123_456) == "123.5k" && DisplayFormat.count(4_560_000) == "4.56M")
        #expect(DisplayFormat.percent(0.875) == "87.5%" && DisplayFormat.percent(0.5) == "50%")
        #expect(DisplayFormat.percent(1) == "100%" && DisplayFormat.percent(0) == "0%")
        #expect(DisplayFormat.rate(0) == "0/s" && DisplayFormat.rate(2.345) == "2.35/s" && DisplayFormat.rate(250.4) == "250/s")
        #expect(DisplayFormat.fixed(.nan, 2) == "–")
    }

    @Test func latenciesAndDurations() {
        #expect(DisplayFormat.latency(0.00025) == "250 µs")
        #expect(DisplayFormat.latency(0.0042) == "4.20 ms")
        #expect(DisplayFormat.latency(0.0125) == "12.5 ms")
        #expect(DisplayFormat.latency(0.125) == "125 ms")
        #expect(DisplayFormat.latency(0) == "0 ms")
        #expect(DisplayFormat.latency(1.237) == "1.24 s")
        #expect(DisplayFormat.latency(125) == "2m 05s")
        #expect(DisplayFormat.duration(0) == "0 s")
        #expect(DisplayFormat.duration(4.5) == "4.50 s")
        #expect(DisplayFormat.duration(42.25) == "42.3 s")
        #expect(DisplayFormat.duration(18_420) == "5h 07m")
        #expect(DisplayFormat.duration(187_200) == "2d 4h")
        #expect(DisplayFormat.span(10) == "10 s" && DisplayFormat.span(600) == "10 min")
    }
}
