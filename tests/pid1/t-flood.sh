# A process floods stdout while another keeps working: PID 1 keeps draining the
# pipe (the flooder never blocks), drops what is over the flooder's line budget
# and counts it, and the worker's lines all arrive while the flood goes on.
# The flood lasts until the test has seen the worker's last line (the stop
# file), so "while the flood goes on" holds by construction, however slow the
# machine: a PID 1 stuck on the flooder's pipe never shows that line.
. "$(dirname "$0")/lib.sh"
{
	spec_header
	cat <<EOT
[processes.flood]
command = ["$HELPERS/flood", "600", "$T/written", "$T/stop"]
restart.policy = "never"
resources.memory = "64Mi"
[processes.worker]
command = ["/bin/sh", "-c", "i=0; while [ \$i -lt 30 ]; do i=\$((i+1)); echo tick \$i; echo \$i >> $T/ticks; sleep 0.1; done; exec sleep 1000"]
restart.policy = "never"
resources.memory = "64Mi"
EOT
} >"$T/spec.ini"
t0=$(date +%s%N)
vm_start "$T/spec.ini"
expect '^worker \| tick 30$' 120 "the worker's 30th tick reached the console"
[ "$(count '^vminit: flood: exited')" = 0 ] && ok "the worker's lines came through while the flood went on" \
	|| fail "the flood was over before the worker's last line"
touch "$T/stop"
ticks=$(grep -Ec '^worker \| tick [0-9]+$' "$CONSOLE")
[ "$ticks" = 30 ] && ok "none of the worker's 30 lines was dropped" || fail "$ticks of the worker's 30 lines arrived"
if wait_file "$T/written" 60; then ok "the flooder finished: it never blocked on its pipe"; else fail "the flooder did not finish"; fi
expect '^vminit: flood: exited with code 0$' 30 "flood exited"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
written=$(cat "$T/written" 2>/dev/null || echo 0)
shown=$(grep -Ec '^flood \| flood line' "$CONSOLE")
# Every line is either printed or counted in a drop notice.
dropped=$(sed -nE 's/^flood \| vminit: ([0-9]+) lines dropped.*/\1/p' "$CONSOLE" | awk '{s += $1} END {print s + 0}')
stderr_lines=1   # "flood wrote N lines" on stderr shares the budget
log "flood wrote $written lines (+1 on stderr) in at most $ms ms; $shown printed; $dropped counted as dropped"
# The budget: a burst of 10000 lines, then 1000 a second, over a flood that
# lasted at most $ms ms (the test's clock started before vminit's).
budget=$((10000 + ms + 1))
[ "$shown" -lt "$written" ] && [ "$shown" -le "$budget" ] && ok "the flood was cut to its budget ($shown lines printed, at most $budget)" \
	|| fail "$shown of $written flood lines were printed (budget $budget)"
[ $((shown + dropped + $(count '^flood \| flood wrote'))) = $((written + stderr_lines)) ] \
	&& ok "every flood line is printed or counted as dropped: nothing lost silently" \
	|| fail "printed $shown + dropped $dropped != written $written + $stderr_lines"
vm_signal TERM
vm_wait 60
expect_poweroff
size=$(stat -c %s "$CONSOLE")
[ "$size" -lt $((budget * 100 + 100000)) ] && ok "console stayed small ($size bytes)" || fail "console grew to $size bytes"
finish
