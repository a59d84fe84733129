-- Projection and stream reads (SPEC §9): alternates GET /v1/projections/recruits-per-campaign
-- and GET /v1/streams/{stream}?limit=20 over the streams named in BENCH_READ_STREAMS
-- (comma-separated; default: a trip campaign of `recruit-ledger demo`).
--   wrk -t2 -c64 -d10s -s tools/bench/wrk/reads.lua http://127.0.0.1:PORT

package.path = package.path .. ";" .. debug.getinfo(1, "S").source:match("@?(.*/)") .. "?.lua"
require("report")

local requests = {}
local next_request = 0

function init(args)
   local list = os.getenv("BENCH_READ_STREAMS") or "campaign-jkpg-trip-es-2024-0"
   for stream in string.gmatch(list, "[^,]+") do
      table.insert(requests, wrk.format("GET", "/v1/projections/recruits-per-campaign"))
      table.insert(requests, wrk.format("GET", "/v1/streams/" .. stream .. "?limit=20"))
   end
end

function request()
   next_request = next_request % #requests + 1
   return requests[next_request]
end
