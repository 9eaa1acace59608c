-- wrk script for P7 of tests/bench/ratios.sh: a mixed read load. Each request is a GET
-- of one of the paths given after --, chosen at random (feeds, availability, listings),
-- so that a slow request of one kind delays the others queued behind it. Reports the
-- same HTTPBENCH line as http_get.lua, with the slowest request added.
--
-- wrk ... -s http_mixed.lua URL -- PATH...

function init(args)
	paths = {}
	for i = 1, #args do
		paths[i] = wrk.format("GET", args[i])
	end
	math.randomseed(os.time() + tonumber(tostring(paths):match("0x(%x+)") or "0", 16))
end

function request()
	return paths[math.random(#paths)]
end

function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format(
		"HTTPBENCH rps=%.1f p50_us=%d p99_us=%d requests=%d non2xx=%d sockerr=%d max_us=%d\n",
		summary.requests / (summary.duration / 1e6), latency:percentile(50),
		latency:percentile(99), summary.requests, e.status,
		e.connect + e.read + e.write + e.timeout, latency.max))
end
