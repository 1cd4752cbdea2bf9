# A start whose fork fails for lack of resources (EAGAIN: here a pids cgroup
# at its limit, as another process's fork bomb would leave it) is retried
# without spending the process's retries, and status says so:
#   on-failure with max_retries = 1 and one failure already: the start that
#   hits EAGAIN is deferred (state backoff, deferred "Resource temporarily
#   unavailable", vminitctl STATE deferred), not the failure that gives up;
#   once the limit is lifted, the deferred start runs and succeeds.
. "$(dirname "$0")/lib.sh"

# A pids cgroup of our own: cgroup v1's pids hierarchy, or cgroup v2's.
if [ -f /sys/fs/cgroup/pids/cgroup.procs ]; then
	CGROOT=/sys/fs/cgroup/pids
elif grep -qw pids /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
	CGROOT=/sys/fs/cgroup
	grep -qw pids "$CGROOT/cgroup.subtree_control" || echo +pids >"$CGROOT/cgroup.subtree_control"
else
	fail "this machine has no pids cgroup controller (v1 or v2): the test cannot run"
	finish
fi
CG=$CGROOT/vminit-test-$$
mkdir "$CG" || { fail "cannot make $CG"; finish; }
rm_cg() { for i in $(seq 50); do rmdir "$CG" 2>/dev/null && return; sleep 0.1; done; }

{
	spec_header
	cat <<EOT
[processes.victim]
command = ["/bin/sh", "-c", "if [ -e $T/ran ]; then echo second run; exit 0; fi; touch $T/ran; exit 1"]
restart.policy = "on-failure"
restart.max_retries = 1
restart.backoff_seconds = 600
resources.memory = "64Mi"
EOT
} >"$T/spec.ini"
vm_start "$T/spec.ini" --control "unix:$CTL_SOCK"
wait_ctl || { rm_cg; finish; }
expect '^vminit: victim: restarting in [0-9]+ ms' 10 "the victim failed once and backs off"

# vminit into the cgroup, which then takes no new task: every fork fails.
echo "$VM_INIT" >"$CG/cgroup.procs" || fail "cannot move vminit into $CG"
echo 1 >"$CG/pids.max"
ctl start victim >/dev/null || fail "start victim"
expect '^vminit: warning: victim: start deferred for lack of resources \(Resource temporarily unavailable\)' 20 \
	"the fork's EAGAIN defers the start"
st=$(ctl --json status victim)
[ "$(echo "$st" | json "[(p['state'], p['deferred'], p['failures']) for p in j['result']['processes']][0]")" = \
  "('backoff', 'Resource temporarily unavailable', 1)" ] && ok "status: backoff, deferred with the reason, failures still 1" \
	|| fail "status: $st"
[ "$(echo "$st" | json "j['result']['processes'][0]['deferrals'] >= 1")" = True ] && ok "status: deferrals counted" || fail "deferrals: $st"
ctl status | grep -Eq '^victim +deferred ' && ok "vminitctl status: STATE deferred" || fail "vminitctl status: $(ctl status)"
[ "$(count 'victim: giving up')" = 0 ] && ok "the process was not given up on" || fail "the deferral was counted as a failure"

# The shortage ends: the deferred start runs.
echo max >"$CG/pids.max"
expect '^victim \| second run$' 20 "once forks work again, the deferred start runs"
expect '^vminit: victim: exited with code 0$' 10 "and succeeds"
vm_wait 30
expect_poweroff
rm_cg
[ ! -d "$CG" ] && ok "the test's cgroup is gone" || fail "$CG left behind"
finish
