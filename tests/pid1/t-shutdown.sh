# SIGTERM shutdown with a process that ignores TERM, and one whose child
# ignores it: TERM to every process group, SIGKILL after stop_timeout_seconds
# to what is left (re-parented orphans included), then a clean power-off.
. "$(dirname "$0")/lib.sh"
{
	spec_header
	cat <<EOT
[processes.polite]
command = ["/bin/sleep", "1000"]
resources.memory = "64Mi"
[processes.stubborn]
command = ["/bin/sh", "-c", "trap '' TERM; echo stubborn ready; while :; do sleep 0.1; done"]
resources.memory = "64Mi"
[processes.parent]
command = ["/bin/sh", "-c", "sh -c 'trap \"\" TERM; echo child ready; while :; do sleep 0.1; done' & wait"]
resources.memory = "64Mi"
[guest]
stop_timeout_seconds = 2
EOT
} >"$T/spec.ini"
vm_start "$T/spec.ini"
expect '^stubborn \| stubborn ready' 10 "stubborn is up"
expect '^parent \| child ready' 10 "parent's child is up"
t0=$(date +%s%N)
vm_signal TERM
vm_wait 15
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
expect '^vminit: shutting down: SIGTERM$' 1 "SIGTERM starts the shutdown"
expect '^vminit: polite: killed by SIGTERM \(status 143\)$' 1 "polite ends on SIGTERM"
expect '^vminit: parent: killed by SIGTERM' 1 "parent ends on SIGTERM"
expect '^vminit: warning: stubborn: still running 2s after SIGTERM: SIGKILL$' 1 "stubborn gets SIGKILL at the stop timeout"
expect '^vminit: stubborn: killed by SIGKILL \(status 137\)$' 1 "stubborn ends by SIGKILL"
expect 'processes still running 2s into shutdown: SIGKILL to all' 1 "the orphaned child that ignores TERM is killed at the deadline"
[ "$ms" -ge 1800 ] && [ "$ms" -le 6000 ] && ok "shutdown took ${ms} ms (stop timeout 2 s)" || fail "shutdown took ${ms} ms, expected about 2000"
expect '^vminit: powering off$' 1 "the last words are 'powering off'"
expect_poweroff
finish
