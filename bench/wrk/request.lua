-- wrk script for the bench harness (bench/bench.py): the same request every time.
-- Arguments after `--`: TOKEN METHOD [BODY_FILE]
-- Sends every request with `Authorization: Bearer TOKEN`; a body (from BODY_FILE) goes with
-- `Content-Type: application/json`. The BENCH_JSON summary comes from report.lua.

dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "report.lua")

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
