# `vminit check`, the host agent's check of a spec it rendered, through the
# real binary: exit 0 and the canonical form (itself a valid spec that prints
# the same again), or exit 1 and every error as file:line: key: message on
# stderr; usage errors exit 2.
. "$(dirname "$0")/lib.sh"
ROOTDIR=$(cd "$(dirname "$0")/../.." && pwd)
"$VMINIT" check "$ROOTDIR/qemu/example/spec.ini" >"$T/canon.ini" 2>"$T/err"
rc=$?
[ "$rc" = 0 ] && ok "the example spec checks (exit 0)" || fail "exit $rc: $(cat "$T/err")"
[ ! -s "$T/err" ] && ok "nothing on stderr" || fail "stderr: $(cat "$T/err")"
grep -q '^restart.max_retries = 5$' "$T/canon.ini" && grep -q '^ports.0.protocol = "tcp"$' "$T/canon.ini" \
	&& grep -q '^health.failure_threshold = 3$' "$T/canon.ini" && ok "the canonical form has the defaults applied" \
	|| fail "defaults missing from the canonical form"
"$VMINIT" check "$T/canon.ini" >"$T/canon2.ini" 2>&1
cmp -s "$T/canon.ini" "$T/canon2.ini" && ok "the canonical form checks and prints identically" || fail "canonical form is not stable"
awk 'length($0) > 198 { bad = 1 } END { exit bad }' "$T/canon.ini" && ok "no canonical line is longer than 198 bytes" || fail "a line over 198 bytes"

cat >"$T/bad.ini" <<'EOT'
schema_version = "v1"
[processes.web]
command = ["./server"]
resources.memory = 512
restart.policy = "sometimes"
EOT
"$VMINIT" check "$T/bad.ini" >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" = 1 ] && ok "a spec with errors: exit 1" || fail "exit $rc for a bad spec"
[ ! -s "$T/out" ] && ok "nothing on stdout" || fail "stdout: $(cat "$T/out")"
grep -qx "$T/bad.ini:4: processes.web.resources.memory: must be a string, not an integer" "$T/err" \
	&& ok "a number where the schema wants a string is an error naming both types" || fail "stderr: $(cat "$T/err")"
grep -qx "$T/bad.ini:5: processes.web.restart.policy: \"sometimes\" is not allowed: use \"always\", \"on-failure\" or \"never\"" "$T/err" \
	&& ok "a bad enum value lists the allowed ones" || fail "stderr: $(cat "$T/err")"
[ "$(wc -l <"$T/err")" = 2 ] && ok "both errors, one line each" || fail "$(wc -l <"$T/err") error lines"

# An unquoted check port (a one-character typo) is an error like any other:
# it once crashed the reader (SIGSEGV, exit 139; issue 10).
for table in health x-liveness; do
	for v in http x '80 80' '[1' 1e999 tru; do
		printf 'schema_version = "v1"\n[processes.web]\ncommand = ["/bin/true"]\nresources.memory = "64Mi"\nports.0.internal = 3000\n%s.type = "tcp"\n%s.port = %s\n' \
			"$table" "$table" "$v" >"$T/port.ini"
		"$VMINIT" check "$T/port.ini" >"$T/out" 2>"$T/err"
		rc=$?
		if [ "$rc" = 1 ] && grep -q "^$T/port.ini:7: processes.web.$table.port: " "$T/err" && [ "$(wc -l <"$T/err")" = 1 ]; then
			ok "$table.port = $v: exit 1, one error at line 7"
		else
			fail "$table.port = $v: exit $rc, $(cat "$T/err")"
		fi
	done
done

"$VMINIT" check "$T/missing.ini" 2>"$T/err"
rc=$?
[ "$rc" = 1 ] && grep -q "$T/missing.ini:1: cannot read spec: No such file or directory" "$T/err" \
	&& ok "a missing file: exit 1, said plainly" || fail "missing file: exit $rc, $(cat "$T/err")"
mkfifo "$T/fifo"
timeout 30 "$VMINIT" check "$T/fifo" 2>"$T/err"   # a bound for a hang, not a speed
rc=$?
[ "$rc" = 1 ] && grep -q "not a regular file" "$T/err" && ok "a FIFO is refused at once, not waited on" || fail "fifo: exit $rc, $(cat "$T/err")"
"$VMINIT" bogus >/dev/null 2>&1
[ $? = 2 ] && ok "an unknown command exits 2" || fail "unknown command did not exit 2"
# version: exactly one line, newline included (grep alone would accept a
# last line without one), and a failed write is an error, not exit 0.
"$VMINIT" version >"$T/version"
[ $? = 0 ] && grep -Eqx 'vminit [0-9]+\.[0-9]+\.[0-9]+' "$T/version" && [ "$(wc -l <"$T/version")" = 1 ] \
	&& [ "$(tail -c 1 "$T/version" | od -An -c | tr -d ' ')" = '\n' ] && ok "version: one line, ending in a newline" \
	|| fail "version: $(od -c "$T/version")"
"$VMINIT" version >/dev/full 2>/dev/null
[ $? = 1 ] && ok "version to a full disk: exit 1" || fail "version to /dev/full did not exit 1"
"$VMINIT" help >/dev/full 2>/dev/null
[ $? = 1 ] && ok "help to a full disk: exit 1" || fail "help to /dev/full did not exit 1"
finish
