# Recurring bookings: `halls series` add, show, list, approve, decline, cancel and set;
# wall-clock times across a clock change, all-or-nothing creation, exit codes, --json.
. "$(dirname "$0")/lib.sh"
export HALLS_NOW=1788253200 # Tue 2026-09-01 09:00 UTC

# t_json_err EXPR DESCRIPTION: the same as t_json, over the last stderr.
t_json_err() {
	if python3 -c "import json,sys; o=json.load(open(sys.argv[1])); sys.exit(0 if ($1) else 1)" "$T_ERR" 2>/dev/null; then
		t_pass "$2"
	else
		t_fail "$2 (false: $1)"
	fi
}

"$HALLS" init >/dev/null
V=$("$HALLS" --json venue add --name "Hartley Road Community Centre" \
	--hours "mon-sun 08:00-23:00" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
t_run 0 "a room with auto approval and a long horizon" --json room add --venue "$V" \
	--name "Main Hall" --capacity 60 --approval auto --horizon 1000
RA=$(t_id)
t_json "o['max_occurrences']==104" "a room takes series of 104 dates by default"
t_run 0 "a room with manual approval" --json room add --venue "$V" --name "Committee Room" \
	--capacity 12 --approval manual --horizon 1000
RM=$(t_id)
t_run 0 "a room with --max-occurrences 3" --json room add --venue "$V" --name "Kitchen" \
	--capacity 8 --approval auto --horizon 1000 --max-occurrences 3
RK=$(t_id)
t_json "o['max_occurrences']==3" "--max-occurrences is stored"
t_run 0 "group add" --json group add --name "Tuesday Knitters"
G=$(t_id)
t_run 0 "second group" --json group add --name "Chess Club"
G2=$(t_id)
t_run 0 "a one-off booking in the way" --json booking request --room "$RA" --group "$G2" \
	--start 2026-10-21T19:30 --end 2026-10-21T20:30 --title "Quiz night"
B=$(t_id)
"$HALLS" export >"$T_DIR/before"

# One date in the way refuses the whole series, naming it; nothing is stored.
wed() { # wed EXIT DESCRIPTION options...: Wednesdays 19:00-21:00, 7 to 28 Oct 2026
	want=$1 what=$2
	shift 2
	t_run "$want" "$what" series add --room "$RA" --group "$G" --title "Knit and natter" \
		--attendees 20 --start 2026-10-07T19:00 --end 2026-10-07T21:00 \
		--rrule "FREQ=WEEKLY;BYDAY=WE;COUNT=4" "$@"
}
wed 1 "a series with a conflicting date is refused"
t_grep "1 of the 4 dates cannot be booked" "the refusal counts the dates"
t_grep "Wed 21 Oct 2026 19:00 \(conflict\)" "the refusal names the date and the rule"
t_grep "conflicts with booking $B" "the refusal names the booking in the way"
wed 1 "the refusal under --json" --json
t_json_err "o['error']=='conflict' and o['conflicts']==[$B]" "the error JSON names the conflict"
t_json_err "[d['start'] for d in o['dates']]==['2026-10-21T19:00:00+01:00']" \
	"the error JSON lists the refused date in local time"
t_json_err "o['dates'][0]['error']=='conflict' and o['dates'][0]['conflicts']==[$B] and 'booked' in o['dates'][0]['message']" \
	"each refused date has its rule, message and conflicts"
"$HALLS" export >"$T_DIR/after"
if cmp -s "$T_DIR/before" "$T_DIR/after"; then
	t_pass "a refused series stores nothing"
else
	t_fail "a refused series changed the data"
fi
t_run 0 "check is clean after the refusal" check
t_run 0 "series list" --json series list
t_json "o==[]" "no series was stored"

# --skip-conflicts books the rest and lists what it left out.
wed 0 "--skip-conflicts books the other dates" --json --skip-conflicts
S1=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['series']['id'])" "$T_OUT")
t_json "o['created']==3 and len(o['skipped'])==1" "three dates booked, one left out"
t_json "o['skipped'][0]=={'start':'2026-10-21T19:00:00+01:00','error':'conflict','message':o['skipped'][0]['message'],'conflicts':[$B]}" \
	"the date left out, with its rule and the booking in the way"
t_json "o['series']['start']=='2026-10-07T19:00:00+01:00' and o['series']['end']=='2026-10-07T21:00:00+01:00'" \
	"the series' first start and end in local time"
t_json "o['series']['first_start_ts']==1791396000 and o['series']['duration_seconds']==7200" \
	"first_start_ts and duration_seconds"
t_json "o['series']['zone']=='Europe/London' and o['series']['created_at']=='2026-09-01T10:00:00+01:00'" \
	"zone, and ..._at as RFC 3339 in the zone's offset"
