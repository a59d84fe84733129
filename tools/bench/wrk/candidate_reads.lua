-- Candidate stream reads (issue 20): GET /v1/streams/{stream}?limit=20 round-robin over the
-- candidate streams named in BENCH_CANDIDATE_STREAMS (comma-separated), so every page holds
-- personal fields to decrypt with each candidate's (cached, unwrapped) key. BENCH_TOKEN, when
-- set, is sent as a bearer token (a reader's token measures the "[redacted]" path).
--   BENCH_CANDIDATE_STREAMS=candidate-c-000003,… wrk -t2 -c64 -d10s -s candidate_reads.lua http://127.0.0.1:PORT

package.path = package.path .. ";" .. debug.getinfo(1, "S").source:match("@?(.*/)") .. "?.lua"
require("report")

local requests = {}
local next_request = 0

function init(args)
   local list = os.getenv("BENCH_CANDIDATE_STREAMS") or "candidate-c-000003"
   local token = os.getenv("BENCH_TOKEN")
   local headers = {}
   if token and token ~= "" then headers["Authorization"] = "Bearer " .. token end
   for stream in string.gmatch(list, "[^,]+") do
      table.insert(requests, wrk.format("GET", "/v1/streams/" .. stream .. "?limit=20", headers))
   end
end

function request()
   next_request = next_request % #requests + 1
   return requests[next_request]
end
