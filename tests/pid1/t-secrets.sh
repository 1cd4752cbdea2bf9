# Secrets (docs/secrets.md): a bundle delivered over the host channel lands
# in /run/secrets/platform.env, each user's process reads its own copy and no
# other, secrets.required holds a process back until a bundle comes, a new
# version replaces every copy atomically and reloads who asked, and the
# values are nowhere but in the files: not on the console, in the log ring,
# status, events, error replies, or PID 1's memory once replaced.
. "$(dirname "$0")/lib.sh"
CANARY=cAnArY-9f2e1d
cat >"$T/reader.sh" <<'EOT'
# Re-reads the file in a loop: a torn file would show as A and B disagreeing.
n=0
while :; do
	A= B=
	[ -f /run/secrets/platform.env ] && . /run/secrets/platform.env
	if [ -n "$A$B" ] && [ "$A" != "$B" ]; then echo TORN; fi
	n=$((n + 1))
	[ $((n % 2000)) = 0 ] && echo "reads $n"
done
EOT
cat >"$T/user.sh" <<'EOT'
echo "$1 own: $(stat -c '%u %a' /run/secrets/platform.env 2>&1)"
for other in $2; do
	cat /run/secrets/.u/$other/platform.env >/dev/null 2>&1 && echo "$1 READ $other" || echo "$1 cannot read $other"
	cat /proc/1/root/run/secrets/.u/$other/platform.env >/dev/null 2>&1 && echo "$1 READ $other via /proc/1/root" || echo "$1 cannot reach $other via /proc/1/root"
done
cat /proc/1/root/run/secrets/platform.env >/dev/null 2>&1 && echo "$1 READ root's" || echo "$1 cannot read root's"
exec sleep 1000
EOT
cat >"$T/hup.sh" <<'EOT'
trap 'echo got HUP' HUP
echo ready
while :; do sleep 0.1; done
EOT
{
	spec_header
	cat <<EOT
[processes.gated]
command = ["/bin/sh", "-c", "echo started with \$(grep -c = /run/secrets/platform.env) lines\u003b exec sleep 1000"]
resources.memory = "64Mi"
secrets.required = true
[processes.reader]
command = ["/bin/sh", "$T/reader.sh"]
resources.memory = "64Mi"
user = "1003"
[processes.u1]
command = ["/bin/sh", "$T/user.sh", "u1", "1002 1003"]
resources.memory = "64Mi"
user = "1001"
secrets.required = true
[processes.u2]
command = ["/bin/sh", "$T/user.sh", "u2", "1001 1003"]
resources.memory = "64Mi"
user = "1002"
secrets.required = true
[processes.hup]
command = ["/bin/sh", "$T/hup.sh"]
resources.memory = "64Mi"
x-secrets_reload = "signal:HUP"
[processes.again]
command = ["/bin/sh", "-c", "echo run\u003b exec sleep 1000"]
resources.memory = "64Mi"
x-secrets_reload = "restart"
EOT
} >"$T/spec.ini"
vm_start "$T/spec.ini" --control "unix:$CTL_SOCK"
wait_ctl
expect '^hup \| ready$' 30 "processes without the gate start"
st=$(ctl --json status)
echo "$st" | json "[p['waiting_for'] for p in j['result']['processes'] if p['name'] == 'gated'][0]" | grep -qx secrets \
	&& ok "a secrets.required process waits for secrets (status waiting_for)" || fail "gated: $(echo "$st" | json "j['result']['processes']")"
[ "$(count '^gated \| started')" = 0 ] && ok "... and has not started" || fail "gated started without secrets"
ctl secrets --version v1 A=one B=one "C=$CANARY" >"$T/out1" 2>&1 && grep -q 'secrets version v1 delivered: 3 keys' "$T/out1" \
	&& ok "a bundle is delivered (vminitctl secrets)" || fail "deliver v1: $(cat "$T/out1")"
expect '^gated \| started with 3 lines$' 30 "the gated process starts once the bundle is there, and reads it"
expect '^u1 \| u1 own: 1001 400$' 30 "a user's process reads its own copy, owned by it, mode 0400"
expect '^u2 \| u2 own: 1002 400$' 30 "... and another user's its own"
for who in "u1 1002" "u1 1003" "u2 1001" "u2 1003"; do
	set -- $who
	expect "^$1 \\| $1 cannot read $2\$" 10 "$1 cannot read uid $2's copy"
	expect "^$1 \\| $1 cannot reach $2 via /proc/1/root\$" 10 "... nor through PID 1's root"
