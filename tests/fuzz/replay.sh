#!/bin/sh
# Replays every corpus file and every saved crash through its harness (built without
# libFuzzer as $BUILD/fuzz/replay-NAME), one test per harness, so a fixed crash stays
# fixed. Ends with "fuzz_replay: N passed, M failed".
cd "$(dirname "$0")/../.." || exit 2
BUILD=${BUILD:-build}
passed=0
failed=0
for src in tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	name=${name#fuzz_}
	bin="$BUILD/fuzz/replay-$name"
	set --
	for f in tests/fuzz/corpus/"$name"/* tests/fuzz/crashes/"$name"/*; do
		[ -f "$f" ] && set -- "$@" "$f"
	done
	if [ ! -x "$bin" ]; then
		echo "not ok - fuzz $name: $bin is not built"
		failed=$((failed + 1))
	elif [ $# -eq 0 ]; then
		echo "not ok - fuzz $name: no corpus in tests/fuzz/corpus/$name"
		failed=$((failed + 1))
	elif "$bin" "$@"; then
		echo "ok - fuzz $name: $# inputs replayed"
		passed=$((passed + 1))
	else
		# Find the input that fails, one at a time, to name it.
		for f in "$@"; do
			"$bin" "$f" >/dev/null 2>&1 || { echo "  failing input: $f"; break; }
		done
		echo "not ok - fuzz $name"
		failed=$((failed + 1))
	fi
done
echo "fuzz_replay: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
