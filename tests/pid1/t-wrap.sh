# The wrap form, `vminit -- CMD [ARGS...]` (docs/wrap.md), as PID 1 of a
# fresh PID namespace (a container: it exits) and outside PID 1: the
# command's exit status passed through (128+N for a signal), its stdout and
# stdin PID 1's own, vminit's lines on stderr only, SIGTERM and SIGHUP passed
# on to its handlers, an orphan it leaves reaped, and `vminit --` without a
# command a usage error (exit 2).
. "$(dirname "$0")/lib.sh"

# wrap OUT ERR [vminit args...] -- CMD...: vminit as PID 1 of a namespace,
# stdout to OUT, stderr to ERR, stdin from $T/stdin; sets WRAP_STATUS.
wrap() {
	local out=$1 err=$2
	shift 2
	unshare --fork --pid --mount --mount-proc "$VMINIT" "$@" <"$T/stdin" >"$out" 2>"$err"
	WRAP_STATUS=$?
}

# status CODE WHAT -- CMD...: the wrapped command ends so; PID 1 exits CODE.
status() {
	local want=$1 what=$2
	shift 3
	wrap "$T/out" "$T/err" -- "$@"
	if [ "$WRAP_STATUS" = "$want" ]; then ok "$what: PID 1 exits $want"
	else fail "$what: PID 1 exited $WRAP_STATUS, not $want ($(tail -n 3 "$T/err" | tr '\n' ' '))"; fi
}

echo "PID 1's stdin" >"$T/stdin"
status 0 "exit 0" -- /bin/sh -c 'exit 0'
status 3 "exit 3" -- /bin/sh -c 'exit 3'
status 137 "SIGKILL" -- /bin/sh -c 'kill -KILL $$'
status 139 "SIGSEGV" -- /bin/sh -c 'kill -SEGV $$'
status 127 "a command that does not exist" -- /nonexistent/cmd

