# Bad input gets a clear refusal and changes nothing.
. "$(dirname "$0")/lib.sh"
export HALLS_NOW=1793610000

"$HALLS" init >/dev/null
V=$("$HALLS" --json venue add --name "Marsh Lane Library" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
R=$("$HALLS" --json room add --venue "$V" --name "Study Room" --capacity 8 --approval auto --min-length 30 --max-length 240 --notice 1440 | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
G=$("$HALLS" --json group add --name "Homework Club" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
"$HALLS" export >"$T_DIR/before"

req() { # req EXIT DESCRIPTION PATTERN options...
	want=$1 what=$2 pat=$3
	shift 3
	t_run "$want" "$what" booking request --room "$R" --group "$G" --title "Homework" "$@"
	[ -n "$pat" ] && t_grep "$pat" "$what: message says why"
}
req 1 "malformed start" "not a time" --start 2026-12-01T1900 --end 2026-12-01T20:00
req 1 "impossible date" "not a valid date" --start 2026-02-30T10:00 --end 2026-02-30T11:00
req 1 "end before start" "end after" --start 2026-12-01T19:00 --end 2026-12-01T18:00
req 1 "too short" "minutes" --start 2026-12-01T19:00 --end 2026-12-01T19:15
req 1 "too long" "minutes" --start 2026-12-01T10:00 --end 2026-12-01T16:00
req 1 "over capacity" "holds 8" --start 2026-12-01T19:00 --end 2026-12-01T20:00 --attendees 9
req 1 "too short notice" "ahead" --start 2026-11-02T20:00 --end 2026-11-02T21:00
req 1 "in the past" "past" --start 2026-10-01T19:00 --end 2026-10-01T20:00
req 1 "too far ahead" "days ahead" --start 2028-12-01T19:00 --end 2028-12-01T20:00
req 1 "skipped local time" "does not exist" --start 2027-03-28T01:30 --end 2027-03-28T02:30
req 1 "empty title" "blank" --start 2026-12-01T19:00 --end 2026-12-01T20:00 --title " "
t_run 1 "unknown room" booking request --room 999 --group "$G" --title x \
	--start 2026-12-01T19:00 --end 2026-12-01T20:00
t_grep "no room 999" "unknown room is named"
t_run 1 "unknown group" booking request --room "$R" --group 999 --title x \
	--start 2026-12-01T19:00 --end 2026-12-01T20:00
t_run 2 "missing --end" booking request --room "$R" --group "$G" --title x \
	--start 2026-12-01T19:00
t_run 2 "id zero" booking approve 0
t_run 2 "id not a number" booking approve abc
t_run 1 "unknown booking" booking approve 4242
t_run 1 "non-UTF-8 title" booking request --room "$R" --group "$G" \
	--title "$(printf 'caf\351')" --start 2026-12-01T19:00 --end 2026-12-01T20:00
t_grep "UTF-8" "non-UTF-8 is named"
t_run 1 "oversized title" booking request --room "$R" --group "$G" \
	--title "$(head -c 5000 /dev/zero | tr '\0' x)" --start 2026-12-01T19:00 --end 2026-12-01T20:00
t_run 1 "control characters in a name" venue add --name "$(printf 'bad\033name')"
t_run 1 "--json errors are JSON" --json booking approve 4242
if python3 -c 'import json,sys; o=json.load(open(sys.argv[1])); sys.exit(0 if o["error"]=="not-found" else 1)' "$T_ERR"; then
	t_pass "--json error body names the failure"
else
	t_fail "--json error body names the failure"
fi
"$HALLS" export >"$T_DIR/after"
if cmp -s "$T_DIR/before" "$T_DIR/after"; then
	t_pass "nothing was written by any refused command"
else
	t_fail "refused commands changed the data"
fi
t_run 0 "non-ASCII text of every width is fine" --json booking request --room "$R" \
	--group "$G" --title "Café € 😀 ß" --start 2026-12-01T19:00 --end 2026-12-01T20:00
t_json "o['title']=='Café € 😀 ß'" "text round-trips"
t_run 1 "a data directory that does not exist" --data "$T_DIR/nowhere" venue list
t_grep "halls init" "the message says to run halls init"
# Each field judged by the core as the API judges it: numbers are never cut to fit, and a
# refused value changes nothing.
"$HALLS" export >"$T_DIR/before"
req 1 "attendees 2^32+1 (was cut to 1)" "attendees" --start 2026-12-02T19:00 \
	--end 2026-12-02T20:00 --attendees 4294967297
req 1 "a start past 2200" "start" --start 2226-12-02T19:00 --end 2226-12-02T20:00
t_run 0 "a booking to edit" --json booking request --room "$R" --group "$G" --title "Edit me" \
	--start 2026-12-03T19:00 --end 2026-12-03T20:00
B=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$T_OUT")
"$HALLS" export >"$T_DIR/before"
t_run 1 "booking move --attendees 2^32+1 (was stored as 1)" booking move "$B" \
	--attendees 4294967297
t_grep "attendees" "the refusal names attendees"
t_run 1 "room set --capacity 2^32+1" room set "$R" --capacity 4294967297
t_grep "capacity" "the refusal names capacity"
t_run 1 "room set --horizon 2^32+1" room set "$R" --horizon 4294967297
t_grep "horizon_days" "the refusal names horizon_days"
t_run 2 "group set --trusted-at past 2^63 (not an id)" group set "$G" --trusted-at 9223372036854775808
"$HALLS" export >"$T_DIR/after"
if cmp -s "$T_DIR/before" "$T_DIR/after"; then
	t_pass "refused field values changed nothing"
else
	t_fail "refused field values changed the data"
fi
t_run 0 "booking move --attendees 8 is fine" --json booking move "$B" --attendees 8
t_json "o['attendees']==8" "attendees moved to 8"
t_done
