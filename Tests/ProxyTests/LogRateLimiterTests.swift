import Foundation
import TestSupport
import Testing

@testable import Proxy

/// A Redis outage fails every request's lookup and writes; the warning for it is written at
/// most once a second per kind, the next line saying how many were left out.
@Suite struct LogRateLimiterTests {
    @Test func onePerIntervalPerKindWithTheCountLeftOut() {
        let limiter = LogRateLimiter(interval: .seconds(1))
        let second: UInt64 = 1_000_000_000
        #expect(limiter.admit("timeout", nowNanos: 5 * second) == 0)
        #expect(limiter.admit("timeout", nowNanos: 5 * second + 1) == nil)
        #expect(limiter.admit("timeout", nowNanos: 6 * second - 1) == nil)
        #expect(limiter.admit("connection", nowNanos: 6 * second - 1) == 0)  // another kind
        #expect(limiter.admit("timeout", nowNanos: 6 * second) == 2)
        #expect(limiter.admit("timeout", nowNanos: 8 * second) == 0)
    }

    @Test func anOutageLogsAFewLinesNotOnePerRequest() async throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let (readEnd, writeEnd) = (fds[0], fds[1])
        _ = fcntl(readEnd, F_SETFL, fcntl(readEnd, F_GETFL) | O_NONBLOCK)
        defer {
            close(readEnd)
            close(writeEnd)
        }
        try await withHarness(RepriseOptions(unreachableRedis: true, waitUntilReady: false, logFD: writeEnd)) { h in
            let requests = 12
            let started = ContinuousClock.now
            for i in 0..<requests {
                #expect(try await h.reprise.create(Models.hello, input: #"{"text":"outage \#(i)"}"#).status == 201)
            }
            let seconds = (ContinuousClock.now - started).components.seconds
            let metrics = try await h.reprise.metrics()
            let failures = MetricsText.value("reprise_redis_errors_total", in: metrics) ?? 0
            #expect(failures >= Double(requests))
            let lines = Self.drain(readEnd).split(separator: "\n").filter {
                $0.contains("redis unavailable; forwarding upstream") || $0.contains("redis write failed")
            }
            // Each kind (lookup failures, write failures; each by error kind) at most once per
            // second that the requests took, plus the first.
            let lookupLines = lines.filter { $0.contains("redis unavailable; forwarding upstream") }
            #expect(lookupLines.count >= 1)
            #expect(lookupLines.count <= Int(seconds) + 2, "\(lookupLines)")
            #expect(lines.count < requests, "\(lines.count) lines for \(failures) failures")
            #expect(lines.allSatisfy { $0.contains(#""suppressed":"#) }, "\(lines)")
        }
    }

    private static func drain(_ fd: Int32) -> String {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { break }
            out += buffer[0..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }
}