t_json "o['series']['rrule']=='FREQ=WEEKLY;COUNT=4;BYDAY=WE' and o['series']['attendees']==20" \
	"the rule and details as stored"

# Tuesdays at 19:00 across the clock change on Sunday 25 October 2026.
t_run 0 "a weekly series across the autumn clock change" --json series add --room "$RA" \
	--group "$G" --title "Knit night" --start 2026-10-13T19:00 --end 2026-10-13T21:00 \
	--rrule "FREQ=WEEKLY;BYDAY=TU;COUNT=4" --public
S2=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['series']['id'])" "$T_OUT")
t_json "o['created']==4 and o['skipped']==[] and o['series']['public']==True" "every date booked"
t_run 0 "series show --json" --json series show "$S2"
t_json "[b['start'] for b in o['occurrences']]==['2026-10-13T19:00:00+01:00','2026-10-20T19:00:00+01:00','2026-10-27T19:00:00+00:00','2026-11-03T19:00:00+00:00']" \
	"19:00 local on both sides: +01:00 before the change, +00:00 after"
t_json "o['occurrences'][3]['start_ts']-o['occurrences'][0]['start_ts']==3*7*86400+3600" \
	"the instants are three weeks and an hour apart"
t_json "all(b['series_id']==$S2 and b['status']=='approved' and b['end'][11:16]=='21:00' for b in o['occurrences'])" \
	"each date is an approved booking of the series, ending at 21:00"
t_json "o['series']['id']==$S2 and o['series']['sequence']==0" "show carries the series"
t_run 0 "series show for people" series show "$S2"
t_grep "^rrule: +FREQ=WEEKLY;COUNT=4;BYDAY=TU" "show prints the rule"
t_grep "Tue 27 Oct 2026 19:00 +21:00" "show lists each date in local time"

# The same for people, with --skip-conflicts: every day 19:30-20:00 for three days.
t_run 0 "--skip-conflicts for people" series add --room "$RA" --group "$G2" --title "Practice" \
	--start 2026-10-20T19:30 --end 2026-10-20T20:00 --rrule "FREQ=DAILY;COUNT=3" --skip-conflicts
t_grep "booked 1 of the 3 dates" "says how many dates were booked"
t_grep "Tue 20 Oct 2026 19:30 \(conflict\)" "lists the first date left out"
t_grep "Wed 21 Oct 2026 19:30 \(conflict\)" "lists the second date left out"
t_run 1 "--skip-conflicts when no date is free" series add --room "$RA" --group "$G2" \
	--title "Practice" --start 2026-10-20T19:30 --end 2026-10-20T20:00 \
	--rrule "FREQ=DAILY;COUNT=2" --skip-conflicts
t_grep "none of the 2 dates" "a series of no dates is refused"

t_run 0 "series list" --json series list
t_json "len(o)==3 and [s['id'] for s in o]==[$S1,$S2,$S1+2]" "series list in id order"
t_run 0 "series list --group" --json series list --group "$G2"
t_json "len(o)==1 and o[0]['title']=='Practice'" "series list by group"
t_run 0 "series list --room" --json series list --room "$RM"
t_json "o==[]" "series list of a room with none"
t_run 0 "series list for people" series list
t_grep "Tue 13 Oct 2026 19:00 +21:00 +FREQ=WEEKLY;COUNT=4;BYDAY=TU +Knit night" \
	"one line per series: first date, end, rule, title"
t_run 1 "series list of an unknown room" series list --room 999
t_grep "no room 999" "the unknown room is named"

# A moved date is shown as moved.
O4=$("$HALLS" --json series show "$S2" | python3 -c 'import json,sys; print(json.load(sys.stdin)["occurrences"][3]["id"])')
t_run 0 "move one date" booking move "$O4" --start 2026-11-04T19:00 --end 2026-11-04T21:00
t_run 0 "series show after a move" series show "$S2"
t_grep "Wed 04 Nov 2026 19:00 +21:00 +moved" "the moved date is marked"
t_run 0 "series show --json after a move" --json series show "$S2"
t_json "o['occurrences'][3]['original_start']=='2026-11-03T19:00:00+00:00' and o['occurrences'][3]['start']=='2026-11-04T19:00:00+00:00'" \
	"the moved date keeps its rule date"

# Manual approval: approve from a date; a date that now conflicts stays pending.
t_run 0 "a series in a manual room" --json series add --room "$RM" --group "$G2" --title "Chess" \
	--start 2026-10-05T18:00 --end 2026-10-05T19:00 --rrule "FREQ=WEEKLY;UNTIL=20261102"
S4=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['series']['id'])" "$T_OUT")
t_json "o['created']==5 and o['series']['rrule']=='FREQ=WEEKLY;UNTIL=20261102T235959Z'" \
	"UNTIL a local date includes that day and is stored in UTC"
