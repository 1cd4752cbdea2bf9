# cgroups (docs/resources.md), on this host's cgroup2 in a subtree delegated
# to PID 1 (it is the only task there, as in a VM's root): PID 1 moves into
# vminit/, each process gets app/NAME, `exec` without a process exec/; a
# stop's SIGTERM reaches what left the process group by setsid() and a
# double fork; what a run leaves behind (ignoring SIGTERM) is killed with it; status takes its figures from the cgroup. In a
# cgroup it does not own alone, PID 1 leaves cgroups off and says why.
#
# This host's cgroup2 has no memory, pids or cpu controller (they are bound
# to cgroup v1 here): memory caps, OOM kills, the pids bound and CPU weights
# are tested in QEMU (tests/qemu/t-resources.sh), and here status must say
# what is missing.
. "$(dirname "$0")/lib.sh"

cg_delegate || finish
cat >"$T/daemon.sh" <<'EOT'
# A daemon the classic way: a setsid child that forks again and exits, so the
# grandchild is an orphan in another session. It ends cleanly on SIGTERM,
# leaving a mark; the main process ignores SIGTERM and waits for the mark.
setsid sh -c 'sh -c "trap \"echo \\\$\\\$ >$0.term; exit 0\" TERM; echo \$\$ >$0.pid; while :; do sleep 1 & wait \$!; done" & exit 0' "$1"
echo daemon started
trap '' TERM
until [ -e "$1.term" ]; do sleep 0.1; done
exit 0
EOT
cat >"$T/leaver.sh" <<'EOT'
# Leaves a child in a session of its own that ignores SIGTERM, and exits once
# the child has left its process group: then only the cgroup reaches it.
setsid sh -c 'trap "" TERM; : >"$0"; exec sleep 1000' "$1" &
until [ -e "$1" ]; do sleep 0.05; done
echo leaving
exit 0
EOT
cat >"$T/counter.py" <<'EOT'
# Holds real-time signal 40 blocked (such signals queue, one per send) and,
# once told, counts how many were sent to it.
import os, signal, sys, time
signal.pthread_sigmask(signal.SIG_BLOCK, [40])
open(sys.argv[1] + ".ready", "w").close()
while not os.path.exists(sys.argv[1] + ".go"):
    time.sleep(0.05)
