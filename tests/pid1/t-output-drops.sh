# Lines over a process's console budget are dropped from the console only:
#   a `logs -f` reader gets every line (docs/logs.md), no budget items
#   status shows the process's output_dropped_lines, equal to the console's
#   NUL bytes reach the console as ^@ and the host's log stream as \u0000
. "$(dirname "$0")/lib.sh"
N=30000
{
	spec_header
	cat <<EOT
[processes.flood]
command = ["/bin/sh", "-c", "printf 'nul:a\\\\000b\\\\n'; while [ ! -e $T/go ]; do sleep 0.05; done; seq $N; sleep 1; echo after; exec sleep 1000"]
restart.policy = "never"
resources.memory = "64Mi"
EOT
} >"$T/spec.ini"
vm_start "$T/spec.ini" --control "unix:$CTL_SOCK"
wait_ctl || finish
expect '^flood \| nul:a\^@b$' 10 "a NUL byte reaches the console as ^@"
[ "$(grep -c -aP '\x00' "$CONSOLE")" = 0 ] && ok "no raw NUL on the console" || fail "a raw NUL reached the console"
ctl --json logs -n 10 flood | grep -q '"line":"nul:a\\u0000b"' && ok "logs: the line's bytes, NUL as \\u0000" \
	|| fail "logs: $(ctl --json logs -n 10 flood)"

# A follower from now on, then the flood.
"$VMINITCTL" -a "unix:$CTL_SOCK" --json logs -f -n 0 flood >"$T/follow" 2>"$T/follow.err" &
follower=$!
for i in $(seq 100); do [ -s "$T/follow" ] && break; sleep 0.05; done   # its ok reply
touch "$T/go"
expect '^flood \| after$' 60 "the flooder's line after the flood reached the console"
for i in $(seq 600); do grep -q '"line":"after"' "$T/follow" && break; sleep 0.1; done
kill "$follower" 2>/dev/null; wait "$follower" 2>/dev/null
grep -q '"line":"after"' "$T/follow" && ok "the follower read up to the last line" || fail "the follower did not get 'after'"
console_dropped=$(sed -nE 's/^flood \| vminit: ([0-9]+) lines dropped.*/\1/p' "$CONSOLE" | awk '{s += $1} END {print s + 0}')
read -r lines budget ring < <(python3 - "$T/follow" <<'PY'
import json, sys
lines = budget = ring = 0
for l in open(sys.argv[1]):
    j = json.loads(l)
    if 'log' in j:
        lines += 1
    elif 'lost' in j and j.get('reason') == 'budget':
        budget += j['lost']
    elif 'lost' in j:
        ring += j['lost']
print(lines, budget, ring)
PY
)
log "follower: $lines lines, $budget budget items, $ring lost in the ring; console: $console_dropped dropped"
[ "$console_dropped" -gt 0 ] && ok "the flood went over the console's budget" || fail "nothing was dropped: the test proves nothing"
[ "$budget" = 0 ] && ok "logs: no line dropped for the console's budget" || fail "logs: $budget lines dropped over the budget"
[ $((lines + ring)) = $((N + 1)) ] && ok "every one of the $((N + 1)) lines was delivered or counted" \
	|| fail "delivered $lines + overwritten $ring != $((N + 1))"
st=$(ctl --json status flood | json "j['result']['processes'][0]['output_dropped_lines']")
[ "$st" = "$console_dropped" ] && ok "status: output_dropped_lines = $st" || fail "status: output_dropped_lines = $st, console $console_dropped"

vm_signal TERM
vm_wait 30
expect_poweroff
finish
