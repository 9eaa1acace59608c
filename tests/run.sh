#!/bin/sh
# Runs every test suite against the binaries in BUILD (default build/) and prints, as
# its last line, "tests: N passed, M failed". Exits non-zero when anything failed.
#
# Each suite prints its own lines and ends with "<suite>: N passed, M failed".
BUILD=${1:-build}
cd "$(dirname "$0")/.." || exit 2
BUILD=$(cd "$BUILD" && pwd) || exit 2
export BUILD
passed=0
failed=0
log=$(mktemp)

run_suite() {
	name=$1
	shift
	"$@" >"$log" 2>&1
	rc=$?
	cat "$log"
	last=$(grep -E '^[a-z0-9_-]+: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [ -z "$last" ]; then
		echo "not ok - suite $name printed no summary (exit $rc)"
		failed=$((failed + 1))
		return
	fi
	p=$(echo "$last" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\1/')
	f=$(echo "$last" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\2/')
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - suite $name exited $rc"
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
}

run_suite unit "$BUILD/test-unit"
run_suite fuzz_replay sh tests/fuzz/replay.sh
run_suite layers python3 tests/lint/test_layers.py
for t in tests/cli/test_*.sh; do
	run_suite "$(basename "$t" .sh)" sh "$t"
done
for t in tests/e2e/test_*.py; do
	[ -e "$t" ] || continue
	run_suite "$(basename "$t" .py)" python3 "$t"
done
# Every example in README.md and docs/ (tests/docs/test_docs.py).
run_suite docs python3 tests/docs/test_docs.py
# The pages in Debian's Chromium (tests/web/README.md).
run_suite web node tests/web/run.mjs
rm -f "$log"
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
