# `halls closure list` and GET /api/v1/closures list the same closures, the same way
# (closure_each_page): with --venue, the venue's and its rooms'; with --room, the room's
# and its venue's; with neither, every one; all by start, then id. A venue or room that
# does not exist is refused by both.
. "$(dirname "$0")/lib.sh"

"$HALLS" init >/dev/null
t_run 0 "venue" --json venue add --name "Riverside Centre"
V=$(t_id)
t_run 0 "another venue" --json venue add --name "Marsh Lane Library" --tz America/New_York
V2=$(t_id)
t_run 0 "room" --json room add --venue "$V" --name "Main Hall" --capacity 80
R1=$(t_id)
t_run 0 "another room" --json room add --venue "$V" --name "Kitchen" --capacity 10
R2=$(t_id)
t_run 0 "a room elsewhere" --json room add --venue "$V2" --name "Study" --capacity 6
R3=$(t_id)
# Added out of start order, so that id order and start order differ.
t_run 0 "a closure of the kitchen" closure add --room "$R2" --from 2027-01-04T08:00 \
	--to 2027-01-08T18:00 --reason "Oven repair"
t_run 0 "a closure of the venue" closure add --venue "$V" --from 2026-12-24T00:00 \
	--to 2026-12-28T00:00 --reason "Closed for Christmas"
t_run 0 "a closure of the hall" closure add --room "$R1" --from 2026-12-20T09:00 \
	--to 2026-12-20T17:00 --reason "Floor works"
t_run 0 "a closure elsewhere" closure add --venue "$V2" --from 2026-12-01T00:00 \
	--to 2026-12-02T00:00 --reason "Stocktaking"
t_run 0 "a closure of the study" closure add --room "$R3" --from 2026-12-22T00:00 \
	--to 2026-12-23T00:00 --reason "Decorating"

t_hallsd_start

API="$T_DIR/api"
# agree DESCRIPTION QUERY ARGS...: the CLI's --json listing equals the API's, and is not
# empty.
agree() {
	desc=$1
	query=$2
	shift 2
	code=$(curl -s -o "$API" -w '%{http_code}' "http://127.0.0.1:$PORT/api/v1/closures$query")
	t_run 0 "closure list${*:+ }$*" --json closure list "$@"
	if [ "$code" = 200 ] &&
		python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); c=json.load(open(sys.argv[2])); sys.exit(0 if a == c and a else 1)' \
			"$API" "$T_OUT"; then
		t_pass "$desc"
	else
		t_fail "$desc (API $code: $(head -c 300 "$API"))"
	fi
}
agree "the venue's listing: the API's, its own closure and its rooms'" "?venue=$V" --venue "$V"
t_json "[c['reason'] for c in o] == ['Floor works', 'Closed for Christmas', 'Oven repair']" \
	"--venue lists the venue's closure and both its rooms', by start, not the other venue's"
agree "the hall's listing: the API's" "?room=$R1" --room "$R1"
t_json "[c['reason'] for c in o] == ['Floor works', 'Closed for Christmas']" \
	"--room lists the room's closure and its venue's, not the kitchen's"
agree "the study's listing: the API's" "?room=$R3" --room "$R3"
t_json "[c['reason'] for c in o] == ['Stocktaking', 'Decorating'] and o[0]['start'].endswith('-05:00')" \
	"--room of the other venue: its own and its venue's, in its venue's zone"
agree "the whole listing: the API's" ""
t_json "[c['reason'] for c in o] == ['Stocktaking', 'Floor works', 'Decorating', 'Closed for Christmas', 'Oven repair']" \
	"with neither, every closure by start"
t_run 0 "the table" closure list --venue "$V"
t_grep "room $R2 .*Oven repair" "the table shows the kitchen's closure for the venue"

code=$(curl -s -o "$API" -w '%{http_code}' "http://127.0.0.1:$PORT/api/v1/closures?venue=99")
t_run 1 "a venue that does not exist is refused" closure list --venue 99
t_grep "there is no venue 99" "the refusal names the venue"
[ "$code" = 404 ] && grep -q "there is no venue 99" "$API" &&
	t_pass "the API refuses it with the same words" || t_fail "the API answered $code"
code=$(curl -s -o "$API" -w '%{http_code}' "http://127.0.0.1:$PORT/api/v1/closures?room=99")
t_run 1 "a room that does not exist is refused" closure list --room 99
t_grep "there is no room 99" "the refusal names the room"
[ "$code" = 404 ] && grep -q "there is no room 99" "$API" &&
	t_pass "the API refuses the room with the same words" || t_fail "the API answered $code"

kill -TERM "$PID"
wait "$PID" && t_pass "hallsd stops cleanly" || t_fail "hallsd exited non-zero"
t_done
