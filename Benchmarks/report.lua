-- Shared by the wrk scripts: one summary line (requests, errors, p50, p99, rate). "rate" counts
-- every answer; "ok_rate" only the 2xx/3xx ones (a refused request is answered quickly and
-- would flatter a throughput figure: a desk's 9,999 codes a day run out within seconds).
done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local failed = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("requests=%d errors(status)=%d p50=%.2fms p99=%.2fms rate=%.0f/s ok_rate=%.0f/s\n",
    summary.requests, summary.errors.status, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests / seconds, math.max(summary.requests - failed, 0) / seconds))
end
