# `halls outbox list|show|retry|drop` over the messages `halls booking request` makes (a
# receipt to the group's member, a request to decide to the venue's manager). What the
# relay does to them (sent, failed, retried after a refusal) is tests/e2e/test_mail.py's,
# with a real SMTP server.
. "$(dirname "$0")/lib.sh"

export HALLS_NOW=1796000000 # Mon 30 Nov 2026 00:53:20 UTC

"$HALLS" init >/dev/null
t_run 0 "an empty outbox lists" outbox list
t_grep "^ID +STATE +KIND +TO +SUBJECT +CREATED +ATTEMPTS +LAST ERROR" "the table has its headers"
t_run 0 "an empty outbox as JSON" --json outbox list
t_json "o == []" "is an empty array"

t_run 0 "venue" --json venue add --name "Riverside Centre"
V=$(t_id)
t_run 0 "room" --json room add --venue "$V" --name "Main Hall" --capacity 40 --approval manual \
	--notice 0 --horizon 365
R=$(t_id)
t_run 0 "group" --json group add --name "Riverside Choir"
G=$(t_id)
t_run 0 "member" user add --name "Pat Okafor" --email pat@choir.example --role member --group "$G"
t_run 0 "manager" user add --name "Priya Shah" --email priya@halls.example --role manager \
	--venue "$V"
t_run 0 "a request" booking request --room "$R" --group "$G" --start 2026-12-08T19:00 \
	--end 2026-12-08T21:00 --title "Choir practice"
HALLS_NOW=1796000060 t_run 0 "another, a minute later" booking request --room "$R" --group "$G" \
	--start 2026-12-09T19:00 --end 2026-12-09T21:00 --title "Caf$(printf '\303\251') night"

t_run 0 "outbox list --json" --json outbox list
cp "$T_OUT" "$T_DIR/list.json"
ids() { # ids KIND TO: the ids of those messages, oldest first
	python3 -c "import json,sys; print(' '.join(str(m['id']) for m in json.load(open(sys.argv[1])) if m['kind']==sys.argv[2] and m['to']==sys.argv[3]))" "$T_DIR/list.json" "$1" "$2"
}
set -- $(ids booking-requested pat@choir.example)
M1=${1:-0} M2=${2:-0}
set -- $(ids booking-request-to-decide priya@halls.example)
M3=${1:-0}
t_run 0 "outbox list" outbox list
if python3 - "$T_DIR/list.json" "$T_OUT" <<'EOF2'; then
import json, re, sys
rows = json.load(open(sys.argv[1]))
lines = open(sys.argv[2], encoding="utf-8").read().splitlines()[1:]
assert len(lines) == len(rows) == 4, (len(lines), len(rows))
for m, line in zip(rows, lines):
    cells = re.split(r"  +", line)
    subject = m["subject"] if len(m["subject"]) <= 60 else m["subject"][:60] + "..."
    want = [str(m["id"]), m["state"], m["kind"], m["to"], subject,
            m["created_at"].replace("Z", "+00:00"), "0", "-"]
    assert cells == want, (cells, want)
EOF2
	t_pass "a row has id, state, kind, to, subject (cut to 60 characters), created, attempts and last error"
else
	t_fail "a row has id, state, kind, to, subject, created, attempts and last error"
fi
t_grep "Café night" "a subject that is not ASCII shows as written"

t_run 0 "outbox list --json" --json outbox list
t_json "len(o) == 4 and [m['id'] for m in o] == sorted(m['id'] for m in o)" "every message, in id order"
t_json "all(m['state'] == 'waiting' and m['attempts'] == 0 and m['last_error'] is None for m in o)" \
	"each waits, never tried"
t_json "[m for m in o if m['id'] == $M2][0]['created_at'] == '2026-11-30T00:54:20Z' and [m for m in o if m['id'] == $M2][0]['due_at'] == '2026-11-30T00:54:20Z'" \
	"a record has its times (RFC 3339, UTC)"
t_json "all(m['about_id'] and m['user_id'] for m in o)" "and the booking it is about, and its recipient's user id"
t_json "all(m['message_id'].startswith('<halls.') and m['message_id'].endswith('@localhost>') for m in o) and len({m['message_id'] for m in o}) == 4" \
	"each has its Message-ID"
t_json "all('raw' not in m for m in o)" "the listing leaves the bytes out"
t_run 0 "--json after the command" outbox list --json
t_json "len(o) == 4" "lists the same"

