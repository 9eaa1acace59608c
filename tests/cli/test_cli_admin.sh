# The halls command: records of every kind, a booking's life, output formats, exit codes.
. "$(dirname "$0")/lib.sh"
export HALLS_NOW=1793610000 # Mon 2026-11-02 09:00 UTC

t_run 0 "init creates a data directory" init
t_run 0 "help lists the commands" help
t_grep "booking request" "help names booking request"
t_grep "a date alone, its local midnight" "help says a date alone is a time"
t_run 2 "an unknown command is a usage error" frobnicate
t_run 2 "an unknown option is a usage error" venue add --name X --colour blue

t_run 0 "venue add" --json venue add --name "Hartley Road Community Centre" \
	--address "12 Hartley Road, London E1 1AA" --hours "mon-fri 09:00-22:00; sat 10:00-16:00"
V=$(t_id)
t_json "o['name']=='Hartley Road Community Centre' and o['timezone']=='Europe/London'" \
	"venue JSON carries name and default zone"
t_json "o['hours']=='mon-fri 09:00-22:00; sat 10:00-16:00; sun closed'" "hours are normalised"
t_run 1 "a venue with a bad zone is refused" venue add --name X --tz Mars/Olympus
t_run 1 "a venue with bad hours is refused" venue add --name X --hours "mon 25:00-26:00"
t_run 0 "venue list" venue list
t_grep "Hartley Road" "venue list shows the venue"
t_run 0 "venue set" --json venue set "$V" --description "Two halls and a kitchen"
t_json "o['description']=='Two halls and a kitchen'" "venue set changes the field"
t_run 1 "venue show of an unknown id" venue show 999

t_run 0 "room add" --json room add --venue "$V" --name "Main Hall" --capacity 120 \
	--setup 15 --cleanup 15 --approval manual --feature step_free --feature kitchen
R=$(t_id)
t_json "o['capacity']==120 and sorted(o['features'])==['kitchen','step_free']" "room JSON"
t_run 1 "a room with an unknown feature is refused" room add --venue "$V" --name X \
	--capacity 3 --feature jacuzzi
t_run 1 "a room in an unknown venue is refused" room add --venue 77 --name X --capacity 3
t_run 2 "a room with a non-numeric capacity is a usage error" room add --venue "$V" \
	--name X --capacity lots
t_run 0 "auto room add" --json room add --venue "$V" --name "Meeting Room" --capacity 12 \
	--approval auto
RA=$(t_id)

t_run 0 "group add" --json group add --name "Tuesday Knitters" --kind community
G=$(t_id)
t_run 0 "second group" --json group add --name "Riverside Youth FC" --kind charity \
	--trusted-at "$V"
G2=$(t_id)
t_json "o['trusted_at']==[$V]" "group trusted_at recorded"
echo secret-pass-1 >"$T_DIR/pw"
t_run 0 "user add with a password" --json user add --name "Ann Manager" \
	--email Ann@Example.org --role manager --venue "$V" --password-stdin <"$T_DIR/pw"
t_json "o['email']=='ann@example.org' and 'password_hash' not in o" \
	"email is lower-cased and the hash never printed"
t_run 1 "a duplicate email is refused" user add --name X --email ann@example.org \
	--role member --group "$G"
t_run 1 "a member without a group is refused" user add --name X --email x@example.org \
	--role member

t_run 0 "booking request (manual room: pending)" --json booking request --room "$R" \
	--group "$G" --start 2026-12-01T19:00 --end 2026-12-01T21:00 --title "Knit night" \
	--attendees 20
B1=$(t_id)
t_json "o['status']=='pending' and o['start'].startswith('2026-12-01T19:00:00+00:00')" \
	"pending, local time in winter is +00:00"
t_run 0 "overlapping request stays pending" --json booking request --room "$R" --group "$G2" \
	--start 2026-12-01T20:00 --end 2026-12-01T22:00 --title "Training"
B2=$(t_id)
t_run 0 "approve the first" --json booking approve "$B1" --note "Enjoy"
t_json "o['status']=='approved' and o.get('conflicting_pending')==[$B2]" \
	"approval reports the pending request it now conflicts with"
t_run 1 "approving the overlapping one is a conflict" booking approve "$B2"
t_grep "$B1" "the conflict names the booking it conflicts with"
t_run 0 "decline it" booking decline "$B2" --note "Hall taken"
t_run 1 "approving a declined booking is refused" booking approve "$B2"
t_run 1 "a request inside the buffer is a conflict" booking request --room "$R" --group "$G" \
	--start 2026-12-01T21:15 --end 2026-12-01T22:00 --title "Too soon"
t_run 0 "a request exactly after the buffers is fine" --json booking request --room "$R" \
	--group "$G" --start 2026-12-01T21:30 --end 2026-12-01T22:00 --title "Just right"
