# A process stopped by a signal (job control) is shown as such, and a stop
# still ends it gracefully:
#   SIGSTOP to its group: status says stopped_by SIGSTOP (vminitctl: STATE
#   stopped), a process.stopped event, a console line; SIGCONT: continued
#   a stopped process asked to stop gets SIGCONT after its SIGTERM, so it
#   runs its TERM handler instead of waiting for the SIGKILL
#
# The worker forks once, before "up", and then only waits: a shell that kept
# running a foreground command (while :; do sleep 0.1; done) could not be
# stopped reliably. dash runs it by vfork(), and a group SIGSTOP that lands
# between the vfork child's vfork() and its exec stops the child there, while
# the shell sleeps (killable only, not stoppable) in vfork until the child
# execs: it never stops, the kernel never sends vminit a CLD_STOPPED, and
# stopped_by rightly stays None (a CI flake on a loaded machine, ~3%).
. "$(dirname "$0")/lib.sh"
{
	spec_header
	cat <<EOT
[guest]
stop_timeout_seconds = 120
[processes.worker]
command = ["/bin/sh", "-c", "trap 'echo got TERM; exit 7' TERM; sleep 1000 & echo up; wait"]
restart.policy = "never"
resources.memory = "64Mi"
[processes.idle]
command = ["/bin/sh", "-c", "setsid /bin/sh $T/daemon.sh & exec sleep 1000"]
resources.memory = "64Mi"
EOT
} >"$T/spec.ini"
cat >"$T/daemon.sh" <<EOT
trap 'echo daemon got TERM >$T/daemon-term; exit 0' TERM
kill -STOP \$\$
while :; do sleep 0.1; done
EOT
vm_start "$T/spec.ini" --control "unix:$CTL_SOCK"
wait_ctl || finish
expect '^worker \| up$' 10 "the worker runs"

stopped_by() { ctl --json status worker | json "j['result']['processes'][0]['stopped_by']"; }
# poll_for CMD WANT [SECONDS]: until CMD prints WANT
poll_for() {
	local i out
	for i in $(seq $((${3:-10} * 10))); do
		out=$($1 2>/dev/null)
		[ "$out" = "$2" ] && return 0
		sleep 0.1
	done
	echo "$out"
	return 1
}

[ "$(stopped_by)" = None ] && ok "a running process is not stopped" || fail "stopped_by before: $(stopped_by)"
ctl signal worker STOP >/dev/null || fail "signal STOP"
out=$(poll_for stopped_by SIGSTOP) && ok "status: stopped_by SIGSTOP" || fail "status: stopped_by is $out"
ctl status | grep -Eq '^worker +stopped ' && ok "vminitctl status: STATE stopped" || fail "vminitctl status: $(ctl status)"
expect '^vminit: worker: stopped by SIGSTOP$' 10 "the console says it was stopped"
ctl signal worker CONT >/dev/null || fail "signal CONT"
out=$(poll_for stopped_by None) && ok "SIGCONT: no longer stopped" || fail "after SIGCONT stopped_by is $out"
expect '^vminit: worker: continued$' 10 "the console says it continued"
timeout 5 "$VMINITCTL" -a "unix:$CTL_SOCK" --json events --since 0 >"$T/events" 2>/dev/null
evs=$(python3 - "$T/events" <<'PY'
import json, sys
out = []
for l in open(sys.argv[1]):
    e = json.loads(l).get('event')
    if e and e.get('process') == 'worker' and e['type'] in ('process.stopped', 'process.continued'):
        out.append(e['type'] + ('' if 'signal' not in e else ':' + e['signal']))
print(' '.join(out))
PY
)
[ "$evs" = "process.stopped:SIGSTOP process.continued" ] && ok "events: process.stopped (SIGSTOP), process.continued" \
	|| fail "events: '$evs'"

# Stopped again, then asked to stop: its TERM handler runs (exit 7), long
# before the 120 s stop timeout's SIGKILL.
ctl signal worker STOP >/dev/null
out=$(poll_for stopped_by SIGSTOP) || fail "stopped again: $out"
ctl stop worker >/dev/null || fail "stop worker"
expect '^worker \| got TERM$' 30 "a stopped process asked to stop runs its TERM handler"
expect '^vminit: worker: exited with code 7$' 30 "and exits by itself, not by SIGKILL"
[ "$(count 'worker: still running .* SIGKILL')" = 0 ] && ok "no SIGKILL was needed" || fail "it took a SIGKILL"
[ "$(stopped_by)" = None ] && ok "an exited process is not stopped" || fail "stopped_by after exit: $(stopped_by)"

# A daemon that left its group and stopped itself: the shutdown's sweep of
# what is left sends it SIGCONT after its SIGTERM, so it ends by its handler
# instead of sitting out the 120 s stop timeout.
for i in $(seq 100); do
	descendants | xargs -r ps -o stat= -p 2>/dev/null | grep -q '^T' && break
	sleep 0.1
done
descendants | xargs -r ps -o stat= -p 2>/dev/null | grep -q '^T' && ok "the escaped daemon stopped itself" \
	|| fail "no stopped daemon: $(descendants | xargs -r ps -o pid=,stat=,args= -p)"
vm_signal TERM
vm_wait 60
expect_poweroff
[ "$(cat "$T/daemon-term" 2>/dev/null)" = "daemon got TERM" ] && ok "the stopped daemon woke for the shutdown's SIGTERM" \
	|| fail "the stopped daemon did not run its TERM handler"
finish
