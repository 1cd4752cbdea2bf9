#!/usr/bin/env bash
# t-lifecycle: one boot through a VM's life. vminit finds its spec and control
# addresses on the kernel command line; processes run and show in status from
# the host; a killed one comes back per its policy; exec and logs -f work over
# virtio-serial; a guest client reaches the AF_VSOCK listener on CID 1 and the
# push to CID 2 reaches a guest-side stand-in for the host; the shutdown ends
# QEMU with a clean power-off after the final statuses reached the host.
. "$(dirname "$0")/lib.sh"

cat >"$T/root/etc/vminit/e2e.ini" <<'SPEC'
schema_version = "v1"

[processes.web]
command = ["/bin/busybox", "httpd", "-f", "-p", "127.0.0.1:8080", "-h", "/run/www"]
prestart = ["/bin/sh", "-c", "mkdir -p /run/www && echo e2e-ok > /run/www/index.html"]
restart.backoff_seconds = 0
resources.memory = "64Mi"

[processes.ticker]
command = ["/bin/sh", "-c", "i=0\u003b while :\u003b do echo tick $i\u003b i=$((i+1))\u003b sleep 0.2\u003b done"]
resources.memory = "64Mi"

[processes.oneshot]
command = ["/bin/sh", "-c", "echo oneshot ran\u003b exit 3"]
restart.policy = "never"
resources.memory = "64Mi"

[processes.sink]
command = ["/usr/bin/vsock-sink", "5000", "/run/push.log"]
resources.memory = "64Mi"

[guest]
hostname = "e2e"
control = ["serial:vminit.ctl"]
push = "vsock:2:5000"
stop_timeout_seconds = 3
SPEC
# The initramfs's default spec is broken: booting it would mean vminit.spec=
# was ignored. vminit.control= replaces the spec's control list.
printf 'schema_version = "v0"\n' >"$T/default.ini"
vm_boot --spec "$T/default.ini" --root "$T/root" --port "vminit.events=$T/events.sock" \
	--append "vminit.spec=/etc/vminit/e2e.ini vminit.control=serial:vminit.ctl,serial:vminit.events,vsock:1:1024"

if ! wait_ctl 180; then
	fail "vminit never answered on the control socket"
	done_test
fi
ok "vminit answers vminitctl over virtio-serial"
# The host's event stream, on its own port, from the first event to the last.
"$VMINITCTL" -a "serial:$T/events.sock" --timeout 30 --json events --since 0 >"$T/events.jsonl" 2>&1 &
EVENTS_PID=$!

check "the processes of vminit.spec= run (web, ticker, sink up; oneshot failed with 3)" until_status 120 \
	"{p['name']: (p['state'], p['last_exit'] and p['last_exit'].get('code')) for p in j['result']['processes']} == \
	 {'web': ('running', None), 'ticker': ('running', None), 'sink': ('running', None), 'oneshot': ('failed', 3)}"
vctl status | sed 's/^/  | /'
boot=$(vctl --json hello | json "j['result']['boot']")
log "guest boot clock (ms): $boot"

# A crash, from inside the guest: web is restarted (always, no backoff).
pid=$(proc_field web pid)
vctl exec -- kill -KILL "$pid" >/dev/null
check "web, killed with SIGKILL inside the guest, is restarted with a new pid" until_status 120 \
	"[(p['state'], p['restarts'], p['pid'] != $pid) for p in j['result']['processes'] if p['name'] == 'web'] == [('running', 1, True)]"
web_answers() { vctl exec -- wget -q -O - http://127.0.0.1:8080/ 2>/dev/null | grep -qx e2e-ok; }
check "the web answers again" until_ok 120 web_answers

out=$(vctl exec -- sh -c 'echo to-stdout; echo to-stderr >&2; exit 7' 2>"$T/exec.err")
rc=$?
good=no
[ "$out" = to-stdout ] && [ "$(cat "$T/exec.err")" = to-stderr ] && [ "$rc" = 7 ] && good=yes
check "exec returns stdout, stderr and the exit code (7)" [ "$good" = yes ]

# logs -f until five lines came (not for a fixed time): in order, each the next.
"$VMINITCTL" -a "serial:$CTL" --timeout 30 logs -f -n 1 ticker >"$T/logs.txt" 2>&1 &
follower=$!
until_ok 120 eval '[ "$(grep -Ec "tick [0-9]+" "$T/logs.txt")" -ge 5 ]'
kill $follower 2>/dev/null; wait $follower 2>/dev/null
n=$(grep -Ec 'tick [0-9]+' "$T/logs.txt")
good=no
[ "$n" -ge 5 ] && grep -Eo 'tick [0-9]+' "$T/logs.txt" |
	awk '{ if (NR > 1 && $2 != last + 1) exit 1; last = $2 }' && good=yes
check "logs -f follows the ticker ($n lines, each the next)" [ "$good" = yes ]
check "the control port takes a new client after the follower left" wait_ctl 60

# AF_VSOCK in a real kernel: a client inside the guest, on CID 1.
out=$(vctl exec -- vminitctl -a vsock:1:1024 --timeout 5 status 2>&1)
check "a guest client gets status over AF_VSOCK (vsock:1:1024)" grep -q '^ticker  *running' <<<"$out"
# The push connects on its own retries: wait until the stand-in has it all.
pushed_ok() {
	vctl exec -- cat /run/push.log 2>/dev/null | python3 -c "
import json, sys
lines = [json.loads(l)['event'] for l in sys.stdin.read().splitlines() if l and not l.startswith('#')]
assert lines[0]['type'] == 'ready', lines[0]
types = [l['type'] for l in lines[1:]]
assert 'process.started' in types and 'process.exited' in types, types
" 2>/dev/null
}
check "the push reached the stand-in on CID 2: ready, then events" until_ok 120 pushed_ok

vctl shutdown >/dev/null
vm_end 120
# The host's event stream ends when QEMU does: wait for it to have it all.
until_ok 60 eval '! kill -0 $EVENTS_PID 2>/dev/null'
check "the final statuses reached the host (oneshot 3, web restarted once, by SIGTERM)" python3 -c "
import json, sys
ev = [json.loads(l)['event'] for l in open('$T/events.jsonl') if l.startswith('{\"event\"')]
seqs = [e['seq'] for e in ev]
assert seqs == list(range(1, len(seqs) + 1)), 'gaps'
final = [e for e in ev if e['type'] == 'final'][0]
p = {x['name']: x for x in final['processes']}
assert p['oneshot']['code'] == 3, p['oneshot']
assert p['web']['restarts'] == 1 and p['web']['signal'] == 'SIGTERM', p['web']
"
done_test
