-- Shared by the benchmark scripts: when wrk is done, prints one parseable line
-- (tools/bench/run-all.sh reads it):
--   wrk-result<TAB>requests_per_s=…<TAB>p50_ms=…<TAB>p99_ms=…<TAB>p999_ms=…<TAB>requests=…<TAB>non2xx=…<TAB>errors=…
-- non2xx is wrk's own count of answers with status ≥ 400 (neither server sends 1xx or 3xx to
-- these requests). The scripts define no response() hook on purpose: with one, wrk parses
-- every response's headers in Lua, which takes CPU from the server on these shared cores.

function done(summary, latency, requests)
   local seconds = summary.duration / 1e6
   local errors = summary.errors.connect + summary.errors.read + summary.errors.write
                  + summary.errors.timeout
   io.write(string.format(
      "wrk-result\trequests_per_s=%.1f\tp50_ms=%.3f\tp99_ms=%.3f\tp999_ms=%.3f\trequests=%d\tnon2xx=%d\terrors=%d\n",
      summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
      latency:percentile(99.9) / 1000, summary.requests, summary.errors.status, errors))
end