n = 0
while signal.sigtimedwait([40], 0) is not None:
    n += 1
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write("%d\n" % n)
os.rename(sys.argv[1] + ".tmp", sys.argv[1] + ".n")
time.sleep(1000)
EOT
{
	spec_header
	cat <<EOT
[guest]
stop_timeout_seconds = 2
[processes.web]
command = ["/bin/sh", "-c", "grep ^0:: /proc/self/cgroup; exec sleep 1000"]
resources.memory = "64Mi"
resources.cpu = 0.5
[processes.daemon]
command = ["/bin/sh", "$T/daemon.sh", "$T/grandchild"]
resources.memory = "64Mi"
[processes.counter]
command = ["/usr/bin/python3", "$T/counter.py", "$T/counter"]
resources.memory = "64Mi"
[processes.leaver]
command = ["/bin/sh", "$T/leaver.sh", "$T/left"]
resources.memory = "64Mi"
restart.policy = "never"
EOT
} >"$T/spec.ini"
vm_start "$T/spec.ini" --control "unix:$CTL_SOCK"
wait_ctl || finish
BASE=/${VM_CGROUP#$CG2/}

# The layout.
expect "^web \\| 0::$BASE/app/web\$" 20 "web runs in app/web"
[ "$(cat "$VM_CGROUP/vminit/cgroup.procs")" = "$VM_INIT" ] && ok "PID 1 alone in vminit/" \
	|| fail "vminit/cgroup.procs: $(cat "$VM_CGROUP/vminit/cgroup.procs" 2>&1), PID 1 is $VM_INIT"
[ -z "$(cat "$VM_CGROUP/cgroup.procs")" ] && ok "no task left in the base" || fail "base holds $(cat "$VM_CGROUP/cgroup.procs")"
for d in app/web app/daemon app/counter app/leaver exec; do
	[ -d "$VM_CGROUP/$d" ] && ok "$d made" || fail "$d missing"
done

# exec: into a process's cgroup, or the execs' own.
out=$(ctl exec --process web -- grep ^0:: /proc/self/cgroup)
[ "$out" = "0::$BASE/app/web" ] && ok "exec --process web runs in app/web" || fail "exec --process: $out"
out=$(ctl exec -- grep ^0:: /proc/self/cgroup)
[ "$out" = "0::$BASE/exec" ] && ok "exec without a process runs in exec/" || fail "exec: $out"

# Status from the cgroup.
st=$(ctl --json status)
r=$(echo "$st" | json "(j['result']['resources']['cgroups'], j['result']['resources']['base'])")
[ "$r" = "(True, '$BASE')" ] && ok "status: cgroups on at $BASE" || fail "status resources: $r"
echo "$st" | json "j['result']['resources']['error']" | grep -q 'memory' && ok "status names the missing memory controller" \
	|| fail "status error: $(echo "$st" | json "j['result']['resources']")"
# oom_score_adj -1000 needs CAP_SYS_RESOURCE, which this host's bounding set
# may lack (QEMU checks the -1000): then the console says so, and status
# shows what the kernel has.
adj=$(cat /proc/$VM_INIT/oom_score_adj)
[ "$(echo "$st" | json "j['result']['resources']['vminit_oom_score_adj']")" = "$adj" ] \
	&& ok "status: PID 1's oom_score_adj as the kernel has it ($adj)" || fail "status oom_score_adj vs $adj"
if [ $(( 0x$(awk '/^CapBnd/ { print $2 }' /proc/$VM_INIT/status) >> 24 & 1 )) = 1 ]; then
	[ "$adj" = -1000 ] && ok "PID 1's oom_score_adj is -1000" || fail "oom_score_adj $adj"
else
	[ "$(count '^vminit: warning: protecting PID 1: /proc/self/oom_score_adj: Permission denied')" = 1 ] \
		&& ok "without CAP_SYS_RESOURCE, the console says PID 1 could not protect itself" || fail "no warning"
fi
web=$(echo "$st" | json "[p['cgroup'] for p in j['result']['processes'] if p['name'] == 'web'][0]")
echo "$web" | grep -q "'path': '$BASE/app/web'" && ok "status: web's cgroup path" || fail "web cgroup: $web"
echo "$st" | json "[p['cgroup']['cpu_usage_usec'] for p in j['result']['processes'] if p['name'] == 'web'][0] >= 0" \
	| grep -q True && ok "status: web's CPU time from cpu.stat" || fail "web cgroup: $web"

# A signal reaches the process group and then the cgroup, but each task once:
# the group's members are left out of the cgroup's round (they once got it
# twice, and a handler that counts saw two).
wait_file "$T/counter.ready" 20 || fail "counter did not start"
ctl signal counter 40 >/dev/null || fail "signal counter 40"
touch "$T/counter.go"
wait_file "$T/counter.n" 20 || fail "counter did not count"
[ "$(cat "$T/counter.n" 2>/dev/null)" = 1 ] && ok "a signal to a process in a cgroup comes once" \
	|| fail "counter got signal 40 $(cat "$T/counter.n" 2>/dev/null) times"

# What a run leaves behind ends with it (leaver.sh: only through the cgroup).
expect '^leaver \| leaving$' 20 "leaver ran"
expect '^vminit: leaver: exited with code 0$' 20 "leaver exited"
until_ok 20 sh -c "[ -z \"\$(cat $VM_CGROUP/app/leaver/cgroup.procs)\" ]" \
	&& ok "the setsid child it left (ignoring TERM) was killed with it" \
	|| fail "app/leaver still holds $(cat "$VM_CGROUP/app/leaver/cgroup.procs")"

# A stop reaches the daemon's grandchild, in another session: it gets the
# SIGTERM (and ends cleanly), not only the KILL when its main process ends.
wait_file "$T/grandchild.pid" 20 || fail "the daemon's grandchild did not start"
[ "$(wc -l <"$VM_CGROUP/app/daemon/cgroup.procs")" -ge 2 ] && ok "the grandchild is in app/daemon" \
	|| fail "app/daemon: $(cat "$VM_CGROUP/app/daemon/cgroup.procs")"
ctl stop daemon >/dev/null || fail "stop daemon"
expect '^vminit: daemon: exited with code 0$' 30 "the daemon's main process exited by itself, once its grandchild had"
[ -s "$T/grandchild.term" ] && ok "the grandchild in another session got the stop's SIGTERM" \
	|| fail "the grandchild never got SIGTERM"
until_ok 30 sh -c "[ -z \"\$(cat $VM_CGROUP/app/daemon/cgroup.procs)\" ]" \
	&& ok "stop emptied app/daemon" \
	|| fail "app/daemon still holds $(cat "$VM_CGROUP/app/daemon/cgroup.procs")"
grep -q 'populated 0' "$VM_CGROUP/app/daemon/cgroup.events" && ok "app/daemon is not populated" || fail "$(cat "$VM_CGROUP/app/daemon/cgroup.events")"

ctl shutdown >/dev/null
vm_wait 60
expect_poweroff
cg_remove

# Not delegated: the host's root cgroup, with tasks outside PID 1's pid
# namespace. cgroups stay off, everything runs, status says why.
VM_CGROUP=
cat >"$T/plain.ini" <<EOT
schema_version = "v1"
[processes.web]
command = ["/bin/sh", "-c", "grep ^0:: /proc/self/cgroup; exec sleep 1000"]
resources.memory = "64Mi"
EOT
: >"$CONSOLE"
vm_start "$T/plain.ini" --control "unix:$CTL_SOCK"
wait_ctl || finish
expect '^vminit: cgroups: off: .*not delegated' 20 "the console says why cgroups are off"
expect '^web \| 0::/$' 20 "web runs where PID 1 is"
r=$(ctl --json status | json "(j['result']['resources']['cgroups'], [p['cgroup'] for p in j['result']['processes']])")
[ "$r" = "(False, [None])" ] && ok "status: cgroups off, no process cgroup" || fail "status: $r"
ctl status | grep -q '^cgroups: off: ' && ok "vminitctl status says cgroups are off" || fail "$(ctl status)"
ctl shutdown >/dev/null
vm_wait 60
expect_poweroff
finish
