-- wrk script for the bench harness (bench/bench.py): a prediction create whose input is new
-- on every request, so that a cache in front of the fake always misses.
-- Arguments after `--`: TOKEN PREFIX
-- Body: {"input":{"text":"PREFIX-<thread>-<n>"}}; headers Authorization, Content-Type and
-- `Prefer: wait` (the fake then answers with the finished prediction, so a cache can store
-- it). PREFIX must differ between runs. The BENCH_JSON summary comes from report.lua.

dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "report.lua")

local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

local counter = 0
local prefix = ""

init = function(args)
  wrk.method = "POST"
  wrk.headers["Authorization"] = "Bearer " .. (args[1] or "")
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Prefer"] = "wait"
  prefix = (args[2] or "miss") .. "-" .. tostring(thread_number)
end

request = function()
  counter = counter + 1
  return wrk.format(nil, nil, nil, '{"input":{"text":"' .. prefix .. "-" .. counter .. '"}}')
end
