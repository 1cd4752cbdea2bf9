# Restart policies with their backoff and retry limits.
#   always:      restarts after every exit; delays double from backoff_seconds
#                up to restart_backoff_max_seconds (1 s, 2 s, 2 s here)
#   on-failure:  restarts a failing process max_retries times, then 'failed';
#                an exit 0 is not restarted
#   reset:       a run longer than restart_reset_seconds resets the doubling
#   group:       what a process leaves in its process group dies with it, so
#                a crash loop does not pile up its children
. "$(dirname "$0")/lib.sh"
{
	spec_header
	cat <<EOT
[processes.always]
command = ["/bin/sh", "-c", "echo run >> $T/always.runs"]
restart.policy = "always"
restart.backoff_seconds = 1
resources.memory = "64Mi"
[processes.retry]
command = ["/bin/sh", "-c", "echo run >> $T/retry.runs; exit 3"]
restart.policy = "on-failure"
restart.max_retries = 2
restart.backoff_seconds = 0
resources.memory = "64Mi"
[processes.success]
command = ["/bin/sh", "-c", "echo run >> $T/success.runs"]
restart.policy = "on-failure"
resources.memory = "64Mi"
[processes.groupy]
command = ["/bin/sh", "-c", "/bin/sleep 1001 & exit 1"]
restart.policy = "on-failure"
restart.max_retries = 3
restart.backoff_seconds = 0
resources.memory = "64Mi"
[processes.longrun]
command = ["/bin/sh", "-c", "sleep 1.3; exit 1"]
restart.policy = "always"
restart.backoff_seconds = 1
resources.memory = "64Mi"
[guest]
restart_backoff_max_seconds = 2
restart_reset_seconds = 1
EOT
} >"$T/spec.ini"
vm_start "$T/spec.ini"
expect '^vminit: retry: failed$' 10 "on-failure: gives up"
runs=$(wc -l <"$T/retry.runs")
[ "$runs" = 3 ] && ok "on-failure with max_retries 2 ran 3 times" || fail "retry ran $runs times, expected 3"
expect '^vminit: error: retry: giving up after 3 failed runs' 1 "the give-up is logged"
expect '^vminit: success: exited$' 5 "on-failure: exit 0 is not restarted"
expect '^vminit: groupy: failed$' 5 "groupy ran 4 times"
sleep 0.2
left=$(for p in $(descendants); do tr '\0' ' ' </proc/$p/cmdline 2>/dev/null; echo; done | grep -c 'sleep 1001')
[ "$left" = 0 ] && ok "the children groupy left in its group died with each run" || fail "$left of groupy's children outlived it"
wait_for '^vminit: always: running, pid .*restarted' 5
sleep 5.5
delays=$(grep -E '^vminit: always: restarting in' "$CONSOLE" | head -n 4 | sed -E 's/.*restarting in ([0-9]+) ms.*/\1/' | tr '\n' ' ')
[ "$delays" = "1000 2000 2000 2000 " ] && ok "always: backoff 1000 2000 2000 2000 ms (doubling, capped)" \
	|| fail "always: backoff delays were '$delays', expected '1000 2000 2000 2000 '"
runs=$(wc -l <"$T/always.runs")
[ "$runs" -ge 4 ] && [ "$runs" -le 5 ] && ok "always: $runs runs in ~6.5 s" || fail "always ran $runs times in ~6.5 s, expected 4-5"
long=$(grep -E '^vminit: longrun: restarting in' "$CONSOLE" | sed -E 's/.*restarting in ([0-9]+) ms.*/\1/' | sort -u | tr '\n' ' ')
[ "$long" = "1000 " ] && ok "a run longer than restart_reset_seconds resets the backoff" \
	|| fail "longrun backoff delays were '$long', expected only 1000"
[ "$(count '^vminit: longrun: restarting in')" -ge 2 ] && ok "longrun restarted repeatedly" || fail "longrun did not restart"
vm_signal TERM
vm_wait 20
expect_poweroff
finish
