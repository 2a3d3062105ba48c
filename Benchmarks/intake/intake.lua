-- wrk script: officer-API desk intakes (POST /api/v1/dossiers), one complete dossier each.
-- Requests alternate between the desk officers whose tokens are in MOTCUA_TOKENS (one agency
-- each: an agency may issue at most 9,999 codes a day). The body comes from MOTCUA_BODY.
local tokens = {}
for token in string.gmatch(os.getenv("MOTCUA_TOKENS"), "[^,]+") do table.insert(tokens, token) end
local body = os.getenv("MOTCUA_BODY")
local i = 0
request = function()
  i = i + 1
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. tokens[(i % #tokens) + 1],
  }, body)
end

done = function(summary, latency, requests)
  io.write(string.format("requests=%d errors(status)=%d p50=%.2fms p99=%.2fms rate=%.0f/s\n",
    summary.requests, summary.errors.status, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests / (summary.duration / 1e6)))
end
