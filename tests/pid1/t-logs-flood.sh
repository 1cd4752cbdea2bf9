# The host's log stream keeps up with a flood (docs/logs.md):
#   a `logs -f` follower gets every one of 200,000 lines, in order, none lost,
#   while the console, a slow line, keeps its budget and drops (counted)
#   a follower that stops reading holds no one past its hold limit: the writer
#   finishes, and the follower, reading again, is told exactly how many it lost
#   a read with more lines than the ring has slots (empty lines) loses none of
#   a follower's, even one that had sent everything when the read came
. "$(dirname "$0")/lib.sh"
N=200000 M=100000 B=131072
# gated NAME COUNT: wait for $T/go-NAME, then COUNT lines, then $T/done-NAME.
printf '#!/bin/sh\nwhile [ ! -e %s/go-$1 ]; do sleep 0.05; done\nexec %s/lines $2 %s/done-$1\n' "$T" "$HELPERS" "$T" >"$T/gated"
chmod +x "$T/gated"
# blank: B empty lines, 8 KiB in a write(2) (tr), after $T/go-blank.
printf '#!/bin/sh\nwhile [ ! -e %s/go-blank ]; do sleep 0.05; done\nhead -c %s /dev/zero | tr "\\\\000" "\\\\n"\ntouch %s/done-blank\nexec sleep 1000\n' \
	"$T" "$B" "$T" >"$T/blank"
chmod +x "$T/blank"
{
	spec_header
	cat <<EOT
[processes.flood]
command = ["$T/gated", "flood", "$N"]
restart.policy = "never"
resources.memory = "64Mi"
[processes.stall]
command = ["$T/gated", "stall", "$M"]
restart.policy = "never"
resources.memory = "64Mi"
[processes.blank]
command = ["$T/blank"]
restart.policy = "never"
resources.memory = "64Mi"
[processes.idle]
command = ["/bin/sleep", "1000"]
resources.memory = "64Mi"
EOT
} >"$T/spec.ini"
vm_start "$T/spec.ini" --control "unix:$CTL_SOCK"
wait_ctl || finish
expect '^vminit: stall: running' 30 "the processes started" || finish

# lines FILE: "lines lost inorder" of a follower's JSON items.
tally() {
	python3 - "$1" <<'PY'
import json, sys
lines = lost = 0
inorder = True
want = 0
for l in open(sys.argv[1]):
    j = json.loads(l)
    if 'lost' in j:
        lost += j['lost']
        want += j['lost']
    elif 'log' in j:
        n = int(j['log']['line'].split()[1])
        inorder = inorder and n == want
        want = n + 1
        lines += 1
print(lines, lost, int(inorder))
PY
}
# follow PROCESS OUT: a follower from now on; its ok reply is read first.
follow() {
	"$VMINITCTL" -a "unix:$CTL_SOCK" --json logs -f -n 0 "$1" >"$2" 2>"$2.err" &
	FOLLOWER=$!
	local i
	for i in $(seq 200); do [ -s "$2" ] || grep -q . "$2.err" || { sleep 0.05; continue; }; break; done
}
# until_line OUT LINE: wait (bounded) for LINE in a follower's output.
until_line() {
	local i
	for i in $(seq 1200); do grep -q "\"line\":\"$2\"" "$1" && return 0; sleep 0.1; done
	return 1
}

# 1. A follower that keeps reading.
follow flood "$T/follow"
touch "$T/go-flood"
wait_file "$T/done-flood" 120 && ok "the writer finished" || fail "the writer did not finish"
until_line "$T/follow" "line $(printf %07d $((N - 1)))" || fail "the follower did not get the last line"
kill "$FOLLOWER" 2>/dev/null; wait "$FOLLOWER" 2>/dev/null
read -r lines lost inorder < <(tally "$T/follow")
log "follower: $lines lines, $lost lost"
[ "$lines" = "$N" ] && [ "$lost" = 0 ] && ok "every one of the $N lines reached the follower, none lost" \
	|| fail "the follower got $lines of $N lines, $lost lost"
[ "$inorder" = 1 ] && ok "in order" || fail "lines out of order"
st=$(ctl --json status flood)
dropped=$(json "j['result']['processes'][0]['output_dropped_lines']" <<<"$st")
[ "$dropped" -gt 0 ] && ok "the console still kept its budget: $dropped lines dropped from it" \
	|| fail "the console dropped nothing: output_dropped_lines $dropped"
[ "$(count '^flood \| vminit: [0-9]+ lines dropped')" -gt 0 ] && ok "the console said so" || fail "no drop notice on the console"
log "log_holds $(json "j['result']['counters']['log_holds']" <<<"$st"), log_held_ms $(json "j['result']['counters']['log_held_ms']" <<<"$st")"

# 2. A follower that stops reading: overtaken after the hold limit.
follow stall "$T/stalled"
kill -STOP "$FOLLOWER"
touch "$T/go-stall"
wait_file "$T/done-stall" 120 && ok "the writer finished while its follower did not read: no one held it for good" \
	|| fail "the writer was held by a follower that does not read"
kill -CONT "$FOLLOWER"
until_line "$T/stalled" "line $(printf %07d $((M - 1)))" || fail "the follower did not get the last line"
kill "$FOLLOWER" 2>/dev/null; wait "$FOLLOWER" 2>/dev/null
read -r lines lost inorder < <(tally "$T/stalled")
log "stalled follower: $lines lines, $lost lost"
[ "$lost" -gt 0 ] && ok "the stalled follower was told it lost lines" || fail "the stalled follower lost nothing: the test proves nothing"
[ $((lines + lost)) = "$M" ] && [ "$inorder" = 1 ] && ok "lines + lost = $M: it knows exactly what it missed" \
	|| fail "$lines lines + $lost lost != $M (in order: $inorder)"

# 3. Empty lines: up to 64 KiB of them in the pipe make 65,536 records, the
# ring has 8,192 slots. The follower has sent all it had when they come.
follow blank "$T/blank.out"
touch "$T/go-blank"
wait_file "$T/done-blank" 60 || fail "the blank lines' writer did not finish"
for i in $(seq 600); do
	[ "$(grep -c '"line":""' "$T/blank.out")" -ge "$B" ] || grep -q '"lost"' "$T/blank.out" && break
	sleep 0.1
done
kill "$FOLLOWER" 2>/dev/null; wait "$FOLLOWER" 2>/dev/null
lines=$(grep -c '"line":""' "$T/blank.out") lost=$(grep -c '"lost"' "$T/blank.out")
[ "$lines" = "$B" ] && [ "$lost" = 0 ] && ok "all $B empty lines reached the follower, none lost" \
	|| fail "the follower got $lines of $B empty lines; lost items: $lost ($(grep -m1 '"lost"' "$T/blank.out"))"

vm_signal TERM
vm_wait 30
expect_poweroff
finish
