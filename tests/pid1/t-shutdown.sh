# SIGTERM shutdown. Each process gets SIGTERM to its process group and, after
# stop_timeout_seconds, SIGKILL (stubborn, at 2 s); what a process leaves in
# its group dies with it (parent's child, which ignores TERM); SIGTERM reaches
# the whole group, so a child can stop gracefully (family). What escaped
# the group (escapee's child, in a session of its own) gets its own SIGTERM
# once every process has stopped, and SIGKILL a full stop timeout later (at
# 4 s). The same SIGTERM delivered twice does not hurry anything; a second
# request a second or more later does.
. "$(dirname "$0")/lib.sh"
mkspec() {
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
[processes.family]
command = ["/bin/sh", "$T/family.sh"]
resources.memory = "64Mi"
[processes.escapee]
command = ["/bin/sh", "-c", "setsid sh -c 'trap \"\" TERM; echo escaped; while :; do sleep 0.1; done' & exec sleep 1000"]
resources.memory = "64Mi"
[guest]
stop_timeout_seconds = 2
EOT
	} >"$T/spec.ini"
}
cp "$(dirname "$0")/family.sh" "$T/family.sh"
mkspec
vm_start "$T/spec.ini"
expect '^family \| family ready' 10 "family is up"
expect '^stubborn \| stubborn ready' 10 "stubborn is up"
expect '^parent \| child ready' 10 "parent's child is up"
expect '^escapee \| escaped' 10 "escapee's child is up, in its own session"
t0=$(date +%s%N)
vm_signal TERM
sleep 0.3    # a pending signal would absorb a second one sent at once
vm_signal TERM
vm_wait 15
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
expect '^vminit: shutting down: SIGTERM$' 1 "SIGTERM starts the shutdown"
expect '^vminit: SIGTERM: already shutting down$' 1 "the same SIGTERM twice does not hurry the shutdown"
expect '^vminit: polite: killed by SIGTERM \(status 143\)$' 1 "polite ends on SIGTERM"
expect '^vminit: parent: killed by SIGTERM' 1 "parent ends on SIGTERM"
expect '^family \| child got TERM$' 1 "SIGTERM goes to the whole process group: the child stops gracefully"
expect '^vminit: family: exited with code 0$' 1 "and its parent, which waited for it, exits 0"
expect '^vminit: warning: stubborn: still running 2s after SIGTERM: SIGKILL$' 1 "stubborn gets SIGKILL at its own stop timeout"
expect '^vminit: stubborn: killed by SIGKILL \(status 137\)$' 1 "stubborn ends by SIGKILL"
expect '^vminit: stopping the remaining processes \(SIGTERM\)$' 1 "then what escaped the groups gets SIGTERM"
expect 'processes still running after SIGTERM and the stop timeout: SIGKILL to all' 1 "and SIGKILL a stop timeout later"
a=$(grep -n 'stubborn: killed by SIGKILL' "$CONSOLE" | cut -d: -f1)
b=$(grep -n 'stopping the remaining processes' "$CONSOLE" | cut -d: -f1)
[ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ] && ok "processes first, then what is left" || fail "order: stubborn killed at line $a, rest stopped at line $b"
[ "$ms" -ge 3800 ] && [ "$ms" -le 6500 ] && ok "shutdown took ${ms} ms (2 x stop timeout of 2 s)" || fail "shutdown took ${ms} ms, expected about 4000"
expect '^vminit: powering off$' 1 "the last words are 'powering off'"
expect_poweroff

# A second request a second later means: kill what is left now.
vm_start "$T/spec.ini"
expect '^stubborn \| stubborn ready' 10 "up again"
t0=$(date +%s%N)
vm_signal TERM
sleep 1.3
vm_signal TERM
vm_wait 15
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
expect '^vminit: warning: SIGTERM: SIGKILL to all$' 1 "a second SIGTERM after 1 s kills what is left at once"
[ "$ms" -le 1900 ] && ok "shutdown took ${ms} ms instead of the stop timeout" || fail "shutdown took ${ms} ms after the second SIGTERM"
expect_poweroff
finish
