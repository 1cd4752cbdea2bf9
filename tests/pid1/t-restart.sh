# Restart policies with their backoff and retry limits.
#   always:      restarts after every exit; delays double from backoff_seconds
#                up to restart_backoff_max_seconds (1 s, 2 s, 2 s here)
#   on-failure:  restarts a failing process max_retries times, then 'failed';
#                an exit 0 is not restarted
#   reset:       a run longer than restart_reset_seconds resets the doubling
#   group:       what a process leaves in its process group dies with it, so
#                a crash loop does not pile up its children
# restart_reset_seconds is 5 s, far above what a short run takes even on a
# busy machine (a short run over it would reset the backoff and the retry
# count, and the test with it); longrun's runs last 5.5 s, always over it.
. "$(dirname "$0")/lib.sh"
{
	spec_header
	cat <<EOT
[processes.always]
command = ["/bin/sh", "-c", "read up idle </proc/uptime; echo \$up >> $T/always.runs"]
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
command = ["/bin/sh", "-c", "sleep 5.5; exit 1"]
restart.policy = "always"
restart.backoff_seconds = 1
resources.memory = "64Mi"
[guest]
restart_backoff_max_seconds = 2
restart_reset_seconds = 5
EOT
} >"$T/spec.ini"
vm_start "$T/spec.ini"
expect '^vminit: retry: failed$' 30 "on-failure: gives up"
runs=$(wc -l <"$T/retry.runs")
[ "$runs" = 3 ] && ok "on-failure with max_retries 2 ran 3 times" || fail "retry ran $runs times, expected 3"
expect '^vminit: error: retry: giving up after 3 failed runs' 1 "the give-up is logged"
expect '^vminit: success: exited$' 30 "on-failure: exit 0 is not restarted"
expect '^vminit: groupy: failed$' 30 "groupy ran 4 times"
# Killed children may take a moment to go: wait for none to be left.
groupy_left() { for p in $(descendants); do tr '\0' ' ' 2>/dev/null </proc/$p/cmdline; echo; done | grep -c 'sleep 1001'; }
until_ok 30 eval '[ "$(groupy_left)" = 0 ]'
left=$(groupy_left)
[ "$left" = 0 ] && ok "the children groupy left in its group died with each run" || fail "$left of groupy's children outlived it"
# The backoff: the delays vminit computed, and the runs' own start times
# (each run writes /proc/uptime) at least that far apart. Only a lower bound:
# a busy machine makes the gaps longer, never shorter.
until_ok 60 eval '[ "$(count "^vminit: always: restarting in")" -ge 4 ] && [ "$(wc -l <"$T/always.runs")" -ge 4 ]'
delays=$(grep -E '^vminit: always: restarting in' "$CONSOLE" | head -n 4 | sed -E 's/.*restarting in ([0-9]+) ms.*/\1/' | tr '\n' ' ')
[ "$delays" = "1000 2000 2000 2000 " ] && ok "always: backoff 1000 2000 2000 2000 ms (doubling, capped)" \
	|| fail "always: backoff delays were '$delays', expected '1000 2000 2000 2000 '"
gaps=$(head -n 4 "$T/always.runs" | awk 'NR > 1 { printf "%d ", ($1 - prev) * 1000 + 0.5 } { prev = $1 }')
read -r g1 g2 g3 <<<"$gaps"
# /proc/uptime counts in 10 ms steps: 10 ms of slack.
[ "${g1:-0}" -ge 990 ] && [ "${g2:-0}" -ge 1990 ] && [ "${g3:-0}" -ge 1990 ] \
	&& ok "always: the runs started at least 1 s, 2 s, 2 s apart ($gaps ms)" \
	|| fail "always: runs started $gaps ms apart, expected at least 1000 2000 2000"
until_ok 60 eval '[ "$(count "^vminit: longrun: restarting in")" -ge 2 ]'
[ "$(count '^vminit: longrun: restarting in')" -ge 2 ] && ok "longrun restarted repeatedly" || fail "longrun did not restart"
long=$(grep -E '^vminit: longrun: restarting in' "$CONSOLE" | sed -E 's/.*restarting in ([0-9]+) ms.*/\1/' | sort -u | tr '\n' ' ')
[ "$long" = "1000 " ] && ok "a run longer than restart_reset_seconds resets the backoff" \
	|| fail "longrun backoff delays were '$long', expected only 1000"
vm_signal TERM
vm_wait 60
expect_poweroff
finish
