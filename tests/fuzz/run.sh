#!/bin/sh
# make fuzz: runs each libFuzzer harness for FUZZ_SECONDS (default 60), one after the
# other, and stops at the first crash, leaving the input in tests/fuzz/crashes/NAME/.
# FUZZ=NAME runs that harness only; FUZZ_JOBS=N runs N processes of each.
# New inputs that reach new code go to build-fuzz/corpus/NAME, not into the repository:
# `make fuzz-merge` folds them, minimised, into tests/fuzz/corpus/.
set -u
cd "$(dirname "$0")/../.." || exit 2
BUILD=${1:-build-fuzz}
seconds=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-1}
for src in tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	name=${name#fuzz_}
	[ -n "${FUZZ:-}" ] && [ "$FUZZ" != "$name" ] && continue
	work="$BUILD/corpus/$name"
	crashes="tests/fuzz/crashes/$name"
	mkdir -p "$work" "$crashes"
	opts=""
	[ -f "tests/fuzz/$name.dict" ] && opts="-dict=tests/fuzz/$name.dict"
	# Several processes only when asked: -jobs sends the output to fuzz-N.log files.
	[ "$jobs" -gt 1 ] && opts="$opts -jobs=$jobs -workers=$jobs"
	echo "fuzz $name: ${seconds}s"
	# -timeout: an input that holds a harness for 2 s would hold the event loop as
	# long, so it counts as a failure, like a crash.
	# shellcheck disable=SC2086
	"$BUILD/fuzz/fuzz-$name" -max_total_time="$seconds" -timeout=2 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$crashes/" $opts "$work" "tests/fuzz/corpus/$name" ||
		{ echo "fuzz $name: failed; the input is in $crashes/" >&2; exit 1; }
done
