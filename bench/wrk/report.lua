-- Shared by the bench harness's wrk scripts (loaded with dofile from each of them): at the end
-- prints one line `BENCH_JSON {...}` with the figures bench/bench.py reads (latencies in
-- microseconds; errors.status counts responses with status >= 400, as wrk's "Non-2xx or 3xx"
-- line).

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end