t_run 0 "series show" --json series show "$S4"
t_json "[b['status'] for b in o['occurrences']]==['pending']*5" "the dates wait for approval"
t_run 0 "an approved booking over the third date" --json booking request --room "$RM" \
	--group "$G" --start 2026-10-19T18:30 --end 2026-10-19T19:30 --title "Committee" --approve
B2=$(t_id)
t_run 0 "approve from a date (one date now conflicts)" --json series approve "$S4" \
	--from 2026-10-12T00:00 --note "Welcome"
t_json "o['changed']==3 and o['series']['id']==$S4" "three dates approved"
t_json "[(r['start'],r['error'],r['conflicts']) for r in o['refused']]==[('2026-10-19T18:00:00+01:00','conflict',[$B2])]" \
	"the date that could not be approved is listed with the booking in the way"
t_run 0 "series show" --json series show "$S4"
t_json "[b['status'] for b in o['occurrences']]==['pending','approved','pending','approved','approved']" \
	"the date before --from and the conflicting one stay pending"
t_json "o['occurrences'][1]['note']=='Welcome'" "the note is kept on each date"
t_run 0 "decline the rest" series decline "$S4" --note "Room taken"
t_grep "^declined 2 dates of series $S4$" "says how many dates were declined"
t_run 0 "approve again: nothing is pending" series approve "$S4"
t_grep "^approved 0 dates of series $S4$" "nothing to approve is not an error"

# Cancel "this and following".
t_run 0 "cancel from a date" series cancel "$S4" --from 2026-10-26T18:00 --note "Club closing"
t_grep "^cancelled 2 dates of series $S4 from Mon 26 Oct 2026 18:00$" "this and following"
t_run 0 "series show" --json series show "$S4"
t_json "[b['status'] for b in o['occurrences']]==['declined','approved','declined','cancelled','cancelled']" \
	"the dates from --from on are cancelled, the earlier ones kept"

# set changes the series and its live dates only.
t_run 0 "series set --title" --json series set "$S4" --title "Chess club" --public yes
t_json "o['title']=='Chess club' and o['public']==True and o['sequence']>0" "the series takes the change"
t_run 0 "series show" --json series show "$S4"
t_json "[b['title'] for b in o['occurrences']]==['Chess','Chess club','Chess','Chess','Chess']" \
	"only the approved date is renamed; declined and cancelled ones keep their title"
t_run 1 "series set over the room's capacity is refused" series set "$S4" --attendees 13
t_grep "holds 12 people" "the refusal gives the capacity"
t_run 0 "series set --description for people" series set "$S4" --description "Bring a board"
t_grep "^description: +Bring a board" "set prints the series"

# Rules that are refused (exit 1).
t_run 1 "a rule without an end" series add --room "$RM" --group "$G" --title x \
	--start 2026-11-03T10:00 --end 2026-11-03T11:00 --rrule "FREQ=WEEKLY;BYDAY=TU"
t_grep "needs an end" "the message says the rule needs an end"
t_run 1 "a yearly rule" series add --room "$RM" --group "$G" --title x \
	--start 2026-11-03T10:00 --end 2026-11-03T11:00 --rrule "FREQ=YEARLY;COUNT=3"
t_grep "DAILY, WEEKLY or MONTHLY" "the message says which rules are taken"
t_run 1 "a first date that is not on the rule" --json series add --room "$RM" --group "$G" \
	--title x --start 2026-11-04T10:00 --end 2026-11-04T11:00 --rrule "FREQ=WEEKLY;BYDAY=TU;COUNT=3"
t_json_err "o['error']=='invalid-input' and 'first date' in o['message']" "the error JSON names the failure"
t_grep "first date must be one of the rule" "the message says the first date is not on the rule"
t_run 1 "a rule that is not a rule" series add --room "$RM" --group "$G" --title x \
	--start 2026-11-03T10:00 --end 2026-11-03T11:00 --rrule "every tuesday"
t_run 1 "more dates than the room allows" series add --room "$RK" --group "$G" --title x \
	--start 2026-11-03T10:00 --end 2026-11-03T11:00 --rrule "FREQ=WEEKLY;COUNT=4"
t_grep "at most 3 dates" "the message gives the room's limit"
t_run 0 "as many dates as the room allows" series add --room "$RK" --group "$G" --title x \
	--start 2026-11-03T10:00 --end 2026-11-03T11:00 --rrule "FREQ=WEEKLY;COUNT=3"
t_run 0 "the second Tuesday of the month" --json series add --room "$RM" --group "$G" \
	--title "Committee" --start 2026-10-13T10:00 --end 2026-10-13T11:00 \
	--rrule "FREQ=MONTHLY;BYDAY=2TU;COUNT=3"
