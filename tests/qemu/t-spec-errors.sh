#!/usr/bin/env bash
# t-spec-errors: a spec with errors boots, starts nothing, stays up and
# reports each error (line, key, message) over the channel; a module that
# is not in the kernel is reported the same way and boot goes on without it.
. "$(dirname "$0")/lib.sh"

cat >"$T/bad.ini" <<'SPEC'
schema_version = "v1"
[processes.web]
command = ["/bin/true"]
resources.memory = "32Mi"
restart.max_retries = 2
colour = "blue"
SPEC
# No vsock modules this time: vminit's default vsock listener fails, and
# says so, while virtio-serial works.
# The image's own list (a --root file wins over the generated one) names a
# module the kernel does not have.
printf '%s\n' '# e2e' virtio_pci virtio_console no_such_module >"$T/root/etc/vminit/modules"
vm_boot --spec "$T/bad.ini" --modules "virtio_pci virtio_console" --root "$T/root"

if ! wait_ctl 180; then
	fail "vminit never answered on the control socket"
	done_test
fi
ok "vminit answers over virtio-serial"
vctl --json status >"$T/status.json"
check "status: the spec is not ok, with its three errors by line and key" jtrue "$T/status.json" "
j['result']['spec']['ok'] is False and
[(e['line'], e['key']) for e in j['result']['spec']['errors']] ==
[(4, 'processes.web.resources.memory'), (5, 'processes.web.restart.max_retries'), (6, 'processes.web.colour')]
and j['result']['processes'] == []"
check "status: the missing module is reported, the others loaded" jtrue "$T/status.json" "
j['result']['modules']['failed'] == 1 and j['result']['modules']['loaded'] == 6 and
j['result']['modules']['errors'][0]['module'] == 'no_such_module'"
vctl status 2>&1 | sed 's/^/  | /'
check "the console shows each error as file:line: key: message" \
	grep -q 'vminit: error: spec: /etc/vminit/spec.ini:6: processes.web.colour: unknown key' "$CONSOLE"
check "the console names the missing module" grep -q 'module no_such_module: not found' "$CONSOLE"

events_until "$T/events.jsonl" 60 "[e['type'] for e in ev].count('spec.error') >= 3 and any(e['type'] == 'module.failed' for e in ev)"
check "events: module.failed and three spec.error" python3 -c "
import json
ev = [json.loads(l)['event'] for l in open('$T/events.jsonl') if l.startswith('{\"event\"')]
t = [e['type'] for e in ev]
assert t.count('spec.error') == 3 and t.count('module.failed') == 1, t
"
sleep 2
check "PID 1 stays up: ping and exec still answer" \
	sh -c "'$VMINITCTL' -a 'serial:$CTL' --timeout 30 exec -- echo alive | grep -qx alive"
vctl shutdown >/dev/null
vm_end 120
done_test
