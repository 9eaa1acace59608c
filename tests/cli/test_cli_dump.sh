# The demo data, export/import round trips, hot backups.
. "$(dirname "$0")/lib.sh"

t_run 0 "init --demo" init --demo
# The states the demo prints add up to the bookings it reports, the series' dates too.
if awk '/^demo: /{n=$2+$4+$6+$9} /^initialised /{t=$(NF-1)} END{exit !(n>0 && n==t)}' "$T_OUT"; then
	t_pass "the demo's counts by state add up to its bookings"
else
	t_fail "the demo's counts by state do not add up to its bookings"
fi
t_run 1 "a second --demo into a directory with data is refused" init --demo
t_run 0 "demo venues" --json venue list
t_json "len(o)>=6" "at least six venues"
t_run 0 "demo rooms" --json room list
t_json "len(o)>=12 and len(set(r['approval'] for r in o))==3" \
	"a dozen rooms or more with every approval policy"
t_run 0 "demo groups" --json group list
t_json "len(o)>=10" "ten groups"
t_run 0 "demo users" --json user list
t_json "set(u['role'] for u in o)=={'admin','manager','member'}" "users of every role"
t_run 0 "demo bookings" --json booking list
t_json "set(b['status'] for b in o)=={'pending','approved','declined','cancelled'}" \
	"bookings in every state"
t_run 0 "demo closures" --json closure list
t_json "len(o)>=2" "closures"
t_run 0 "demo passes check" check

"$HALLS" export >"$T_DIR/export1"
# The demo has a held request, a waitlist offer, an allowance, a date set and an allocated
# round with its applications: every kind of record goes out.
for kind in instance venue room group user date-set closure series booking audit allowance \
	waitlist hold round round-application; do
	if grep -q "^{\"kind\":\"$kind\"" "$T_DIR/export1"; then
		t_pass "the export has $kind lines"
	else
		t_fail "the export has no $kind line"
	fi
done
if grep '^{"kind":"round"' "$T_DIR/export1" | grep -q '"state":"allocated"' &&
	grep -q '^{"kind":"waitlist".*"state":"offered"' "$T_DIR/export1"; then
	t_pass "the export has an allocated round and an open offer"
else
	t_fail "the export lacks the allocated round or the offer"
fi
t_run 0 "import into an empty directory" --data "$T_DIR/copy" import "$T_DIR/export1"
"$HALLS" --data "$T_DIR/copy" export >"$T_DIR/export2"
if cmp -s "$T_DIR/export1" "$T_DIR/export2"; then
	t_pass "export, import, export is byte-identical"
else
	t_fail "export after import differs"
fi
t_run 0 "the imported copy passes check" --data "$T_DIR/copy" check
t_run 1 "import into a directory with data is refused" --data "$T_DIR/copy" import "$T_DIR/export1"
printf '{"kind":"booking","record":{"id":1,"room_id":99,"group_id":1,"title":"x","status":"pending"}}\n' >"$T_DIR/bad"
t_run 1 "a broken import is refused whole" --data "$T_DIR/bad-copy" import "$T_DIR/bad"
# A hold whose booking is not loaded, and one loaded twice.
grep -v '^{"kind":"booking"' "$T_DIR/export1" | grep -v '^{"kind":"waitlist"' >"$T_DIR/no-bookings"
t_run 1 "a hold without its booking is refused" --data "$T_DIR/no-bookings-copy" import "$T_DIR/no-bookings"
t_grep "refers to booking [0-9]*, which is not loaded" "the refusal names the booking"
{ cat "$T_DIR/export1"; grep '^{"kind":"hold"' "$T_DIR/export1"; } >"$T_DIR/twice"
t_run 1 "a hold loaded twice is refused" --data "$T_DIR/twice-copy" import "$T_DIR/twice"
t_grep "appears twice" "the refusal says it appears twice"
t_run 0 "backup" backup "$T_DIR/backup"
t_run 0 "the backup passes check" --data "$T_DIR/backup" check
"$HALLS" --data "$T_DIR/backup" export >"$T_DIR/export3"
if cmp -s "$T_DIR/export1" "$T_DIR/export3"; then
	t_pass "the backup holds the same records"
else
	t_fail "the backup differs"
fi
t_run 1 "backup refuses to overwrite" backup "$T_DIR/backup"
t_done
