-- Durable batched appends (SPEC §9, issue 18): each request POSTs BENCH_BATCH (default 1,000)
-- SessionHeld events (job fairs of a fair tour) to one of BENCH_STREAMS (default 64) campaign
-- streams, round robin, with expected_version "any"; the batch is appended atomically, in one
-- group commit. run-all.sh creates the streams first (campaign-bench-0 … campaign-bench-<n-1>,
-- each opened with CampaignPlanned), as for append.lua. Events/s = requests/s × BENCH_BATCH.
--   BENCH_BATCH=1000 wrk -t2 -c16 -d10s -s tools/bench/wrk/append_batch.lua http://127.0.0.1:PORT

package.path = package.path .. ";" .. debug.getinfo(1, "S").source:match("@?(.*/)") .. "?.lua"
require("report")

local streams = tonumber(os.getenv("BENCH_STREAMS") or "64")
local batch = tonumber(os.getenv("BENCH_BATCH") or "1000")
local event_format = '{"type":"SessionHeld","occurred_at":"2025-03-%02d","data":{"kind":"job_fair",' ..
   '"held_on":"2025-03-%02d","university":"Universidad Complutense de Madrid","city":"Madrid",' ..
   '"country":"ES","visitors":%d}}'

-- Requests (about 200 bytes an event) are formatted once, in init: one per stream.
local requests = {}
local next_request = 0

function init(args)
   local first = math.random(0, streams - 1)  -- threads start at different streams
   local events = {}
   for i = 0, batch - 1 do
      local day = i % 28 + 1
      events[i + 1] = string.format(event_format, day, day, (i * 37) % 400)
   end
   local body = '{"expected_version":"any","events":[' .. table.concat(events, ",") .. ']}'
   for i = 0, streams - 1 do
      local stream = (first + i) % streams
      requests[i + 1] = wrk.format("POST", "/v1/streams/campaign-bench-" .. stream .. "/events",
                                   {["Content-Type"] = "application/json"}, body)
   end
end

function request()
   next_request = next_request % #requests + 1
   return requests[next_request]
end
