-- wrk script of the reliability suite (Tests/reliability): load that counts every answer.
--
-- Arguments after `--`: TOKEN MODE [N] [PREFIX] [MISS_EVERY]
--   MODE get     GET the URL's path (wrk's own request)
--   MODE create  POST /v1/models/replicate/hello-world/predictions with `Prefer: wait` and one
--                of N inputs ("PREFIX i", round robin per thread): after the first round,
--                hits; with MISS_EVERY = k > 0, every k-th request has an input of its own (a
--                miss)
-- At the end it prints one line `TALLY_JSON {...}`: wrk's summary and errors, the latency
-- percentiles (microseconds) and, summed over threads, the count of every status code and of
-- every X-Cache-Status value. wrk's own "Non-2xx or 3xx" counter is `errors.status`.

local threads = {}

function setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

function init(args)
  token = args[1] or ""
  mode = args[2] or "get"
  inputs = tonumber(args[3] or "16")
  prefix = args[4] or "load"
  miss_every = tonumber(args[5] or "0")
  counter = 0
  statuses = {}
  cache = {}
  headers = { ["Authorization"] = "Bearer " .. token }
  if mode == "create" then
    headers["Content-Type"] = "application/json"
    headers["Prefer"] = "wait"
  end
end

function request()
  if mode ~= "create" then
    return wrk.format(nil, nil, headers)
  end
  counter = counter + 1
  local text
  if miss_every > 0 and counter % miss_every == 0 then
    text = prefix .. " miss " .. thread_index .. "-" .. counter
  else
    text = prefix .. " " .. (counter % inputs)
  end
  local body = '{"input":{"text":"' .. text .. '"}}'
  return wrk.format("POST", "/v1/models/replicate/hello-world/predictions", headers, body)
end

function response(status, hdrs, body)
  local s = tostring(status)
  statuses[s] = (statuses[s] or 0) + 1
  local c = hdrs["x-cache-status"] or hdrs["X-Cache-Status"]
  if c then cache[c] = (cache[c] or 0) + 1 end
end

local function merge(into, from)
  if not from then return end
  for k, v in pairs(from) do into[k] = (into[k] or 0) + v end
end

local function object(t)
  local parts = {}
  for k, v in pairs(t) do table.insert(parts, string.format('"%s":%d', k, v)) end
  table.sort(parts)
  return "{" .. table.concat(parts, ",") .. "}"
end

function done(summary, latency, requests)
  local all_status, all_cache = {}, {}
  for _, t in ipairs(threads) do
    merge(all_status, t:get("statuses"))
    merge(all_cache, t:get("cache"))
  end
  local e = summary.errors
  io.write(string.format(
    'TALLY_JSON {"requests":%d,"duration_us":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"max":%d},"status":%s,"cache":%s}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    object(all_status), object(all_cache)))
end
