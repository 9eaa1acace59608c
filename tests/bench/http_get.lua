-- wrk script for the read benchmarks of tests/bench/http.sh: sends wrk's default GET and
-- adds one machine-readable line to wrk's report. Latencies are wrk's own histogram, in
-- microseconds; rps is completed requests over the run's duration, as wrk prints it.

function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format(
		"HTTPBENCH rps=%.1f p50_us=%d p99_us=%d requests=%d non2xx=%d sockerr=%d\n",
		summary.requests / (summary.duration / 1e6), latency:percentile(50),
		latency:percentile(99), summary.requests, e.status,
		e.connect + e.read + e.write + e.timeout))
end
