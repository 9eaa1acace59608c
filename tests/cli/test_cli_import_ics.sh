# `halls import-ics`: bookings brought over from another system's iCalendar export. Times
# in an IANA zone, UTC, floating, libical's prefixed names and a file's own VTIMEZONE; a
# weekly series with an EXDATE, a moved and a cancelled RECURRENCE-ID; a series in UTC
# across the clock change; what cannot be placed, and why; --dry-run; running it again;
# exit codes; and the feed hallsd publishes for a room, imported into another directory.
. "$(dirname "$0")/lib.sh"
export HALLS_NOW=1788253200 # Tue 2026-09-01 09:00 UTC
DATA_DIR=$(cd "$(dirname "$0")/data" && pwd)
MAIN="$DATA_DIR/import_ics_other_system.ics"
EDGE="$DATA_DIR/import_ics_edge_cases.ics"

# t_py EXPR DESCRIPTION: a Python expression over `o`, the JSON in the file $T_JSON.
t_py() {
	if python3 -c "import json,sys; o=json.load(open(sys.argv[1])); sys.exit(0 if ($1) else 1)" "$T_JSON" 2>/dev/null; then
		t_pass "$2"
	else
		t_fail "$2 (false: $1)"
	fi
}

# t_json_err EXPR DESCRIPTION: the same as t_json, over the last stderr.
t_json_err() {
	if python3 -c "import json,sys; o=json.load(open(sys.argv[1])); sys.exit(0 if ($1) else 1)" "$T_ERR" 2>/dev/null; then
		t_pass "$2"
	else
		t_fail "$2 (false: $1)"
	fi
}

if ! "$HALLS" help import-ics >/dev/null 2>&1; then
	t_fail "halls has no import-ics command (add its row to cli/main.c)"
	t_done
	exit $?
fi