t_run 0 "--state waiting" --json outbox list --state waiting
t_json "len(o) == 4" "lists the waiting"
t_run 0 "--state sent" --json outbox list --state sent
t_json "o == []" "none sent without a relay"
t_run 0 "--state failed" outbox list --state failed
t_grep "^ID " "an empty table still has its headers"
t_run 2 "--state that is no state" outbox list --state lost
t_grep "--state must be waiting, sent or failed" "says which states there are"
t_run 2 "list takes no argument" outbox list 3

t_run 0 "outbox show" outbox show "$M1"
t_grep "^subject: +Request sent: Choir practice" "shows the subject"
t_grep "^kind: +booking-requested$" "shows the kind"
t_grep "^state: +waiting$" "shows the state"
t_grep "^message_id: +<halls\\." "shows the Message-ID"
t_run 0 "outbox show --json" --json outbox show "$M2"
t_json "o['id'] == $M2 and o['to'] == 'pat@choir.example' and 'Café night' in o['subject']" \
	"the record as JSON"
MID=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['message_id'])" "$T_OUT")
SUBJ=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['subject'])" "$T_OUT")

t_run 0 "outbox show --raw" outbox show "$M2" --raw
if python3 - "$T_OUT" "$MID" "$SUBJ" <<'EOF'; then
import email, email.policy, sys
raw = open(sys.argv[1], "rb").read()
# The exact bytes: CRLF line ends only, and a message that parses without defects.
assert b"\n" not in raw.replace(b"\r\n", b""), "a bare LF"
m = email.message_from_bytes(raw, policy=email.policy.default)
assert m["Message-ID"] == sys.argv[2], m["Message-ID"]
assert m["To"].addresses[0].addr_spec == "pat@choir.example", m["To"]
assert str(m["Subject"]) == sys.argv[3], m["Subject"]
assert not m.defects and all(not p.defects for p in m.walk())
EOF
	t_pass "--raw prints the message's exact bytes (CRLF, the record's Message-ID)"
else
	t_fail "--raw prints the message's exact bytes"
fi
t_run 0 "--raw twice" outbox show "$M2" --raw
cp "$T_OUT" "$T_DIR/raw1"
t_run 0 "--raw again" outbox show "$M2" --raw
if cmp -s "$T_OUT" "$T_DIR/raw1"; then t_pass "the same bytes each time"; else t_fail "the same bytes each time"; fi
t_run 1 "show of no message" outbox show 99
t_grep "there is no message 99" "says so"
t_run 2 "show without an id" outbox show
t_run 2 "show of an id that is not a number" outbox show one
t_run 2 "show of two ids" outbox show 1 2

HALLS_NOW=1796000600 t_run 0 "outbox retry of a waiting message" outbox retry "$M3"
t_grep "message $M3 will be sent again" "says it will be sent again"
t_run 0 "the retried message" --json outbox show "$M3"
t_json "o['state'] == 'waiting' and o['due_at'] == '2026-11-30T01:03:20Z' and o['attempts'] == 0" \
	"is due at the time of the retry"
HALLS_NOW=1796000700 t_run 0 "outbox retry --json" --json outbox retry "$M3"
t_json "o['id'] == $M3 and o['due_at'] == '2026-11-30T01:05:00Z'" "prints the message as it is now"
t_run 1 "retry of no message" outbox retry 99
t_grep "there is no message 99" "says so"
t_run 2 "retry without an id" outbox retry

t_run 0 "outbox drop" outbox drop "$M1"
t_grep "^removed message $M1$" "confirms it"
t_run 0 "after the drop" --json outbox list
t_json "$M1 not in [m['id'] for m in o] and len(o) == 3" "the message is gone, the others stay"
t_run 1 "drop of it again" outbox drop "$M1"
t_grep "there is no message $M1" "says it is not there"
t_run 1 "show of it" outbox show "$M1"
t_run 0 "drop --json" --json outbox drop "$M3"
t_json "o == {'kind': 'message', 'id': $M3, 'removed': True}" "confirms it as JSON"
t_run 2 "drop of an id that is not a number" outbox drop -1

t_run 0 "halls help outbox" help outbox
t_grep "halls outbox list \\[--state waiting\\|sent\\|failed\\]" "lists list"
t_grep "halls outbox show ID \\[--raw\\]" "lists show"
t_grep "halls outbox retry ID" "lists retry"
t_grep "halls outbox drop ID" "lists drop"
t_run 0 "halls check passes with messages in the outbox" check

t_done
