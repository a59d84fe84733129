-- Durable single-event appends (SPEC §9): each request POSTs one SessionHeld (a job fair of a
-- fair tour) to one of BENCH_STREAMS (default 64) campaign streams, round robin, with
-- expected_version "any". run-all.sh creates the streams first (campaign-bench-0 …
-- campaign-bench-<n-1>, each opened with CampaignPlanned), since the domain rules want a
-- campaign's creation event before anything else in it; SessionHeld is accepted repeatedly.
--   wrk -t2 -c64 -d10s -s tools/bench/wrk/append.lua http://127.0.0.1:PORT

package.path = package.path .. ";" .. debug.getinfo(1, "S").source:match("@?(.*/)") .. "?.lua"
require("report")

local streams = tonumber(os.getenv("BENCH_STREAMS") or "64")
local body_format = '{"expected_version":"any","events":[{"type":"SessionHeld",' ..
   '"occurred_at":"2025-03-%02d","data":{"kind":"job_fair","held_on":"2025-03-%02d",' ..
   '"university":"Universidad Complutense de Madrid","city":"Madrid","country":"ES",' ..
   '"visitors":%d}}]}'

-- Requests are formatted once, in init, so wrk spends its CPU sending, not in Lua.
local requests = {}
local next_request = 0

function init(args)
   local first = math.random(0, streams - 1)  -- threads start at different streams
   for i = 0, 4 * streams - 1 do
      local day = i % 28 + 1
      local stream = (first + i) % streams
      local body = string.format(body_format, day, day, (i * 37) % 400)
      requests[i + 1] = wrk.format("POST", "/v1/streams/campaign-bench-" .. stream .. "/events",
                                   {["Content-Type"] = "application/json"}, body)
   end
end

function request()
   next_request = next_request % #requests + 1
   return requests[next_request]
end
