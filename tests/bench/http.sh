#!/bin/bash
# HTTP benchmark of hallsd on loopback with wrk: bash tests/bench/http.sh [BUILD]
#
# Builds nothing: run `make` first. Installs wrk with apt-get when it is missing (as root;
# otherwise prints the command and exits 1). Serves a throwaway demo data directory (made
# with mktemp -d, so under $TMPDIR, else /tmp: the write figures depend on what fsync
# costs there) from BUILD/hallsd on a free loopback port, then:
#
# - reads: wrk with THREADS threads and CONNS connections, a WARMUP run and then RUNS runs
#   of DURATION each, against /healthz, /api/v1/venues, /api/v1/rooms/1/availability and
#   an anonymous /api/v1/bookings made at least BIG_KB (100) KB long by public approved
#   bookings added through the API;
# - writes: the same against POST /api/v1/bookings as the demo admin, each request a
#   distinct booking that overlaps no other (http_post.lua), in rooms of a venue added for
#   the purpose. The change counter of /healthz goes up once per write transaction, that
#   is once per fsync, so requests / changes is how many writes each commit carried
#   (group commit, server/commit.c).
#
# Prints the median of the runs of each figure (machines are noisy: quote medians, and
# compare runs on the same machine only). Asserts nothing; no test times anything.
set -euo pipefail

BUILD=${1:-build}
THREADS=${THREADS:-2}
CONNS=${CONNS:-50}
DURATION=${DURATION:-5s}
WARMUP=${WARMUP:-1s}
RUNS=${RUNS:-3}
BIG_KB=${BIG_KB:-100}
BENCH_ROOMS=40
export HALLS_SCRYPT_LOG2N=${HALLS_SCRYPT_LOG2N:-10}

cd "$(dirname "$0")/../.."
BENCH_DIR=$PWD/tests/bench
source "$BENCH_DIR/lib.sh"
HALLS=$PWD/$BUILD/halls
HALLSD=$PWD/$BUILD/hallsd
for b in "$HALLS" "$HALLSD"; do
	if [ ! -x "$b" ]; then
		echo "http.sh: $b is missing; run make first" >&2
		exit 1
	fi
done
for c in curl python3; do
	if ! command -v "$c" >/dev/null; then
		echo "http.sh: $c is missing; run make (it installs the packages halls needs)" >&2
		exit 1
	fi
done

need_tool wrk wrk

