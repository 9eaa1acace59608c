#!/bin/bash
# The rows P1-P7 of issue 12 (performance), each as the ratio the issue states, measured
# side by side in one run: bash tests/bench/ratios.sh [BUILD]
#
# Builds nothing: run `make BUILD/lmdb-commits` and `make` first (`make bench` does). Installs
# wrk and nginx-light with apt-get when they are missing. Every figure is the median of
# RUNS (3) runs of DURATION (5s) after a WARMUP (1s), wrk -t 1 -c 32 (64 for writes);
# where two are compared, their runs alternate. Next to each requests-per-second figure is
# the server's CPU time per response: user + system time from /proc/PID/stat over the
# run, divided by the responses (on two cores wrk often saturates before the server).
#
# The stores are made with `halls import` from a file written by store_gen.py (the demo,
# and a venue whose rooms hold 1,000 and 500 upcoming bookings, 40 empty rooms for
# writes, and the rest of the bookings as history), kept in BUILD/bench-stores/ under a
# version and the store's layout (SCHEMA_VERSION), and copied for each run, since the runs
# write. BENCH_SIZE=small skips the store of 1M bookings (and P5's ratio, P6 and P7).
#
#   P1  cached 500-event room feed: CPU per response, nginx / hallsd (10k store)
#   P2  the same answered 304 (If-None-Match): CPU per response, nginx / hallsd
#   P3  durable booking creates per second, 64 connections on distinct slots / durable
#       LMDB commits per second, one small write each, same file system (lmdb-commits)
#   P4  GET /api/v1/rooms/<id>/availability (a week) / GET /healthz, req/s, same server
#   P5  cold render of the 1,000-event room feed after a change, 10k and 1M stores; and
#       the first request after start; 1M / 10k
#   P6  hallsd's RssAnon (/proc/PID/status) serving the 1M store after P5 and P7
#   P7  p99 latency of a mixed read load (feeds, availability, listings) on the 1M store
#       while a writer adds a booking to the feed's room every WRITE_EVERY (0.5) s
#
# nginx runs as the current user from a configuration written to the scratch directory
# (one process: master_process off, sendfile on, etag on), serving the feed's bytes as
# fetched from hallsd; no system service is touched. Asserts nothing.
set -euo pipefail
shopt -s inherit_errexit

BUILD=${1:-build}
THREADS=1
CONNS=32
WRITE_CONNS=64
DURATION=${DURATION:-5s}
WARMUP=${WARMUP:-1s}
RUNS=${RUNS:-3}
WRITE_EVERY=${WRITE_EVERY:-0.5}
BENCH_SIZE=${BENCH_SIZE:-full}
NOW=1796083200 # 2026-12-01T00:00:00Z: hallsd and the stores run on this clock
STORE_VERSION=1 # bump when store_gen.py changes (a new store layout is seen by itself)
FEED_ROOM=16    # store_gen.py's rooms
HALF_ROOM=17
WRITE_ROOM=18
WRITE_ROOMS=40
export HALLS_NOW=$NOW HALLS_SCRYPT_LOG2N=${HALLS_SCRYPT_LOG2N:-10}

cd "$(dirname "$0")/../.."
BENCH_DIR=$PWD/tests/bench
source "$BENCH_DIR/lib.sh"
BUILD_DIR=$PWD/$BUILD
for b in halls hallsd lmdb-commits; do
	if [ ! -x "$BUILD_DIR/$b" ]; then
		echo "ratios.sh: $BUILD_DIR/$b is missing; run make bench" >&2
		exit 1
	fi
