# An orphan storm: 5000 double-forked children re-parented to PID 1 as fast as
# they can be made. Every one must be reaped: no zombie left in the namespace.
# Fails when PID 1 does not reap children it did not start. A storm is reaped
# in timed passes with SIGCHLD held (init/reap.c): after it, an exit is heard
# again on its own (the idle process's, at the shutdown).
. "$(dirname "$0")/lib.sh"
N=5000
{
	spec_header
	cat <<EOT
[processes.storm]
command = ["$HELPERS/orphans", "$N", "$T/done"]
restart.policy = "never"
resources.memory = "64Mi"
[processes.idle]
command = ["/bin/sleep", "1000"]
resources.memory = "64Mi"
EOT
} >"$T/spec.ini"
vm_start "$T/spec.ini"
if wait_file "$T/done" 180; then ok "storm made $N orphans"; else fail "storm did not finish"; fi
expect 'storm: exited with code 0' 30 "the storm process exited 0"
# The last orphans may still be running (or not yet reaped) a while after the
# storm ends: wait until only the idle process is left, zombies included.
only_idle() { [ "$(descendants | wc -l)" = 1 ]; }
until_ok 60 only_idle
z=$(zombies)
if [ "$z" = 0 ]; then ok "no zombie left in the namespace"; else fail "$z zombies left"; fi
left=$(descendants | wc -l)
[ "$left" = 1 ] && ok "only the idle process remains" || fail "$left processes remain (expected 1)"
vm_signal TERM
vm_wait 60
expect '^vminit: idle: killed by SIGTERM \(status 143\)$' 1 "after the storm, the idle process's exit is reaped on its SIGCHLD"
[ "$(count 'SIGKILL to all')" = 0 ] && ok "the shutdown needed no SIGKILL to all" || fail "the shutdown waited for an exit it never reaped"
expect "reaped [0-9]+ children, ([5-9][0-9]{3}|[1-9][0-9]{4,}) of them orphans" 1 "PID 1 counted at least $N orphans reaped"
expect_poweroff
finish
