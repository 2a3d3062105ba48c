-- Shared by the wrk scripts: one summary line (requests, errors, p50, p99, rate).
done = function(summary, latency, requests)
  io.write(string.format("requests=%d errors(status)=%d p50=%.2fms p99=%.2fms rate=%.0f/s\n",
    summary.requests, summary.errors.status, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests / (summary.duration / 1e6)))
end