"$HALLS" init >/dev/null
V=$("$HALLS" --json venue add --name "Hartley Road Community Centre" \
	--hours "mon-sat 09:00-22:00; sun closed" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
t_run 0 "a room with manual approval" --json room add --venue "$V" --name "Main Hall" --capacity 60
RA=$(t_id)
t_run 0 "a second room" --json room add --venue "$V" --name "Committee Room" --capacity 60
RB=$(t_id)
t_run 0 "a third room" --json room add --venue "$V" --name "Kitchen" --capacity 12
RC=$(t_id)
t_run 0 "the group the bookings are for" --json group add --name "St Mary's Parish"
G=$(t_id)
t_run 0 "another group" --json group add --name "Quiz League"
G2=$(t_id)
t_run 0 "an approved booking in the way of a one-off event" --json booking request --room "$RA" \
	--group "$G2" --start 2026-10-09T20:00 --end 2026-10-09T22:00 --title "Quiz" --approve
B1=$(t_id)
t_run 0 "an approved booking in the way of a series date" --json booking request --room "$RA" \
	--group "$G2" --start 2026-11-10T19:30 --end 2026-11-10T20:30 --title "Quiz final" --approve
B2=$(t_id)

# Usage and refusals of the whole command.
t_run 2 "FILE is required" import-ics --room "$RA" --group "$G"
t_run 2 "--room is required" import-ics "$MAIN" --group "$G"
t_run 2 "--group is required" import-ics "$MAIN" --room "$RA"
t_run 2 "--room must be a number" import-ics "$MAIN" --room abc --group "$G"
t_run 2 "an unknown option" import-ics "$MAIN" --room "$RA" --group "$G" --public
t_run 1 "a missing file" import-ics "$T_DIR/nowhere.ics" --room "$RA" --group "$G"
t_grep "cannot open .*nowhere.ics" "the missing file is named"
t_run 1 "a missing file under --json" --json import-ics "$T_DIR/nowhere.ics" --room "$RA" --group "$G"
t_json_err "o['error']=='invalid-input' and 'nowhere.ics' in o['message']" "the error as JSON"
printf 'Subject: not a calendar\n\nhello\n' >"$T_DIR/mail.txt"
t_run 1 "a file that is not iCalendar" import-ics "$T_DIR/mail.txt" --room "$RA" --group "$G"
t_grep "is not an iCalendar file" "says it is not iCalendar"
printf 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\n' >"$T_DIR/cut.ics"
t_run 1 "a file cut short" import-ics "$T_DIR/cut.ics" --room "$RA" --group "$G"
t_run 1 "an unknown room" import-ics "$MAIN" --room 999 --group "$G"
t_grep "no room 999" "the unknown room is named"
t_run 1 "an unknown group" import-ics "$MAIN" --room "$RA" --group 999
t_grep "no group 999" "the unknown group is named"
printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n' >"$T_DIR/empty.ics"
t_run 0 "a calendar with no events" import-ics "$T_DIR/empty.ics" --room "$RA" --group "$G"
t_grep "^read 0 events from .*placed 0 bookings and 0 series \(0 dates\); 0 not placed$" \
	"an empty calendar places nothing"

# --dry-run reports everything and stores nothing.
"$HALLS" export >"$T_DIR/before"
t_run 0 "--dry-run" --json import-ics "$MAIN" --room "$RA" --group "$G" --dry-run
cp "$T_OUT" "$T_DIR/dry.json"
t_json "o['dry_run']==True and o['events']==15 and len(o['placed'])==5 and len(o['series'])==2 and len(o['not_placed'])==6" \
	"the dry run reports what it would place"
"$HALLS" export >"$T_DIR/after"
if cmp -s "$T_DIR/before" "$T_DIR/after"; then
	t_pass "--dry-run stores nothing"
else
	t_fail "--dry-run changed the data"
fi
t_run 0 "--dry-run for people" import-ics "$MAIN" --room "$RA" --group "$G" --dry-run
t_grep "^dry run, nothing was stored: read 15 events from .*: placed 5 bookings and 2 series \(6 dates\); 6 not placed$" \
	"the summary line says it was a dry run"
"$HALLS" export >"$T_DIR/after"
cmp -s "$T_DIR/before" "$T_DIR/after" && t_pass "still nothing stored" ||
	t_fail "--dry-run for people changed the data"

# The import itself.
t_run 0 "import-ics exits 0 although some events are not placed" --json import-ics "$MAIN" \
	--room "$RA" --group "$G"
T_JSON="$T_DIR/real.json"
cp "$T_OUT" "$T_JSON"
t_py "o['dry_run']==False and o['file'].endswith('import_ics_other_system.ics') and o['room_id']==$RA and o['group_id']==$G" \
	"the report names the file, room and group"
python3 - "$T_DIR/dry.json" "$T_JSON" <<'EOF' && t_pass "the dry run reported exactly what the import did" || t_fail "the dry run and the import differ"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
a.pop("dry_run"); b.pop("dry_run")
sys.exit(0 if a == b else 1)
EOF
t_py "sorted(p['uid'].split('@')[0] for p in o['placed'])==['bookclub','choir','coffee','parents','yoga']" \
	"five one-off events placed"
t_py "all(p['status']=='pending' for p in o['placed'])" "the room's policy applies: pending"
P="{p['uid'].split('@')[0]: p for p in o['placed']}"
t_py "($P)['coffee']['start']=='2026-10-05T10:00:00+01:00' and ($P)['coffee']['end']=='2026-10-05T12:00:00+01:00' and ($P)['coffee']['start_ts']==1791190800" \
	"an event in Europe/London"
t_py "($P)['yoga']['start']=='2026-10-07T18:00:00+01:00' and ($P)['yoga']['end_ts']==1791397800" \
	"an event in UTC (17:00Z is 18:00 in London)"
t_py "($P)['choir']['start']=='2026-10-08T19:00:00+01:00' and ($P)['choir']['end']=='2026-10-08T21:00:00+01:00'" \
	"a floating event, read in the venue's zone, with a DURATION"
t_py "($P)['parents']['start']=='2026-10-15T19:00:00+01:00' and ($P)['parents']['end']=='2026-10-15T20:30:00+01:00'" \
	"a custom TZID read with the file's VTIMEZONE (14:00 in New York)"
t_py "($P)['bookclub']['start']=='2026-10-14T14:00:00+01:00'" "libical's prefixed zone name"
N="{p['uid'].split('@')[0]: p for p in o['not_placed']}"
t_py "sorted(($N).keys())==['agm','band','fete','halfterm','lunch','pacific']" \
	"six events not placed"
t_py "($N)['lunch']['error']=='outside-opening-hours' and 'opening hours' in ($N)['lunch']['reason'] and ($N)['lunch']['start']=='2026-10-11T12:00:00+01:00'" \
	"outside opening hours, with the core's reason"
t_py "($N)['band']['error']=='conflict' and ($N)['band']['conflicts']==[$B1] and 'already booked' in ($N)['band']['reason']" \
	"a clash names the booking in the way"
t_py "($N)['halfterm']=={'uid':'halfterm@old-diary.example','summary':'Half term','start':'2026-10-26','error':'all-day','reason':'all-day events are not bookings','conflicts':[]}" \
	"an all-day event is skipped"
t_py "($N)['agm']['error']=='invalid-input' and 'DAILY, WEEKLY or MONTHLY' in ($N)['agm']['reason']" \
	"a YEARLY rule is reported"
t_py "($N)['fete']['error']=='cancelled' and ($N)['fete']['reason']=='cancelled in the imported calendar'" \
	"a cancelled event is skipped"
t_py "($N)['pacific']['error']=='unknown-time-zone' and ($N)['pacific']['reason']=='unknown time zone Pacific Standard Time' and ($N)['pacific']['start']=='2026-10-16T10:00:00'" \
	"a Windows zone name without a VTIMEZONE is reported"

S="{s['uid'].split('@')[0]: s for s in o['series']}"
t_py "($S)['knit']['created']==3 and ($S)['knit']['dates']==4 and ($S)['knit']['pending']==3" \
	"the weekly series: 3 of its 4 dates booked"
t_py "[(d['start'],d['error'],d['conflicts']) for d in ($S)['knit']['skipped']]==[('2026-11-10T19:00:00+00:00','conflict',[$B2])]" \
	"the date left out, with the booking in the way"
t_py "[d['start'] for d in ($S)['knit']['excluded']]==['2026-10-20T19:00:00+01:00']" \
	"the EXDATE is excluded"
t_py "[(d['original_start'],d['start'],d['end']) for d in ($S)['knit']['moved']]==[('2026-10-27T19:00:00+00:00','2026-10-28T18:00:00+00:00','2026-10-28T20:00:00+00:00')]" \
	"the RECURRENCE-ID override is moved"
t_py "[d['start'] for d in ($S)['knit']['cancelled']]==['2026-11-03T19:00:00+00:00']" \
	"the cancelled RECURRENCE-ID is cancelled"
t_py "($S)['knit']['rrule']=='FREQ=WEEKLY;COUNT=6;BYDAY=TU' and ($S)['knit']['start']=='2026-10-06T19:00:00+01:00'" \
	"the series' rule and first date"
SK=$(python3 -c "import json,sys; o=json.load(open(sys.argv[1])); print([s for s in o['series'] if s['uid'].startswith('knit')][0]['series_id'])" "$T_JSON")
SC=$(python3 -c "import json,sys; o=json.load(open(sys.argv[1])); print([s for s in o['series'] if s['uid'].startswith('chess')][0]['series_id'])" "$T_JSON")
t_py "($S)['chess']['created']==3 and ($S)['chess']['dates']==3 and [d['start'] for d in ($S)['chess']['retimed']]==['2026-10-29T17:00:00+00:00','2026-11-05T17:00:00+00:00']" \
	"a series in UTC keeps its UTC times after the clock change"

# What was stored.
t_run 0 "series show of the weekly series" --json series show "$SK"
t_json "[(b['status'],b['start'],b['original_start']) for b in o['occurrences']]==[('pending','2026-10-06T19:00:00+01:00','2026-10-06T19:00:00+01:00'),('pending','2026-10-13T19:00:00+01:00','2026-10-13T19:00:00+01:00'),('cancelled','2026-10-20T19:00:00+01:00','2026-10-20T19:00:00+01:00'),('pending','2026-10-28T18:00:00+00:00','2026-10-27T19:00:00+00:00'),('cancelled','2026-11-03T19:00:00+00:00','2026-11-03T19:00:00+00:00')]" \
	"its dates: the EXDATE and the cancelled one cancelled, the override moved"
t_json "o['occurrences'][2]['note']=='excluded in the imported calendar' and o['occurrences'][4]['note']=='cancelled in the imported calendar'" \
	"each cancellation says why"
t_json "o['series']['title']=='Knit night' and o['series']['group_id']==$G and o['series']['room_id']==$RA" \
	"the series' title, group and room"
t_run 0 "series show of the UTC series" --json series show "$SC"
t_json "[b['start'] for b in o['occurrences']]==['2026-10-22T18:00:00+01:00','2026-10-29T17:00:00+00:00','2026-11-05T17:00:00+00:00']" \
	"its dates are at the source's instants"
t_run 0 "booking list of the group" --json booking list --group "$G"
t_json "len(o)==13 and sum(b['status']=='pending' for b in o)==11 and sum(b['status']=='cancelled' for b in o)==2" \
	"11 bookings pending, 2 dates cancelled"
t_json "[b['description'] for b in o if b['title']=='Coffee morning']==['Tea, coffee and cake.\nAll welcome; bring a friend. This line is long enough to be folded by the exporter.']" \
	"the description, unfolded and unescaped"
t_json "all(b['room_id']==$RA and b['created_by']==0 for b in o)" "in the room, by the console"
t_run 0 "check stays clean" check

# Running it again places only what is missing.
t_run 0 "the same file again" import-ics "$MAIN" --room "$RA" --group "$G"
t_grep "placed 0 bookings and 0 series \(0 dates\); 15 not placed \(9 already booked\)$" \
	"nothing is booked twice"
t_grep "^not placed: \"Coffee morning\", Mon 05 Oct 2026 10:00-12:00 \(uid coffee@old-diary.example\): already booked: booking [0-9]+ " \
	"the booking already there is named"
t_run 0 "booking list after the second run" --json booking list --group "$G"
t_json "len(o)==13" "no new bookings"

# The report for people, with --approve, in another room.
t_run 0 "--approve" import-ics "$MAIN" --room "$RB" --group "$G" --approve
t_grep "^placed: booking [0-9]+ \(approved\): \"Coffee morning\", Mon 05 Oct 2026 10:00-12:00 \(uid coffee@old-diary.example\)$" \
	"a placed booking, approved at once"
t_grep "^placed: series [0-9]+, 4 of 4 dates \(4 approved, 0 pending\): \"Knit night\", Tue 06 Oct 2026 19:00-21:00, FREQ=WEEKLY;COUNT=6;BYDAY=TU \(uid knit@old-diary.example\)$" \
	"a placed series with its count of dates"
t_grep "^  excluded Tue 20 Oct 2026 19:00: excluded in the imported calendar \(booking [0-9]+ cancelled\)$" \
	"the excluded date"
t_grep "^  moved Tue 27 Oct 2026 19:00 to Wed 28 Oct 2026 18:00-20:00 \(booking [0-9]+\)$" \
	"the moved date"
t_grep "^  retimed Thu 29 Oct 2026 18:00 to 17:00, as in the imported calendar" "a retimed date"
t_grep "^not placed: \"Half term\", 2026-10-26 \(uid halfterm@old-diary.example\): all-day events are not bookings$" \
	"an all-day event"
t_grep "^not placed: \"Sunday lunch\", Sun 11 Oct 2026 12:00-14:00 .*: Hartley Road Community Centre is not open" \
	"an event outside opening hours"
t_grep "^read 15 events from .*: placed 6 bookings and 2 series \(7 dates\); 5 not placed$" \
	"the summary line"
t_run 0 "booking list of the second room" --json booking list --room "$RB"
t_json "sum(b['status']=='approved' for b in o)==13" "every date placed is approved"
t_run 0 "the people's report of the first room, dry" import-ics "$MAIN" --room "$RA" --group "$G2" --dry-run
t_grep "^  left out Tue 10 Nov 2026 19:00 \(conflict\): Main Hall is already booked then.*; conflicts with booking $B2$" \
	"a date left out names the booking in the way"
t_grep "^not placed: \"Band rehearsal\", Fri 09 Oct 2026 19:00-21:00 .*; conflicts with booking $B1$" \
	"a clash names the booking in the way"

# Outlook-style edge cases.
t_run 0 "a file of edge cases" --json import-ics "$EDGE" --room "$RC" --group "$G"
T_JSON="$T_DIR/edge.json"
cp "$T_OUT" "$T_JSON"
t_py "[s['created'] for s in o['series']]==[1] and o['series'][0]['dates']==2 and [d['start'] for d in o['series'][0]['excluded']]==['2026-11-16T18:00:00+00:00']" \
	"a Windows zone with its VTIMEZONE; an EXDATE in UTC excludes its date"
t_py "[(p['uid'],p['start'],p['status']) for p in o['placed']]==[('drop-in@outlook.example','2026-11-04T10:00:00+00:00','pending'),('orphan@outlook.example','2026-11-12T16:00:00+00:00','pending')]" \
	"a one-off in a Windows zone, and an override without its series on its own"
N="{p['uid'].split('@')[0]: p for p in o['not_placed']}"
t_py "($N)['scouts']['error']=='outside-opening-hours' and ($N)['scouts']['recurrence_id']=='2026-11-09T18:00:00+00:00' and ($N)['scouts']['start']=='2026-11-15T18:00:00+00:00' and 'cancelled_booking' in ($N)['scouts']" \
	"a move refused is reported, and the date it replaces cancelled"
t_py "'needs an end' in ($N)['forever']['reason']" "a rule without an end is reported"
t_py "'INTERVAL, BYDAY' in ($N)['hourly']['reason']" "a BYHOUR rule is reported"
t_py "($N)['no-end']['reason']=='it has no end (DTEND or DURATION)'" "an event without an end"
t_py "($N)['garbled']['reason'].startswith('it cannot be read') and ($N)['garbled']['start'] is None" \
	"an event whose start cannot be read"
SS=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['series'][0]['series_id'])" "$T_JSON")
t_run 0 "series show of the Outlook series" --json series show "$SS"
t_json "[(b['status'],b['start']) for b in o['occurrences']]==[('pending','2026-11-02T18:00:00+00:00'),('cancelled','2026-11-09T18:00:00+00:00'),('cancelled','2026-11-16T18:00:00+00:00')]" \
	"the refused move's date and the EXDATE are cancelled"
