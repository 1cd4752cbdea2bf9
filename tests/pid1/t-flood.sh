# A process floods stdout while another keeps working: PID 1 keeps draining the
# pipe (the flooder never blocks), drops what is over the flooder's line budget
# and counts it, and the worker's lines all arrive, on time.
. "$(dirname "$0")/lib.sh"
{
	spec_header
	cat <<EOT
[processes.flood]
command = ["$HELPERS/flood", "4", "$T/written"]
restart.policy = "never"
resources.memory = "64Mi"
[processes.worker]
command = ["/bin/sh", "-c", "i=0; while [ \$i -lt 30 ]; do i=\$((i+1)); echo tick \$i; echo \$i >> $T/ticks; sleep 0.1; done; exec sleep 1000"]
restart.policy = "never"
resources.memory = "64Mi"
EOT
} >"$T/spec.ini"
vm_start "$T/spec.ini"
t0=$(date +%s%N)
expect '^worker \| tick 30$' 15 "the worker's 30th tick reached the console"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$ms" -lt 6000 ] && ok "the worker was not stalled: 30 ticks of 0.1 s in ${ms} ms" || fail "the worker took ${ms} ms for 3 s of work"
ticks=$(grep -Ec '^worker \| tick [0-9]+$' "$CONSOLE")
[ "$ticks" = 30 ] && ok "none of the worker's 30 lines was dropped" || fail "$ticks of the worker's 30 lines arrived"
if wait_file "$T/written" 15; then ok "the flooder finished: it never blocked on its pipe"; else fail "the flooder did not finish"; fi
expect '^vminit: flood: exited with code 0$' 5 "flood exited"
written=$(cat "$T/written" 2>/dev/null || echo 0)
shown=$(grep -Ec '^flood \| flood line' "$CONSOLE")
# Every line is either printed or counted in a drop notice.
dropped=$(sed -nE 's/^flood \| vminit: ([0-9]+) lines dropped.*/\1/p' "$CONSOLE" | awk '{s += $1} END {print s + 0}')
stderr_lines=1   # "flood wrote N lines" on stderr shares the budget
log "flood wrote $written lines (+1 on stderr); $shown printed; $dropped counted as dropped"
[ "$shown" -lt "$written" ] && [ "$shown" -le 20000 ] && ok "the flood was cut to its budget ($shown lines printed)" || fail "$shown of $written flood lines were printed"
[ $((shown + dropped + $(count '^flood \| flood wrote'))) = $((written + stderr_lines)) ] \
	&& ok "every flood line is printed or counted as dropped: nothing lost silently" \
	|| fail "printed $shown + dropped $dropped != written $written + $stderr_lines"
vm_signal TERM
vm_wait 10
expect_poweroff
size=$(stat -c %s "$CONSOLE")
[ "$size" -lt 4000000 ] && ok "console stayed small ($size bytes)" || fail "console grew to $size bytes"
finish
