# A crash loop with backoff_seconds = 0 is held to the restart floor: starts
# of one process are at least 100 ms apart (docs/supervisor.md), so it costs
# PID 1 at most 10 starts a second instead of a core. The check is an upper
# bound on starts over the time the test itself measured: a slow machine makes
# fewer starts, never more, so it cannot fail by chance.
. "$(dirname "$0")/lib.sh"
{
	spec_header
	cat <<EOT
[processes.crash]
command = ["/bin/false"]
restart.policy = "always"
restart.backoff_seconds = 0
resources.memory = "64Mi"
EOT
} >"$T/spec.ini"
t0=$(date +%s%N)
vm_start "$T/spec.ini"
expect '^vminit: crash: running, pid' 10 "the crash loop runs"
sleep 2
vm_signal TERM
vm_wait 30
elapsed_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
starts=$(count '^vminit: crash: running, pid')
limit=$(( elapsed_ms / 100 + 1 ))
log "$starts starts in ${elapsed_ms} ms (the floor allows $limit)"
[ "$starts" -ge 2 ] && ok "it was restarted" || fail "only $starts starts"
[ "$starts" -le "$limit" ] && ok "at most one start per 100 ms" || fail "$starts starts in ${elapsed_ms} ms: over the floor"
expect_poweroff
finish