done
need_tool wrk wrk
need_tool nginx nginx-light
CLK_TCK=$(getconf CLK_TCK)
LAYOUT=$(sed -n 's/^#define SCHEMA_VERSION \([0-9]*\).*/\1/p' server/core/db.h)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/halls-ratios.XXXXXX")
PIDS=() # servers and the writer, stopped on exit
stop() { # stop PID
	kill "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}
cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		stop "$p"
	done
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
cp "$BUILD_DIR/halls" "$BUILD_DIR/hallsd" "$WORK/" # a rebuild cannot disturb the runs
HALLS=$WORK/halls
HALLSD=$WORK/hallsd

# --- stores -------------------------------------------------------------------------

store() { # store NAME BOOKINGS: prints the directory of the cached store, making it if needed
	local dir=$BUILD_DIR/bench-stores/v$STORE_VERSION-layout$LAYOUT/$1 tmp
	if [ ! -f "$dir/data.mdb" ]; then
		tmp=$WORK/make-$1
		mkdir -p "$tmp"
		echo "ratios.sh: making the $1 store ($2 bookings) in $dir" >&2
		"$HALLS" --data "$tmp/demo" init --demo >/dev/null
		"$HALLS" --data "$tmp/demo" export >"$tmp/demo.jsonl"
		python3 "$BENCH_DIR/store_gen.py" "$2" "$NOW" <"$tmp/demo.jsonl" >"$tmp/store.jsonl"
		"$HALLS" --data "$tmp/store" import "$tmp/store.jsonl" >&2
		mkdir -p "$(dirname "$dir")"
		rm -rf "$dir"
		mv "$tmp/store" "$dir"
		rm -rf "$tmp"
	fi
	echo "$dir"
}

# --- servers ------------------------------------------------------------------------

start_hallsd() { # start_hallsd STORE NAME: a copy of STORE served; sets PID_HALLSD, HALLSD_URL
	rm -rf "${WORK:?}/$2"
	cp -r "$1" "$WORK/$2"
	local port
	port=$(free_port)
	HALLSD_URL=http://127.0.0.1:$port
	"$HALLSD" --data "$WORK/$2" --listen "127.0.0.1:$port" --log /dev/null 2>"$WORK/$2.err" &
	PID_HALLSD=$!
	PIDS+=("$PID_HALLSD")
	wait_http "$HALLSD_URL/healthz" "$PID_HALLSD" "$WORK/$2.err"
}

start_nginx() { # start_nginx: serves $WORK/www; sets PID_NGINX, NGINX_URL
	local port dir=$WORK/nginx
	port=$(free_port)
	NGINX_URL=http://127.0.0.1:$port
	mkdir -p "$dir"
	cat >"$dir/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 1024; }
http {
	access_log /dev/null;
	sendfile on;
	etag on;
	types { text/calendar ics; }
	client_body_temp_path $dir/body;
	proxy_temp_path $dir/proxy;
	fastcgi_temp_path $dir/fastcgi;
	uwsgi_temp_path $dir/uwsgi;
	scgi_temp_path $dir/scgi;
	server {
		listen 127.0.0.1:$port;
		root $WORK/www;
	}
}
EOF
	nginx -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" &
	PID_NGINX=$!
	PIDS+=("$PID_NGINX")
	wait_http "$NGINX_URL/feeds/rooms/$HALF_ROOM.ics" "$PID_NGINX" "$dir/error.log"
}

token() { # token URL: a bearer token of the demo admin
	curl -sf -X POST "$1/api/v1/session" -H 'Content-Type: application/json' \
		-d '{"email": "admin@halls.example", "password": "demo-password"}' | json 'o["token"]'
}

# --- measuring ----------------------------------------------------------------------

# measure PID SCRIPT URL [WRK ARGS...]: one wrk run after a warm-up (none with NO_WARMUP
# set, as the writes of one run must not repeat another's); sets RPS, P99_US, MAX_US, REQUESTS,
# and CPU_US (the
# server's CPU per response).
measure() {
	local pid=$1 script=$2 url=$3 t0 t1
	shift 3
	[ -n "${NO_WARMUP:-}" ] || run_wrk "$WORK/wrk.out" "$WARMUP" -s "$BENCH_DIR/$script" "$url" "$@"
	t0=$(cpu_ticks "$pid")
	run_wrk "$WORK/wrk.out" "$DURATION" -s "$BENCH_DIR/$script" "$url" "$@"
	t1=$(cpu_ticks "$pid")
	RPS=$(field rps "$WORK/wrk.out")
	ERRORS=$(($(field non2xx "$WORK/wrk.out") + $(field sockerr "$WORK/wrk.out")))
	P99_US=$(field p99_us "$WORK/wrk.out")
	MAX_US=$(field max_us "$WORK/wrk.out")
	REQUESTS=$(field requests "$WORK/wrk.out")
	CPU_US=$(awk -v t=$((t1 - t0)) -v hz="$CLK_TCK" -v n="$REQUESTS" \
		'BEGIN { printf "%.1f", n ? t * 1e6 / hz / n : 0 }')
}

line() { # line ROW WHAT SERVER REQ/S CPU-US [EXTRA]
	printf '%-3s %-44s %-7s %9.0f req/s %8s us CPU/resp  %s\n' "$@"
}

ratio() { # ratio A B: A / B to two places
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b ? a / b : 0 }'
}

