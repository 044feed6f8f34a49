-- wrk script: every request carries the next value of one header, taken in turn from a file
-- (one value per line), so that a run spreads over many users' tokens instead of repeating one.
-- Threads start at different offsets. At the end it prints one line, `WRK_JSON {...}`, that
-- bench/lib/wrk.ts parses (latencies in microseconds).
--
--   wrk -s wrk-rotate-header.lua URL -- VALUES_FILE HEADER_NAME [PREFIX]
--   wrk -s wrk-rotate-header.lua http://127.0.0.1:3000/api/v1/me -- tokens.txt Authorization "Bearer "

local threads = {}

function setup(thread)
  thread:set("offset", #threads * 7919)
  table.insert(threads, thread)
end

local values = {}
local count = 0
local index = 1
local header = "Authorization"

function init(args)
  local file = assert(io.open(args[1], "r"), "cannot open " .. tostring(args[1]))
  header = args[2] or header
  local prefix = args[3] or ""
  for line in file:lines() do
    if #line > 0 then
      count = count + 1
      values[count] = prefix .. line
    end
  end
  file:close()
  assert(count > 0, "no values in " .. args[1])
  index = ((offset or 0) % count) + 1
end

function request()
  local value = values[index]
  index = index % count + 1
  return wrk.format("GET", wrk.path, { [header] = value })
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"durationUs":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latencyUs":{"min":%d,"mean":%.1f,"max":%d,"p50":%d,"p90":%d,"p99":%d,"p999":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency.max,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9)))
end