t_json "o['created']==3" "a monthly rule"
t_run 0 "its dates" --json series show "$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['series']['id'])" "$T_OUT")"
t_json "[b['start'] for b in o['occurrences']]==['2026-10-13T10:00:00+01:00','2026-11-10T10:00:00+00:00','2026-12-08T10:00:00+00:00']" \
	"the second Tuesday of each month"
t_run 1 "an end before the start" series add --room "$RM" --group "$G" --title x \
	--start 2026-11-03T10:00 --end 2026-11-03T09:00 --rrule "FREQ=WEEKLY;COUNT=2"
t_grep "must end after it starts" "the message says the end is before the start"
t_run 1 "a skipped local time" series add --room "$RM" --group "$G" --title x \
	--start 2027-03-28T01:30 --end 2027-03-28T02:30 --rrule "FREQ=WEEKLY;COUNT=2"
t_grep "does not exist|skipped|clocks" "the message says the clocks skip that time"
t_run 1 "an unknown room" series add --room 999 --group "$G" --title x \
	--start 2026-11-03T10:00 --end 2026-11-03T11:00 --rrule "FREQ=WEEKLY;COUNT=2"
t_grep "no room 999" "the unknown room is named"
t_run 1 "an unknown group" series add --room "$RM" --group 999 --title x \
	--start 2026-11-03T10:00 --end 2026-11-03T11:00 --rrule "FREQ=WEEKLY;COUNT=2"
t_grep "no group 999" "the unknown group is named"
t_run 1 "a blank title" series add --room "$RM" --group "$G" --title " " \
	--start 2026-11-03T10:00 --end 2026-11-03T11:00 --rrule "FREQ=WEEKLY;COUNT=2"
t_grep "title" "the message names the title"
t_run 1 "show an unknown series" series show 999
t_grep "no series 999" "the unknown series is named"
t_run 1 "approve an unknown series" series approve 999
t_run 1 "cancel --from an unknown series" series cancel 999 --from 2026-10-01T00:00
t_run 1 "set an unknown series" series set 999 --title x
t_run 1 "a malformed --from" series cancel "$S4" --from 2026-10-32T00:00

# Usage errors (exit 2).
t_run 2 "series add without --rrule" series add --room "$RM" --group "$G" --title x \
	--start 2026-11-03T10:00 --end 2026-11-03T11:00
t_grep "rrule is required" "the missing option is named"
t_run 2 "a room id that is not a number" series add --room abc --group "$G" --title x \
	--start 2026-11-03T10:00 --end 2026-11-03T11:00 --rrule "FREQ=WEEKLY;COUNT=2"
t_run 2 "attendees that are not a number" series add --room "$RM" --group "$G" --title x \
	--start 2026-11-03T10:00 --end 2026-11-03T11:00 --rrule "FREQ=WEEKLY;COUNT=2" --attendees lots
t_run 2 "an unknown option" series add --room "$RM" --colour blue
t_run 2 "series show without an id" series show
t_run 2 "series approve 0" series approve 0
t_run 2 "series cancel with two ids" series cancel 1 2
t_run 2 "series set with nothing to change" series set "$S4"
t_run 2 "series set --public maybe" series set "$S4" --public maybe
t_run 2 "--from without a value" series approve "$S4" --from
t_run 2 "an unknown verb" series frobnicate
t_run 2 "a usage error under --json" --json series show
t_json_err "o['error']=='usage' and o['usage'].startswith('series show')" "the usage error is JSON"
t_run 0 "help series" help series
t_grep "halls series add --room ID" "help lists series add"
t_grep "halls series cancel ID \[--from T\]" "help lists series cancel"

# Two decisions on one series in the same second (the clock is pinned): each message
# tells of the dates it changed, not of every date that took that state this second.
t_run 0 "a member of the chess club, who is told of decisions" --json user add \
	--name "Sam Player" --email sam@chess.example --role member --group "$G2"
t_run 0 "a series to decide twice" --json series add --room "$RM" --group "$G2" \
	--title "Chess night" --start 2026-11-05T19:00 --end 2026-11-05T21:00 \
	--rrule "FREQ=WEEKLY;COUNT=4"
S5=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['series']['id'])" "$T_OUT")
t_run 0 "approve the last two dates" series approve "$S5" --from 2026-11-19T00:00
t_run 0 "approve the first two" series approve "$S5"
t_run 0 "the outbox" --json outbox list
t_json "[m['subject'] for m in o if m['kind']=='series-decided' and m['to']=='sam@chess.example']==['Series approved: Chess night, 2 dates from Thursday 19 November 2026', 'Series approved: Chess night, 2 dates from Thursday 5 November 2026']" \
	"each approval's message counts the dates it approved"

t_run 0 "audit records the series" --json audit
t_json "any(e['kind']=='series' and e['action']=='create' for e in o)" "a series' creation is audited"
t_run 0 "check is clean" check
t_done