# compare ROW WHAT URL_A PID_A NAME_A HEADER_A URL_B PID_B NAME_B HEADER_B: RUNS
# alternating runs of http_get.lua against two servers, each with its own request header
# (or none: ""); prints each median and sets A_RPS A_CPU B_RPS B_CPU.
compare() {
	local row=$1 what=$2 ua=$3 pa=$4 na=$5 ha=$6 ub=$7 pb=$8 nb=$9 hb=${10} r
	local ar=() ac=() br=() bc=() errors=0
	run_a() {
		measure "$pa" http_get.lua "$ua" ${ha:+-H "$ha"}
		ar+=("$RPS") ac+=("$CPU_US") errors=$((errors + ERRORS))
	}
	run_b() {
		measure "$pb" http_get.lua "$ub" ${hb:+-H "$hb"}
		br+=("$RPS") bc+=("$CPU_US") errors=$((errors + ERRORS))
	}
	for ((r = 0; r < RUNS; r++)); do
		if ((r % 2 == 0)); then run_a && run_b; else run_b && run_a; fi
	done
	A_RPS=$(median "${ar[@]}") A_CPU=$(median "${ac[@]}")
	B_RPS=$(median "${br[@]}") B_CPU=$(median "${bc[@]}")
	line "$row" "$what" "$na" "$A_RPS" "$A_CPU" "(CPU per run ${ac[*]})"
	line "$row" "" "$nb" "$B_RPS" "$B_CPU" "(CPU per run ${bc[*]})"
	# A 4xx or 5xx (a 429 from the limits) or a socket error is counted by wrk as a
	# request: a row fed by them measures nothing.
	if ((errors > 0)); then
		echo "$row  WARNING: $errors responses were errors (status >= 400) or socket errors"
	fi
}

etag() { # etag URL
	curl -sfI "$1" | tr -d '\r' | sed -n 's/^[Ee][Tt][Aa][Gg]: //p'
}

# post_one URL TOKEN DAY: one booking in the feed's room, 20:00-21:00 London time on day DAY
# after NOW (clear of store_gen.py's bookings, which end by 18:00 UTC).
post_one() {
	local date
	date=$(date -u -d "@$((NOW + $3 * 86400))" +%F)
	curl -sf -o /dev/null -X POST "$1/api/v1/bookings" -H "Authorization: Bearer $2" \
		-H 'Content-Type: application/json' \
		-d "{\"room_id\": $FEED_ROOM, \"group_id\": 1, \"title\": \"Change $3\", \"public\": true,
		     \"start\": \"${date}T20:00\", \"end\": \"${date}T21:00\"}"
}

feed_ms() { # feed_ms URL: the time of one GET of the feed's room, in ms
	curl -sf -o /dev/null -w '%{time_total}' "$1/feeds/rooms/$FEED_ROOM.ics" |
		awk '{ printf "%.1f", $1 * 1000 }'
}