WORK=$(mktemp -d "${TMPDIR:-/tmp}/halls-http-bench.XXXXXX")
DATA=$WORK/data
SERVER_PID=
cleanup() {
	if [ -n "$SERVER_PID" ]; then
		kill "$SERVER_PID" 2>/dev/null || true
		wait "$SERVER_PID" 2>/dev/null || true
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Copies of the binaries, so that a rebuild while the benchmark runs cannot disturb it.
cp "$HALLS" "$HALLSD" "$WORK/"
HALLS=$WORK/halls
HALLSD=$WORK/hallsd

# The data: the demo, and a venue whose rooms take the write benchmark's bookings.
"$HALLS" --data "$DATA" init --demo >/dev/null
"$HALLS" --data "$DATA" --json venue add --name "Benchmark Centre" --tz Europe/London \
	--hours "mon-sun 08:00-22:00" >"$WORK/venue.json"
BENCH_VENUE=$(json 'o["id"]' <"$WORK/venue.json")
FIRST_ROOM=
for i in $(seq 1 "$BENCH_ROOMS"); do
	"$HALLS" --data "$DATA" --json room add --venue "$BENCH_VENUE" --name "Bench Room $i" \
		--capacity 20 --min-length 30 --max-length 240 --notice 0 --horizon 365 \
		--approval auto >"$WORK/room.json"
	id=$(json 'o["id"]' <"$WORK/room.json")
	if [ -z "$FIRST_ROOM" ]; then
		FIRST_ROOM=$id
	elif [ "$id" -ne $((FIRST_ROOM + i - 1)) ]; then
		echo "http.sh: bench room ids are not consecutive ($id)" >&2
		exit 1
	fi
done

PORT=$(free_port)
URL=http://127.0.0.1:$PORT
"$HALLSD" --data "$DATA" --listen "127.0.0.1:$PORT" --log /dev/null 2>"$WORK/hallsd.err" &
SERVER_PID=$!
wait_http "$URL/healthz" "$SERVER_PID" "$WORK/hallsd.err"

curl -sf -X POST "$URL/api/v1/session" -H 'Content-Type: application/json' \
	-d '{"email": "admin@halls.example", "password": "demo-password"}' >"$WORK/session.json"
TOKEN=$(json 'o["token"]' <"$WORK/session.json")

# The big list: public approved bookings, one a day from 14:00 to 15:00 (inside every
# day's opening hours of their venues) in rooms 1 and 3 (Hartley Road), 8 (Brook Park) and
# 10 and 11 (St Mary's), from day 50 on, after the demo's six weeks, added a day at a time
# until the anonymous list is BIG_KB long. Room 3's horizon (180 days) ends it at worst.
rooms=(1 3 8 10 11)
made=0
refused=0
for ((k = 0; k < 130 * ${#rooms[@]}; k++)); do
	if [ $((k % ${#rooms[@]})) -eq 0 ] &&
		[ "$(curl -sf -o /dev/null -w '%{size_download}' "$URL/api/v1/bookings")" -ge $((BIG_KB * 1024)) ]; then
		break
	fi
	room=${rooms[k % ${#rooms[@]}]}
	day=$(date -d "+$((50 + k / ${#rooms[@]})) days" +%F)
	code=$(curl -s -o "$WORK/post.json" -w '%{http_code}' -X POST "$URL/api/v1/bookings" \
		-H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
		-d "{\"room_id\": $room, \"group_id\": $((1 + k % 10)), \"title\": \"Community event $k\",
		     \"description\": \"Open to all; tea and biscuits afterwards.\", \"attendees\": 10,
		     \"public\": true, \"approve\": true,
		     \"start\": \"${day}T14:00\", \"end\": \"${day}T15:00\"}")
	if [ "$code" = 201 ]; then
		made=$((made + 1))
	else
		refused=$((refused + 1))
		[ "$refused" -gt 1 ] || echo "http.sh: a big-list booking was refused ($code): $(cat "$WORK/post.json")" >&2
	fi
done
echo "http.sh: added $made bookings for the big list ($refused refused)" >&2

echo
echo "hallsd on loopback, wrk -t $THREADS -c $CONNS -d $DURATION after a $WARMUP warm-up;" \
	"median of $RUNS runs; data on $(stat -f -c %T "$WORK") ($(df -P "$WORK" | awk 'NR == 2 { print $1 }'))"
echo
printf '%-36s %9s %10s %8s %8s %8s\n' "request" "body" "req/s" "p50 ms" "p99 ms" "non-2xx"

bench_get() { # bench_get LABEL PATH [WRK ARGS...]: extra args, e.g. a header, go to wrk
	local label=$1 path=$2 size rps=() p50=() p99=() bad=() r
	shift 2
	size=$(curl -sf -o /dev/null -w '%{size_download}' "$URL$path")
	run_wrk "$WORK/wrk.out" "$WARMUP" -s "$BENCH_DIR/http_get.lua" "$@" "$URL$path"
	for ((r = 0; r < RUNS; r++)); do
		run_wrk "$WORK/wrk.out" "$DURATION" -s "$BENCH_DIR/http_get.lua" "$@" "$URL$path"
		rps+=("$(field rps "$WORK/wrk.out")")
		p50+=("$(field p50_us "$WORK/wrk.out")")
		p99+=("$(field p99_us "$WORK/wrk.out")")
		bad+=("$(($(field non2xx "$WORK/wrk.out") + $(field sockerr "$WORK/wrk.out")))")
	done
	printf '%-36s %9s %10.0f %8s %8s %8s\n' "$label" "$(kb "$size")" "$(median "${rps[@]}")" \
		"$(ms "$(median "${p50[@]}")")" "$(ms "$(median "${p99[@]}")")" "$(median "${bad[@]}")"
}

bench_get "GET /healthz" /healthz
bench_get "GET /api/v1/venues" /api/v1/venues
bench_get "GET /api/v1/rooms/1/availability" /api/v1/rooms/1/availability
nbig=$(curl -sf "$URL/api/v1/bookings" | json 'len(o)')
bench_get "GET /api/v1/bookings ($nbig items)" /api/v1/bookings
# Feeds: what calendar apps poll. Built once per change and then served from the cache;
# an app that sends its ETag back gets 304 and no body.
bench_get "GET /feeds/rooms/1.ics" /feeds/rooms/1.ics
bench_get "GET /feeds/all.ics" /feeds/all.ics
etag=$(curl -sfI "$URL/feeds/all.ics" | tr -d '\r' | sed -n 's/^[Ee][Tt][Aa][Gg]: //p')
bench_get "GET /feeds/all.ics (304)" /feeds/all.ics -H "If-None-Match: $etag"

# Writes. Slots start the day after tomorrow (UTC) and fill BENCH_ROOMS (40) rooms x 28
# half-hours a day for 358 days: about 400,000 bookings before the horizon, far more than
# the runs make.
DAY0=$((($(date +%s) / 86400 + 2) * 86400))
CAPACITY=$((BENCH_ROOMS * 28 * 358))
base=0
post() { # post DURATION: one write run from slot $base; moves base past the slots it used
	local before after
	before=$(curl -sf "$URL/healthz" | json 'o["change"]')
	run_wrk "$WORK/wrk.out" "$1" -s "$BENCH_DIR/http_post.lua" "$URL/api/v1/bookings" -- \
		"$TOKEN" "$base" "$FIRST_ROOM" "$BENCH_ROOMS" "$DAY0" "$THREADS" 1
	after=$(curl -sf "$URL/healthz" | json 'o["change"]')
	commits=$((after - before))
	base=$((base + THREADS * $(field sent_per_thread "$WORK/wrk.out")))
}
post "$WARMUP"
wrps=() wp50=() wp99=() w201=() wother=() wper=() codes=""
for ((r = 0; r < RUNS; r++)); do
	post "$DURATION"
	wrps+=("$(field rps "$WORK/wrk.out")")
	wp50+=("$(field p50_us "$WORK/wrk.out")")
	wp99+=("$(field p99_us "$WORK/wrk.out")")
	w201+=("$(field s201 "$WORK/wrk.out")")
	wother+=("$(($(field other "$WORK/wrk.out") + $(field sockerr "$WORK/wrk.out")))")
	wper+=("$(awk -v n="$(field requests "$WORK/wrk.out")" -v c="$commits" 'BEGIN { printf "%.1f", c ? n / c : 0 }')")
	c=$(field codes "$WORK/wrk.out")
	[ "$c" = - ] || codes="$codes run $((r + 1)): $c;"
done
printf '%-36s %9s %10.0f %8s %8s %8s\n' "POST /api/v1/bookings (bearer)" "-" \
	"$(median "${wrps[@]}")" "$(ms "$(median "${wp50[@]}")")" "$(ms "$(median "${wp99[@]}")")" \
	"$(median "${wother[@]}")"
echo
echo "writes: req/s per run ${wrps[*]}"
echo "writes: 201 per run ${w201[*]}; other statuses and socket errors per run ${wother[*]}" \
	"(median $(median "${wother[@]}"))"
echo "writes: requests per commit (per fsync) per run ${wper[*]} (median $(median "${wper[@]}"))"
[ -z "$codes" ] || echo "writes: statuses other than 201:$codes"
[ "$base" -le "$CAPACITY" ] || echo "writes: used $base slots of $CAPACITY: later ones were too far ahead"
if ! "$HALLS" --data "$DATA" check >"$WORK/check.out" 2>&1; then
	echo "http.sh: halls check found problems after the benchmark:" >&2
	cat "$WORK/check.out" >&2
	exit 1
fi
echo "check after the writes: $(cat "$WORK/check.out")"
