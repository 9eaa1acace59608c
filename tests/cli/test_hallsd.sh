# hallsd starts on a loopback port over a data directory, answers /healthz, sees writes
# the halls command makes while it runs, and stops cleanly on SIGTERM.
. "$(dirname "$0")/lib.sh"

"$HALLS" init >/dev/null
t_hallsd_start

fetch() { # fetch PATH: status code to stdout, body to $T_OUT
	curl -s -o "$T_OUT" -w '%{http_code}' "http://127.0.0.1:$PORT$1"
}
code=$(fetch /healthz)
[ "$code" = 200 ] && t_pass "/healthz answers 200" || t_fail "/healthz answered $code"
t_json "o['status']=='ok' and o['schema']==5" "/healthz names the schema version"
before=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["change"])' "$T_OUT")
"$HALLS" venue add --name "Written while serving" >/dev/null
fetch /healthz >/dev/null
t_json "o['change']==$before+1" "a write by halls is visible to the running server at once"
code=$(fetch /api/v1/nowhere)
[ "$code" = 404 ] && t_pass "an unknown API path is 404" || t_fail "an unknown API path answered $code"
t_json "o['status']==404 and o['type'].endswith('not-found')" "404 has a problem body"
kill -TERM "$PID"
if wait "$PID"; then
	t_pass "SIGTERM stops hallsd with status 0"
else
	t_fail "hallsd exited non-zero after SIGTERM"
fi
t_run 0 "the data directory is consistent afterwards" check

# A value in the environment that hallsd cannot take is a mistake to correct: said in
# words, exit status 2, never an abort (with a core dump) as a bug would be.
for bad in "HALLS_NOW=yesterday" "HALLS_NOW=99999999999" "HALLS_TOKEN_MAX_DAYS=0"; do
	env "$bad" "$BUILD/hallsd" --data "$HALLS_DATA" --listen 127.0.0.1:0 >"$T_OUT" 2>&1
	rc=$?
	name=${bad%%=*}
	if [ "$rc" -eq 2 ] && grep -q "^hallsd: $name must be" "$T_OUT"; then
		t_pass "$bad: hallsd says what $name must be and exits 2"
	else
		t_fail "$bad: exit $rc, $(head -c 200 "$T_OUT")"
	fi
done
t_done