# cold_renders STORE NAME: P5 on one store; sets FIRST_MS and COLD_MS (the median of RUNS
# renders, each after a change) and leaves hallsd running (PID_HALLSD, HALLSD_URL, TOK).
DAY_NEXT=200
cold_renders() {
	local times=() r
	start_hallsd "$1" "$2"
	FIRST_MS=$(feed_ms "$HALLSD_URL")
	TOK=$(token "$HALLSD_URL")
	for ((r = 0; r < RUNS; r++)); do
		post_one "$HALLSD_URL" "$TOK" $((DAY_NEXT++))
		times+=("$(feed_ms "$HALLSD_URL")")
	done
	COLD_MS=$(median "${times[@]}")
	printf 'P5  cold render, 1,000-event room feed, %-4s store: %8s ms after a change (runs %s); first request after start %s ms\n' \
		"$2" "$COLD_MS" "${times[*]}" "$FIRST_MS"
}

echo "issue 12's rows, $(nproc) CPUs (shared: quote medians, compare runs on this machine only);"
echo "wrk -t $THREADS -c $CONNS ($WRITE_CONNS for writes), median of $RUNS runs of $DURATION after $WARMUP;" \
	"stores under $WORK on $(stat -f -c %T "$WORK") ($(df -P "$WORK" | awk 'NR == 2 { print $1 }'))"
echo

# --- P1, P2, P4, P3 on the 10k store ---------------------------------------------------

SMALL=$(store 10k 10000)
start_hallsd "$SMALL" small
FEED=/feeds/rooms/$HALF_ROOM.ics
mkdir -p "$WORK/www/feeds/rooms"
curl -sf -o "$WORK/www$FEED" "$HALLSD_URL$FEED"
size=$(stat -c %s "$WORK/www$FEED")
start_nginx
if ! curl -sf "$NGINX_URL$FEED" | cmp -s - "$WORK/www$FEED"; then
	echo "ratios.sh: nginx does not serve hallsd's bytes" >&2
	exit 1
fi

compare P1 "cached 500-event room feed ($(kb "$size")), 200" \
	"$HALLSD_URL$FEED" "$PID_HALLSD" hallsd "" "$NGINX_URL$FEED" "$PID_NGINX" nginx ""
echo "P1  CPU per response, nginx / hallsd: $(ratio "$B_CPU" "$A_CPU")   (goal >= 0.9)"
compare P2 "the same feed, If-None-Match: 304" \
	"$HALLSD_URL$FEED" "$PID_HALLSD" hallsd "If-None-Match: $(etag "$HALLSD_URL$FEED")" \
	"$NGINX_URL$FEED" "$PID_NGINX" nginx "If-None-Match: $(etag "$NGINX_URL$FEED")"
echo "P2  CPU per response, nginx / hallsd: $(ratio "$B_CPU" "$A_CPU")   (goal >= 0.6, aim for 1)"
stop "$PID_NGINX"

AVAIL="/api/v1/rooms/$FEED_ROOM/availability?from=$(date -u -d "@$((NOW + 7 * 86400))" +%FT00:00)&to=$(date -u -d "@$((NOW + 14 * 86400))" +%FT00:00)"
# The second week after NOW: 70 approved public bookings of the 1,000-booking room, shown
# whole to an anonymous caller (view.h), and no pending one.
avail_reply=$(curl -sf "$HALLSD_URL$AVAIL")
avail_what="$(printf '%s' "$avail_reply" | json 'len(o["busy"])') bookings, $(kb "$(printf '%s' "$avail_reply" | wc -c)")"
compare P4 "GET /api/v1/rooms/$FEED_ROOM/availability (a week: $avail_what)" \
	"$HALLSD_URL$AVAIL" "$PID_HALLSD" hallsd "" "$HALLSD_URL/healthz" "$PID_HALLSD" hallsd ""
echo "P4  req/s, availability / healthz: $(ratio "$A_RPS" "$B_RPS")   (goal >= 0.5)"

