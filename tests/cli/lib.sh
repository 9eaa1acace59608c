# Helpers for tests that drive the real `halls` binary. Source it, then call
# `t_done` at the end. Each check prints "ok - ..." or "not ok - ..." and the suite's
# last line is "<suite>: N passed, M failed".
set -u
T_NAME=$(basename "$0" .sh)
T_PASS=0
T_FAIL=0
HALLS="$BUILD/halls"
T_DIR=$(mktemp -d /tmp/halls-test.XXXXXX)
export HALLS_DATA="$T_DIR/data"
export HALLS_SCRYPT_LOG2N=10
T_OUT="$T_DIR/out"
T_ERR="$T_DIR/err"
trap 'rm -rf "$T_DIR"' EXIT

t_pass() {
	T_PASS=$((T_PASS + 1))
	echo "ok - $T_NAME: $1"
}

t_fail() {
	T_FAIL=$((T_FAIL + 1))
	echo "not ok - $T_NAME: $1"
	[ -s "$T_OUT" ] && sed 's/^/#   out: /' "$T_OUT" | head -n 10
	[ -s "$T_ERR" ] && sed 's/^/#   err: /' "$T_ERR" | head -n 10
	return 0
}

# t_run EXPECTED_EXIT DESCRIPTION halls-args...: runs halls, checks its exit status.
t_run() {
	want=$1
	what=$2
	shift 2
	"$HALLS" "$@" >"$T_OUT" 2>"$T_ERR"
	got=$?
	if [ "$got" -eq "$want" ]; then
		t_pass "$what"
	else
		t_fail "$what (exit $got, wanted $want)"
	fi
}

# t_grep PATTERN DESCRIPTION: the last command's stdout or stderr matches PATTERN.
t_grep() {
	if grep -qE -- "$1" "$T_OUT" "$T_ERR"; then
		t_pass "$2"
	else
		t_fail "$2 (no match for /$1/)"
	fi
}

# t_json EXPR DESCRIPTION: a Python expression over `o`, the last stdout parsed as JSON.
t_json() {
	if python3 -c "import json,sys; o=json.load(open(sys.argv[1])); sys.exit(0 if ($1) else 1)" "$T_OUT" 2>/dev/null; then
		t_pass "$2"
	else
		t_fail "$2 (false: $1)"
	fi
}

# t_id: the id of the object the last --json command printed.
t_id() {
	python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['id'])" "$T_OUT"
}

# t_hallsd_start: the real hallsd on a free loopback port over $HALLS_DATA, its log in
# $T_DIR/hallsd.log; sets PORT and PID, and returns once /healthz answers (or 5 s pass).
t_hallsd_start() {
	PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	"$BUILD/hallsd" --data "$HALLS_DATA" --listen "127.0.0.1:$PORT" >"$T_DIR/hallsd.log" 2>&1 &
	PID=$!
	i=0
	until curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" || [ $i -ge 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

t_done() {
	echo "$T_NAME: $T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" -eq 0 ]
}
