# Helpers shared by the shell benchmarks (http.sh, ratios.sh): source it from bash after
# setting THREADS and CONNS (wrk's -t and -c). Prints figures, asserts nothing.

BENCH_NAME=${0##*/}

need_tool() { # need_tool COMMAND PACKAGE: installs PACKAGE with apt-get when COMMAND is missing
	command -v "$1" >/dev/null && return 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "$BENCH_NAME: $1 is missing; as root, run: apt-get update && apt-get install -y $2" >&2
		exit 1
	fi
	echo "$BENCH_NAME: installing $2" >&2
	apt-get update -qq >/dev/null
	apt-get install -y -qq "$2" >/dev/null
}

json() { # json EXPR < JSON: prints the Python expression EXPR of the parsed input, o
	python3 -c 'import json, sys; o = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"
}

free_port() { # a free TCP port on loopback
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_http() { # wait_http URL PID LOG: until URL answers, or exit with LOG when PID dies
	local i
	for i in $(seq 1 300); do
		curl -sf -o /dev/null "$1" && return 0
		if ! kill -0 "$2" 2>/dev/null; then
			break
		fi
		sleep 0.1
	done
	echo "$BENCH_NAME: $1 did not answer" >&2
	cat "$3" >&2
	exit 1
}

median() { # median of the arguments, numerically
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

field() { # field NAME FILE: the value of NAME= on the HTTPBENCH line of wrk's output
	sed -n 's/^HTTPBENCH.* '"$1"'=\([^ ]*\).*/\1/p' "$2"
}

run_wrk() { # run_wrk OUT DURATION ARGS...: wrk's output into OUT, or its error and exit
	local out=$1 d=$2
	shift 2
	if ! wrk -t "$THREADS" -c "$CONNS" -d "$d" "$@" >"$out" 2>&1 || ! grep -q '^HTTPBENCH' "$out"; then
		echo "$BENCH_NAME: wrk failed:" >&2
		cat "$out" >&2
		exit 1
	fi
}

cpu_ticks() { # user + system CPU time of process PID so far, in clock ticks (/proc/PID/stat)
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

ms() { # microseconds as milliseconds
	awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'
}

kb() { # a byte count as text
	awk -v b="$1" 'BEGIN { if (b >= 1024) printf "%.1f KB", b / 1024; else printf "%d B", b }'
}