t_run 0 "check is clean after every import" check

# The feed hallsd publishes for a room, imported into another data directory, gives the
# same times.
t_hallsd_start
code=$(curl -s -o "$T_DIR/feed.ics" -w '%{http_code}' "http://127.0.0.1:$PORT/feeds/rooms/$RB.ics")
kill -TERM "$PID"
wait "$PID"
[ "$code" = 200 ] && t_pass "hallsd serves the room's feed" || t_fail "the feed answered $code"
COPY="$T_DIR/copy"
"$HALLS" --data "$COPY" init >/dev/null
"$HALLS" --data "$COPY" venue add --name "Elsewhere" --hours "mon-sat 09:00-22:00; sun closed" >/dev/null
"$HALLS" --data "$COPY" room add --venue 1 --name "Hall" --capacity 60 --approval auto >/dev/null
"$HALLS" --data "$COPY" group add --name "Parish" >/dev/null
t_run 0 "importing hallsd's feed" --data "$COPY" --json import-ics "$T_DIR/feed.ics" --room 1 --group 1
T_JSON="$T_DIR/feed.json"
cp "$T_OUT" "$T_JSON"
t_py "o['not_placed']==[] and len(o['series'])==2 and len(o['placed'])==6" \
	"every event of the feed placed: 6 bookings and 2 series"
"$HALLS" --json booking list --room "$RB" --status approved >"$T_DIR/src.json"
"$HALLS" --data "$COPY" --json booking list --status approved >"$T_DIR/dst.json"
python3 - "$T_DIR/src.json" "$T_DIR/dst.json" <<'EOF' && t_pass "the copy has the same times as the room it came from" || t_fail "the times differ after the round trip"
import json, sys
a, b = (sorted((x["start_ts"], x["end_ts"]) for x in json.load(open(f))) for f in sys.argv[1:])
sys.exit(0 if a == b and len(a) == 13 else 1)
EOF
t_run 0 "check of the copy" --data "$COPY" check
t_done
