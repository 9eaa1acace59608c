#!/bin/sh
# Builds and runs the benchmarks. They print figures and assert nothing: quote medians,
# and compare runs on the same machine only.
set -e
BUILD=${1:-build}
cd "$(dirname "$0")/../.."
make -s "$BUILD/bench-core" "$BUILD/lmdb-commits"
"$BUILD/bench-core"
# hallsd over loopback with wrk: reads of every size and group-committed writes.
bash tests/bench/http.sh "$BUILD"
# Issue 12's rows P1-P7, each a ratio against an anchor measured in the same run (nginx,
# durable LMDB commits, /healthz, a smaller store); BENCH_SIZE=small skips the 1M store.
bash tests/bench/ratios.sh "$BUILD"
# What a page of a listing costs in a store of 20,000 bookings, against /healthz.
python3 tests/bench/pages.py "$BUILD"
# What a cold feed build costs in stores of 1 and 6 years of history.
python3 tests/bench/feeds.py "$BUILD"
# Each page in Debian's Chromium: first-load bytes, time to ready and a repeat visit.
node tests/bench/web.mjs "$BUILD"
