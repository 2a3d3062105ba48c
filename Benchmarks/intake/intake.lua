-- wrk script: officer-API desk intakes (POST /api/v1/dossiers), one complete dossier each.
-- A static request (token from MOTCUA_TOKEN, body from MOTCUA_BODY), so that wrk spends as
-- little CPU as possible on the 2 cores it shares with the server.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("MOTCUA_TOKEN")
wrk.body = os.getenv("MOTCUA_BODY")

done = function(summary, latency, requests)
  io.write(string.format("requests=%d errors(status)=%d p50=%.2fms p99=%.2fms rate=%.0f/s\n",
    summary.requests, summary.errors.status, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests / (summary.duration / 1e6)))
end