# Its stdout is PID 1's own: exactly its lines, nothing of vminit's; its
# stdin too.
wrap "$T/out" "$T/err" -- /bin/sh -c 'echo one; read -r line; echo "got: $line"; echo two >&2'
if [ "$(cat "$T/out")" = "$(printf 'one\ngot: PID 1'"'"'s stdin')" ]; then
	ok "stdout goes straight through, stdin comes from PID 1's"
else
	fail "stdout was: $(head -c 300 "$T/out")"
fi
if grep -qx two "$T/err" && grep -q '^vminit: ' "$T/err"; then
	ok "stderr is PID 1's too, and vminit's own lines go there"
else
	fail "stderr was: $(head -c 300 "$T/err")"
fi

# Its own process group in PID 1's session (as tini's), not a session of its
# own: /proc/self/stat's fields 5 and 6.
wrap "$T/out" "$T/err" -- /bin/sh -c 'read -r pid comm state ppid pgrp sid rest </proc/$$/stat; echo "$pid $pgrp $sid"'
read -r pid pgrp sid <"$T/out"
if [ -n "$pid" ] && [ "$pgrp" = "$pid" ] && [ "$sid" != "$pid" ]; then
	ok "its own process group ($pgrp), PID 1's session"
else
	fail "pid, group, session: $(cat "$T/out")"
fi

# SIGTERM and SIGHUP to PID 1 reach the command's handlers.
cat >"$T/handler.sh" <<EOF
trap 'echo hup >>$T/got' HUP
trap 'echo term >>$T/got; exit 7' TERM
echo ready >$T/ready
while :; do sleep 1 & wait \$!; done
EOF
rm -f "$T/got" "$T/ready"
unshare --fork --pid --mount --mount-proc "$VMINIT" -- /bin/sh "$T/handler.sh" \
	<"$T/stdin" >"$T/out" 2>"$T/err" &
VM_PID=$!
if until_ok 30 test -e "$T/ready"; then
	VM_INIT=$(pgrep -P "$VM_PID" | head -n1)
	vm_signal HUP
	until_ok 30 grep -qsx hup "$T/got" && ok "SIGHUP to PID 1 reaches the command's handler" ||
		fail "SIGHUP was not passed on"
	vm_signal TERM
	vm_wait 30
	grep -qsx term "$T/got" && ok "SIGTERM to PID 1 reaches the command's handler" ||
		fail "SIGTERM was not passed on"
	[ "$VM_STATUS" = 7 ] && ok "PID 1 exits with the handler's status (7)" ||
		fail "PID 1 exited $VM_STATUS after SIGTERM, not 7"
else
	fail "the wrapped command never got ready: $(cat "$T/err")"
	kill "$VM_PID" 2>/dev/null
fi

# An orphan the command leaves behind is reaped by PID 1; the command's
# own status still decides.
wrap "$T/out" "$T/err" -- /bin/sh -c '( /bin/sh -c "exit 0" & ) ; sleep 0.3; exit 4'
[ "$WRAP_STATUS" = 4 ] && ok "with an orphan left: PID 1 exits 4" || fail "exited $WRAP_STATUS with an orphan"
if grep -Eq '^vminit: reaped [0-9]+ children, [1-9][0-9]* of them orphans$' "$T/err"; then
	ok "the orphan was reaped by PID 1"
else
	fail "no orphan reaped: $(grep reaped "$T/err")"
fi

# Without a command: a usage error, as PID 1 of a namespace and outside.
wrap "$T/out" "$T/err" --
[ "$WRAP_STATUS" = 2 ] && grep -q '^usage: ' "$T/err" && ok "as PID 1, \`vminit --\` is a usage error (2)" ||
	fail "\`vminit --\` as PID 1: status $WRAP_STATUS: $(head -c 200 "$T/err")"
"$VMINIT" -- >/dev/null 2>"$T/err" </dev/null
rc=$?
[ "$rc" = 2 ] && grep -q '^usage: ' "$T/err" && ok "outside PID 1 too (2)" || fail "\`vminit --\`: status $rc"

# Outside PID 1 it is a subreaper that exits with the command's status.
"$VMINIT" -- /bin/sh -c 'echo sub; exit 5' <"$T/stdin" >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" = 5 ] && [ "$(cat "$T/out")" = sub ] && ok "outside PID 1: the status (5) and stdout pass through" ||
	fail "outside PID 1: status $rc, stdout $(head -c 100 "$T/out")"
"$VMINIT" run -- /bin/sh -c 'exit 6' </dev/null >/dev/null 2>&1
rc=$?
[ "$rc" = 6 ] && ok "\`vminit run -- CMD\` is the same (6)" || fail "\`vminit run -- CMD\`: status $rc"

# --control still works: the host sees the one process, "main", running.
CTL_SOCK=$T/ctl.sock
rm -f "$T/go"
unshare --fork --pid --mount --mount-proc "$VMINIT" --control "unix:$CTL_SOCK" -- \
	/bin/sh -c "while [ ! -e $T/go ]; do sleep 0.05; done" <"$T/stdin" >"$T/out" 2>"$T/err" &
VM_PID=$!
until_ok 30 pgrep -P "$VM_PID" >/dev/null
VM_INIT=$(pgrep -P "$VM_PID" | head -n1)
if wait_ctl && ctl --json status >"$T/status.json" &&
	[ "$(json 'j["result"]["processes"][0]["name"] + " " + j["result"]["processes"][0]["state"]' <"$T/status.json")" = "main running" ]; then
	ok "with --control, status shows main running"
else
	fail "status over --control: $(head -c 300 "$T/status.json" 2>/dev/null)"
fi
touch "$T/go"
vm_wait 30
[ "$VM_STATUS" = 0 ] && ok "and PID 1 exits 0 with it" || fail "PID 1 exited $VM_STATUS"

# --help names the form (bench/peers.sh looks for " -- CMD").
"$VMINIT" --help | grep -q ' -- CMD' && ok "--help shows the wrap form" || fail "--help has no ' -- CMD' line"
finish
