#!/usr/bin/env bash
# t-resources: cgroups in a real kernel (docs/resources.md). In a 256 MiB
# guest: a process over its memory cap is OOM-killed, and the kill is
# reported as such (console, process.oom, the exit's oom in status and
# events, the final report) with its limit and peak, then restarted by its
# policy, while PID 1 and the other processes stay up; a fork bomb stops at
# its pids bound while status still answers, and a stop ends it all; CPU
# weights and memory caps are the cgroup files; a VM-wide shortage kills the
# workload, never PID 1 (oom_score_adj -1000), and is reported as kind "vm".
. "$(dirname "$0")/lib.sh"

cat >"$T/spec.ini" <<'SPEC'
schema_version = "v1"
[guest]
stop_timeout_seconds = 5
[processes.hog]
command = ["/usr/bin/memhog", "256"]
resources.memory = "64Mi"
restart.policy = "on-failure"
restart.max_retries = 1
restart.backoff_seconds = 1
[processes.web]
command = ["/bin/sh", "-c", "echo web up\u003b exec sleep 100000"]
resources.memory = "64Mi"
resources.cpu = 0.5
[processes.bomb]
command = ["/usr/bin/memhog", "--fork"]
resources.memory = "64Mi"
resources.x-pids_max = 32
[processes.big]
command = ["/bin/sh", "-c", "while [ ! -e /tmp/go ]\u003b do sleep 0.2\u003b done\u003b exec /usr/bin/memhog 1024"]
resources.memory = "2Gi"
restart.policy = "never"
SPEC
vm_boot --spec "$T/spec.ini" --root "$T/root" --port "vminit.events=$T/events.sock" \
	--append "vminit.control=serial:vminit.ctl,serial:vminit.events"
if ! wait_ctl 180; then
	fail "vminit never answered on the control socket"
	done_test
fi
# The host's event stream, on its own port, from the first event to the last.
"$VMINITCTL" -a "serial:$T/events.sock" --timeout 30 --json events --since 0 >"$T/events.json" 2>&1 &
EVPID=$!

# The tree and the limits, as the kernel has them.
check "status: cgroups on, memory pids cpu, nothing missing, PID 1 at -1000" until_status 60 \
	"j['result']['resources']['cgroups'] and sorted(j['result']['resources']['controllers']) == ['cpu', 'memory', 'pids'] and j['result']['resources']['error'] is None and j['result']['resources']['vminit_oom_score_adj'] == -1000"
check "PID 1's oom_score_adj is -1000" [ "$(vctl exec -- cat /proc/1/oom_score_adj)" = -1000 ]
check "PID 1 is alone in vminit/, with its reserve" \
	[ "$(vctl exec -- cat /sys/fs/cgroup/vminit/cgroup.procs /sys/fs/cgroup/vminit/memory.min | tr '\n' ' ')" = "1 16777216 " ]
check "web: memory.max 64 MiB, no swap, cpu.weight 50" [ "$(vctl exec -- cat /sys/fs/cgroup/app/web/memory.max \
	/sys/fs/cgroup/app/web/cpu.weight | tr '\n' ' ')" = "67108864 50 " ]
check "status: web's cgroup figures" until_status 30 \
	"[p['cgroup']['cpu_weight'] == 50 and p['cgroup']['memory_max_bytes'] == 67108864 and p['cgroup']['tasks'] == 1 and p['cgroup']['memory_current_bytes'] > 0 for p in j['result']['processes'] if p['name'] == 'web'] == [True]"
WEB_PID=$(proc_field web pid)
check "web's oom_score_adj is back to 0 (PID 1's -1000 is not inherited)" \
	[ "$(vctl exec -- cat /proc/$WEB_PID/oom_score_adj)" = 0 ]

# An OOM kill at the cap, reported, restarted once, then given up.
check "the console says hog ran out of memory at its limit" \
	console_has 'vminit: warning: hog: out of memory: [0-9]* tasks\? killed at its limit of 64.0 MiB' 180
check "hog is restarted by its policy, OOM-killed again, and given up" until_status 180 \
	"[p['state'] for p in j['result']['processes'] if p['name'] == 'hog'] == ['failed']"
vctl --json status >"$T/status.json"
check "status: hog's last exit was an OOM kill at its limit, with the peak" jtrue "$T/status.json" \
	"[p['restarts'] == 1 and p['last_exit']['signal'] == 'SIGKILL' and p['last_exit']['oom']['kind'] == 'limit' and p['last_exit']['oom']['limit_bytes'] == 67108864 and p['last_exit']['oom']['peak_bytes'] >= 60 * 2**20 and p['cgroup']['oom_kills'] >= 2 for p in j['result']['processes'] if p['name'] == 'hog'] == [True]"
hog_row_oom() { vctl status | grep -Eq '^hog .*SIGKILL \(oom\)'; }
check "vminitctl status shows the exit as oom" hog_row_oom
check "web still runs, the same pid" [ "$(proc_field web pid)" = "$WEB_PID" ]
check "events: process.oom and an exit with oom" events_hold "$T/events.json" \
	"[e for e in ev if e['type'] == 'process.oom' and e['process'] == 'hog' and e['kind'] == 'limit' and e['limit_bytes'] == 67108864] and [e for e in ev if e['type'] == 'process.exited' and e['process'] == 'hog' and e.get('oom') and e['oom']['kind'] == 'limit']"

# The fork bomb, held at its bound; status answers meanwhile.
check "the bomb's fork fails at the bound" console_has 'bomb | fork failed after [0-9]* children: Resource temporarily unavailable' 180
check "status: the bomb's cgroup holds 32 tasks, its bound" until_status 60 \
	"[p['cgroup']['tasks'] == 32 and p['cgroup']['pids_max'] == 32 for p in j['result']['processes'] if p['name'] == 'bomb'] == [True]"
check "stop ends the whole bomb" vctl stop bomb
check "status: the bomb's cgroup is empty" until_status 60 \
	"[p['state'] == 'exited' and p['cgroup']['tasks'] == 0 for p in j['result']['processes'] if p['name'] == 'bomb'] == [True]"

# The VM runs short: the workload is killed, PID 1 is not, and it says so.
vctl exec -- touch /tmp/go >/dev/null
check "big is killed by the VM's OOM killer, reported as kind vm" until_status 240 \
	"[p['state'] != 'running' and p['last_exit'] and (p['last_exit']['oom'] or {}).get('kind') == 'vm' for p in j['result']['processes'] if p['name'] == 'big'] == [True]"
check "the console says the VM ran out of memory" console_has 'vminit: warning: big: the VM ran out of memory' 30
check "web still runs, the same pid" [ "$(proc_field web pid)" = "$WEB_PID" ]

vctl shutdown >/dev/null
vm_end 180
# The host's event stream ends when QEMU does: wait for it to have it all.
until_ok 60 eval '! kill -0 $EVPID 2>/dev/null'
check "the final report says hog and big ended out of memory" events_hold "$T/events.json" \
	"[e for e in ev if e['type'] == 'final' and [p for p in e['processes'] if p['name'] == 'hog' and p['oom']['kind'] == 'limit'] and [p for p in e['processes'] if p['name'] == 'big' and p['oom']['kind'] == 'vm']]"
done_test
