-- wrk script for the write benchmark of tests/bench/http.sh: every request is
-- POST /api/v1/bookings for a distinct booking that overlaps no other, so that most are
-- answered 201.
--
-- wrk ... -s http_post.lua URL -- TOKEN BASE FIRST_ROOM NROOMS DAY0 NTHREADS GROUP
--   TOKEN       bearer token of a user who may book for GROUP (the demo admin)
--   BASE        first slot number (see sent_per_thread below)
--   FIRST_ROOM  id of the first of NROOMS rooms, ids consecutive, open 08:00-22:00 every
--   NROOMS      day, min_minutes <= 30, no buffers, no notice, horizon >= 365 days
--   DAY0        UTC seconds of the midnight starting the first day used
--   NTHREADS    wrk's -t
--   GROUP       the group booking
--
-- Slot s is room FIRST_ROOM + s % NROOMS, then half-hour SLOTS_PER_DAY of each day from
-- DAY0 on: consecutive slots go to different rooms. Each wrk thread has its own Lua state,
-- so thread tid (0..NTHREADS-1) takes slots BASE + tid, BASE + tid + NTHREADS, ...; no
-- slot is used twice, across threads or across runs: done() prints sent_per_thread, the
-- most requests any thread made, and the next run starts at BASE + NTHREADS * that. done()
-- runs in the main state and collects each thread's counters with thread:get.

local SLOTS_PER_DAY = 28 -- 08:00, 08:30, ..., 21:30
local FIRST_MINUTE = 8 * 60

local threads = {}
local nsetup = 0

function setup(thread)
	thread:set("tid", nsetup)
	nsetup = nsetup + 1
	table.insert(threads, thread)
end

function init(args)
	token = args[1]
	base = tonumber(args[2])
	first_room = tonumber(args[3])
	nrooms = tonumber(args[4])
	day0 = tonumber(args[5])
	nthreads = tonumber(args[6])
	group = tonumber(args[7])
	sent = 0
	n201 = 0
	nother = 0
	codes = {} -- status -> count, for the statuses other than 201
	headers = {
		["Authorization"] = "Bearer " .. token,
		["Content-Type"] = "application/json",
	}
end

local function hhmm(minute)
	return string.format("%02d:%02d", math.floor(minute / 60), minute % 60)
end

function request()
	local s = base + sent * nthreads + tid
	sent = sent + 1
	local room = first_room + s % nrooms
	local t = math.floor(s / nrooms)
	local day = math.floor(t / SLOTS_PER_DAY)
	local start = FIRST_MINUTE + (t % SLOTS_PER_DAY) * 30
	local date = os.date("!%Y-%m-%d", day0 + day * 86400)
	local body = string.format(
		'{"room_id":%d,"group_id":%d,"title":"Benchmark booking %d",' ..
		'"attendees":5,"start":"%sT%s","end":"%sT%s"}',
		room, group, s, date, hhmm(start), date, hhmm(start + 30))
	return wrk.format("POST", "/api/v1/bookings", headers, body)
end

function response(status, headers, body)
	if status == 201 then
		n201 = n201 + 1
	else
		nother = nother + 1
		codes[status] = (codes[status] or 0) + 1
	end
end

function done(summary, latency, requests)
	local maxsent, c201, cother, all = 0, 0, 0, {}
	for _, thread in ipairs(threads) do
		local n = thread:get("sent")
		if n > maxsent then
			maxsent = n
		end
		c201 = c201 + thread:get("n201")
		cother = cother + thread:get("nother")
		for code, count in pairs(thread:get("codes")) do
			all[code] = (all[code] or 0) + count
		end
	end
	local list = {}
	for code, count in pairs(all) do
		table.insert(list, code .. ":" .. count)
	end
	table.sort(list)
	io.write(string.format(
		"HTTPBENCH rps=%.1f p50_us=%d p99_us=%d requests=%d s201=%d other=%d codes=%s " ..
		"sockerr=%d sent_per_thread=%d\n",
		summary.requests / (summary.duration / 1e6), latency:percentile(50),
		latency:percentile(99), summary.requests, c201, cother,
		#list > 0 and table.concat(list, ",") or "-",
		summary.errors.connect + summary.errors.read + summary.errors.write +
		summary.errors.timeout, maxsent))
end