# P3: creates, alternating with the anchor, on the same file system as the store.
TOK=$(token "$HALLSD_URL")
DAY0=$((NOW + 2 * 86400))
base=0 crates=() ccpu=() lrates=()
for ((r = 0; r < RUNS; r++)); do
	mkdir "$WORK/lmdb-$r"
	lrates+=("$("$BUILD_DIR/lmdb-commits" "$WORK/lmdb-$r" "${DURATION%s}" | sed 's/.*rate=//')")
	rm -rf "$WORK/lmdb-$r"
	NO_WARMUP=1 CONNS=$WRITE_CONNS measure "$PID_HALLSD" http_post.lua "$HALLSD_URL/api/v1/bookings" -- \
		"$TOK" "$base" "$WRITE_ROOM" "$WRITE_ROOMS" "$DAY0" "$THREADS" 1
	base=$((base + THREADS * $(field sent_per_thread "$WORK/wrk.out")))
	crates+=("$(awk -v r="$RPS" -v ok="$(field s201 "$WORK/wrk.out")" -v n="$REQUESTS" \
		'BEGIN { printf "%.1f", n ? r * ok / n : 0 }')")
	ccpu+=("$CPU_US")
done
line P3 "durable booking creates (201), 64 conns" hallsd "$(median "${crates[@]}")" \
	"$(median "${ccpu[@]}")" "(creates/s per run ${crates[*]})"
printf '%-3s %-44s %-7s %9.0f commits/s  (per run %s)\n' P3 "durable LMDB commits, one write each" \
	lmdb "$(median "${lrates[@]}")" "${lrates[*]}"
echo "P3  creates / LMDB commits: $(ratio "$(median "${crates[@]}")" "$(median "${lrates[@]}")")   (goal >= 5)"
stop "$PID_HALLSD"

# --- P5, P7, P6 ---------------------------------------------------------------------------

cold_renders "$SMALL" 10k
SMALL_MS=$COLD_MS
stop "$PID_HALLSD"
if [ "$BENCH_SIZE" = small ]; then
	echo "BENCH_SIZE=small: no 1M store, so no P5 ratio, P6 or P7"
	exit 0
fi
cold_renders "$(store 1M 1000000)" 1M
echo "P5  1M / 10k: $(ratio "$COLD_MS" "$SMALL_MS")   (goals: <= 20 ms at 1M, 1M / 10k <= 1.5)"

paths=()
for room in "$FEED_ROOM" "$HALF_ROOM" 1 2 3 8; do
	paths+=("/feeds/rooms/$room.ics" "/api/v1/rooms/$room/availability" \
		"/api/v1/bookings?room=$room&limit=50")
done
( # the writer: a change every WRITE_EVERY seconds, so that the feeds are built again
	day=1000
	while :; do
		post_one "$HALLSD_URL" "$TOK" $((day++)) || true
		sleep "$WRITE_EVERY"
	done
) &
WRITER=$!
PIDS+=("$WRITER")
changes=$(curl -sf "$HALLSD_URL/healthz" | json 'o["change"]')
p99=() maxes=() rates=() cpus=()
for ((r = 0; r < RUNS; r++)); do
	measure "$PID_HALLSD" http_mixed.lua "$HALLSD_URL" -- "${paths[@]}"
	p99+=("$(ms "$P99_US")") maxes+=("$(ms "$MAX_US")") rates+=("$RPS") cpus+=("$CPU_US")
done
stop "$WRITER"
changes=$(($(curl -sf "$HALLSD_URL/healthz" | json 'o["change"]') - changes))
line P7 "mixed reads, 1M store, a write every ${WRITE_EVERY}s" hallsd "$(median "${rates[@]}")" \
	"$(median "${cpus[@]}")" "($changes writes during the runs)"
echo "P7  p99 of the reads: $(median "${p99[@]}") ms (runs ${p99[*]}; slowest ${maxes[*]} ms)   (goal <= 10 ms)"
anon=$(awk '/^RssAnon:/ { printf "%.1f", $2 / 1024 }' "/proc/$PID_HALLSD/status")
echo "P6  hallsd's anonymous memory (RssAnon) serving the 1M store after P5 and P7: $anon MB   (goal <= 32 MB)"
