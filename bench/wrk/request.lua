-- wrk script for the bench harness (bench/bench.py).
-- Arguments after `--`: TOKEN METHOD [BODY_FILE]
-- Sends every request with `Authorization: Bearer TOKEN`; at the end prints one line
-- `BENCH_JSON {...}` with the figures the harness reads (latencies in microseconds;
-- errors.status counts responses with status >= 400, as wrk's "Non-2xx or 3xx" line).

init = function(args)
  local token = args[1] or ""
  wrk.method = args[2] or "GET"
  wrk.headers["Authorization"] = "Bearer " .. token
  if args[3] and args[3] ~= "" then
    local f = assert(io.open(args[3], "rb"))
    wrk.body = f:read("*a")
    f:close()
    wrk.headers["Content-Type"] = "application/json"
  end
end

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