done
expect '^u1 \| u1 cannot read root.s$' 10 "a user's process cannot read root's file"
# Rotation under the reader: many versions, each A=B.
for v in $(seq 2 21); do ctl secrets --version "v$v" "A=val-$v" "B=val-$v" "C=$CANARY" >/dev/null 2>&1 || fail "deliver v$v"; done
expect '^reader \| reads [0-9]+' 30 "a reader re-reads the file in a loop during 20 rotations"
[ "$(count '^reader \| TORN')" = 0 ] && ok "it never sees a torn file" || fail "the reader saw a torn file"
expect '^hup \| got HUP$' 30 "x-secrets_reload = signal:HUP: the process got SIGHUP"
until_ok 30 sh -c "[ \"\$(grep -c '^again | run\$' '$CONSOLE')\" -ge 2 ]" && ok "x-secrets_reload = restart: the process was restarted" || fail "again was not restarted"
# Bad bundles are refused whole, never echoing a value; the last good one stays.
ctl secrets --version bad1 "bad-key=$CANARY" "OK=$CANARY" >"$T/err1" 2>&1 && fail "a bad key was accepted"
ctl secrets --version bad2 "D=$CANARY" "D=$CANARY" >"$T/err2" 2>&1 && fail "a duplicate key was accepted"
python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(sys.argv[2].encode() + b"\n"); print(s.recv(65536).decode())' \
	"$CTL_SOCK" '{"id":1,"op":"secrets","version":"bad3","vars":["E='"$CANARY"'\u0000x"]}' >"$T/err3" 2>&1
grep -q '"ok":false,"error":{"code":"bad_request"' "$T/err3" && ok "a NUL in a value is refused" || fail "err3: $(cat "$T/err3")"
grep -q 'is not \[A-Z_\]\[A-Z0-9_\]\*' "$T/err1" && ok "a bad key is refused with a clear error" || fail "err1: $(cat "$T/err1")"
st=$(ctl --json status)
echo "$st" | json "j['result']['secrets']['version']" | grep -qx v21 && ok "the last good bundle stays (v21)" || fail "secrets: $(echo "$st" | json "j['result']['secrets']")"
echo "$st" | json "j['result']['secrets']['refused'] >= 2" | grep -q True && ok "refusals are counted" || fail "refused not counted"
n=$(ctl exec --process u1 -- grep -c "$CANARY" /run/secrets/platform.env 2>&1)
[ "$n" = 1 ] && ok "the canary is in the file" || fail "the canary is not in u1's file ($n)"
# Gather everything the channel offers.
{ ctl --json status; ctl --json logs -n 100000; ctl --json hello; } >"$T/channel" 2>&1
"$VMINITCTL" -a "unix:$CTL_SOCK" --timeout 5 --json events --since 0 >"$T/events" 2>&1 &
sleep 2; kill $! 2>/dev/null; wait $! 2>/dev/null
# A last version without the canary: PID 1 holds no copy of it after.
ctl secrets --version v22 A=x B=x >/dev/null 2>&1 || fail "deliver v22"
python3 - "$VM_INIT" "$CANARY" >"$T/mem" <<'EOT'
import re, sys
pid, canary = sys.argv[1], sys.argv[2].encode()
hits = 0
with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", 0) as mem:
    for line in maps:
        a, b = (int(x, 16) for x in line.split()[0].split("-"))
        if "r" not in line.split()[1]:
            continue
        try:
            mem.seek(a)
            hits += mem.read(b - a).count(canary)
        except (OSError, ValueError, OverflowError):
            pass
print(hits)
EOT
[ "$(cat "$T/mem")" = 0 ] && ok "PID 1's memory holds no copy of a replaced value" || fail "the canary is in PID 1's memory $(cat "$T/mem") times"
for f in "$CONSOLE" "$T/channel" "$T/events" "$T/err1" "$T/err2" "$T/err3" "$T/out1"; do
	grep -q "$CANARY" "$f" && fail "the canary leaked into $(basename "$f")" || ok "no value in $(basename "$f")"
done
grep -q '"type":"secrets.refused"' "$T/events" && grep -q '"type":"secrets.delivered","version":"v1","keys":3' "$T/events" \
	&& ok "events: secrets.delivered and secrets.refused" || fail "events: $(grep secrets "$T/events" | head -3)"
vm_signal TERM
vm_wait 30
expect_poweroff
finish
