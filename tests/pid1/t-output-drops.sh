# Lines over a process's console budget are dropped from the console only:
#   a `logs -f` reader gets every line (docs/logs.md), no budget items
#   status shows the process's output_dropped_lines, equal to the console's
#   NUL bytes reach the console as ^@ and the host's log stream as \u0000
#   long lines are held to the console's byte budget too (256 KiB at once),
#   well under the line budget: 4 MB in 1 KiB lines are not all printed
. "$(dirname "$0")/lib.sh"
N=30000 L=4000
# long: L lines of 1,022 zeros, after $T/go-long.
printf '#!/bin/sh\nwhile [ ! -e %s/go-long ]; do sleep 0.05; done\nyes "$(printf %%01022d 0)" | head -n %s\necho long-after\nexec sleep 1000\n' "$T" "$L" >"$T/long"
chmod +x "$T/long"
{
	spec_header
	cat <<EOT
[processes.flood]
command = ["/bin/sh", "-c", "printf 'nul:a\\\\000b\\\\n'; while [ ! -e $T/go ]; do sleep 0.05; done; seq $N; sleep 1; echo after; exec sleep 1000"]
restart.policy = "never"
resources.memory = "64Mi"
[processes.long]
command = ["$T/long"]
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

# Long lines: 4 MB at once is 16 times the byte budget's burst, and would
# take over a minute at its refill rate.
touch "$T/go-long"
expect '^long \| long-after$' 60 "the long lines' writer finished" || finish
shown=$(count '^long \| 0{1022}$')
long_dropped=$(sed -nE 's/^long \| vminit: ([0-9]+) lines dropped \(over 1000 lines\/s or 64 KiB\/s\)$/\1/p' "$CONSOLE" | awk '{s += $1} END {print s + 0}')
log "long lines: $shown printed, $long_dropped dropped"
[ "$long_dropped" -gt 0 ] && [ "$shown" -le $((L / 2)) ] && ok "the byte budget held: $shown of $L lines of 1 KiB printed" \
	|| fail "$shown of $L lines of 1 KiB printed, $long_dropped dropped: no byte budget"
[ $((shown + long_dropped)) = "$L" ] && ok "every long line printed or counted" || fail "printed $shown + dropped $long_dropped != $L"
ctl --json logs -n 1 long | grep -q '"line":"long-after"' && ok "logs: the last one reached the host's stream" \
	|| fail "logs: $(ctl --json logs -n 1 long)"

vm_signal TERM
vm_wait 30
expect_poweroff
finish