t_run 0 "auto room approves at once" --json booking request --room "$RA" --group "$G" \
	--start 2026-12-02T10:00 --end 2026-12-02T11:00 --title "Committee" --public
B3=$(t_id)
t_json "o['status']=='approved' and o['public']==True" "auto-approved and public"
t_run 0 "cancel it" --json booking cancel "$B3" --note "Changed plans"
t_json "o['status']=='cancelled'" "cancelled"
t_run 0 "the slot is free again" booking request --room "$RA" --group "$G" \
	--start 2026-12-02T10:00 --end 2026-12-02T11:00 --title "Committee again"
t_run 0 "booking list by room" --json booking list --room "$R"
t_json "len(o)==3 and [b['status'] for b in o]==['approved','declined','pending']" \
	"list in start order with every status"
t_run 0 "booking list by status" --json booking list --status approved
t_json "all(b['status']=='approved' for b in o) and len(o)==2" "status filter"
t_run 0 "booking list table" booking list --venue "$V"
t_grep "Knit night" "table shows titles"
t_run 0 "booking move" --json booking move "$B1" --start 2026-12-08T19:00 --end 2026-12-08T21:00
t_json "o['status']=='approved' and o['sequence']>=2" "console move keeps approval, raises sequence"
t_run 0 "booking move --help" booking move --help
t_grep "An approved booking stays approved" "move's help says what a console move does"
if grep -q "policy applies again" "$T_OUT"; then
	t_fail "move's help says the room's policy applies again to a console move"
else
	t_pass "move's help does not say the room's policy applies again"
fi
t_run 0 "room rm --help" room rm --help
t_grep "no bookings, in any state" "room rm's help says declined and cancelled bookings count"
t_run 0 "group rm --help" group rm --help
t_grep "no bookings, in any state" "group rm's help says declined and cancelled bookings count"

t_run 0 "closure add" --json closure add --venue "$V" --from 2026-12-24T00:00 \
	--to 2026-12-27T00:00 --reason "Christmas"
C=$(t_id)
t_run 0 "closure set" --json closure set "$C" --to 2026-12-28
t_json "o['end']=='2026-12-28T00:00:00+00:00' and o['reason']=='Christmas'" \
	"closure set changes the end and keeps the reason"
t_run 1 "a closure that ends before it starts is refused" closure set "$C" --to 2026-12-01
t_run 1 "a booking in a closure is refused" booking request --room "$R" --group "$G" \
	--start 2026-12-24T10:00 --end 2026-12-24T12:00 --title "Carols"
t_grep "Christmas" "the refusal gives the closure's reason"
t_run 0 "closure list" closure list
t_grep "Christmas" "closure list shows it"

t_run 0 "audit" --json audit --booking "$B1"
t_json "[e['action'] for e in o][:2]==['request','approve']" "audit records request then approval"
t_run 1 "removing a venue with rooms is refused" venue rm "$V"
# Tokens: the longest life, a new password or role ends them, and the purge.
t_run 0 "user add for tokens" --json user add --name "Tia Tokens" --email tia@example.org \
	--role member --group "$G" --password-stdin <"$T_DIR/pw"
TIA=$(t_id)
t_run 0 "token issue without --days" --json token issue --user "$TIA"
t_json "o['expires_at']=='2027-11-02T09:00:00Z'" \
	"a token issued without --days lives the longest life, 365 days"
HALLS_TOKEN_MAX_DAYS=10 t_run 0 "token issue --days 400 under HALLS_TOKEN_MAX_DAYS=10" \
	--json token issue --user "$TIA" --days 400
t_json "o['expires_at']=='2026-11-12T09:00:00Z'" \
	"a longer life than HALLS_TOKEN_MAX_DAYS is capped"
t_run 0 "token issue --days 2" --json token issue --user "$TIA" --days 2
echo secret-pass-2 >"$T_DIR/pw2"
t_run 0 "a new password" user set "$TIA" --password-stdin <"$T_DIR/pw2"
t_run 0 "token purge" --json token purge
t_json "o['purged']==3" "the purge deletes the three tokens the new password ended"
t_run 0 "token issue after the new password" --json token issue --user "$TIA" --days 1
HALLS_NOW=$((HALLS_NOW + 2 * 86400)) t_run 0 "token purge two days later" --json token purge
t_json "o['purged']==1" "the purge deletes the token that has expired"
t_run 0 "token issue before removal" --json token issue --user "$TIA" --days 5
t_run 0 "user rm" user rm "$TIA"
t_run 0 "token purge after removal" --json token purge
t_json "o['purged']==1" "the purge deletes the removed user's token"
t_run 0 "token purge again" --json token purge
t_json "o['purged']==0" "nothing is left to purge"

t_run 0 "check is clean" check
t_done
