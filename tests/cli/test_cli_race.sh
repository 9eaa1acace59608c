# Several halls processes race to book the same slot: exactly one wins every round, and
# `halls check` stays clean. LMDB serialises writers across processes; this proves the
# rules are checked inside the write transaction, not before it.
. "$(dirname "$0")/lib.sh"
export HALLS_NOW=1793610000
ROUNDS=${RACE_ROUNDS:-25}
RACERS=4

"$HALLS" init >/dev/null
V=$("$HALLS" --json venue add --name "Brook Park Pavilion" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
R=$("$HALLS" --json room add --venue "$V" --name "Pavilion" --capacity 40 --approval auto --setup 10 --cleanup 10 | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
G=$("$HALLS" --json group add --name "Park Runners" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')

bad_rounds=0
round=1
while [ "$round" -le "$ROUNDS" ]; do
	day=$(printf '2026-12-%02d' $(((round - 1) % 28 + 1)))
	hour=$((10 + (round - 1) / 28 * 3))
	i=1
	pids=""
	while [ "$i" -le "$RACERS" ]; do
		# Each racer asks for a slightly different but overlapping interval.
		"$HALLS" booking request --room "$R" --group "$G" --title "racer $i" \
			--start "${day}T$hour:0$i" --end "${day}T$((hour + 1)):00" \
			>/dev/null 2>"$T_DIR/race.$i" &
		pids="$pids $!"
		i=$((i + 1))
	done
	wins=0
	for pid in $pids; do
		if wait "$pid"; then
			wins=$((wins + 1))
		fi
	done
	[ "$wins" -eq 1 ] || bad_rounds=$((bad_rounds + 1))
	round=$((round + 1))
done
if [ "$bad_rounds" -eq 0 ]; then
	t_pass "exactly one of $RACERS racers won each of $ROUNDS rounds"
else
	t_fail "$bad_rounds of $ROUNDS rounds did not have exactly one winner"
fi
if grep -q "already booked" "$T_DIR"/race.*; then
	t_pass "the losers were told the room is already booked"
else
	t_fail "no loser was told of the conflict"
fi
n=$("$HALLS" --json booking list --room "$R" --status approved | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
if [ "$n" -eq "$ROUNDS" ]; then
	t_pass "one approved booking per round ($n)"
else
	t_fail "$n approved bookings for $ROUNDS rounds"
fi
t_run 0 "check stays clean after the race" check
t_done
