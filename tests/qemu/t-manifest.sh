#!/usr/bin/env bash
# t-manifest: the platform's manifest (qemu/example/manifest.toml), rendered by
# qemu/manifest-to-spec inside qemu/mkinitramfs, boots and runs: env vars
# merged, the prestart hook ran, the user and workdir applied, the web's
# health check healthy.
. "$(dirname "$0")/lib.sh"

vm_boot --manifest "$QEMU_ROOT/qemu/example/manifest.toml"
if ! wait_ctl 180; then
	fail "vminit never answered on the control socket"
	done_test
fi
check "web and worker run" until_status 120 \
	"sorted((p['name'], p['state']) for p in j['result']['processes']) == [('web', 'running'), ('worker', 'running')]"
vctl status | sed 's/^/  | /'
out=$(vctl exec -- wget -q -O - http://127.0.0.1:8080/)
check "the prestart wrote the page with [env.vars] merged in" [ "$out" = "hello from vminit (manifest)" ]
check "the worker runs as nobody and reaches the web" \
	until_ok 120 grep -q 'worker | worker (nobody) got: hello from vminit' "$CONSOLE"
check "the web's http health check is healthy" until_status 120 \
	"[p['health']['readiness']['state'] for p in j['result']['processes'] if p['name'] == 'web'] == ['healthy']"
events_until "$T/events.jsonl" 60 "any(e['type'] == 'health.changed' and e['process'] == 'web' and e['state'] == 'healthy' for e in ev)"
check "a health.changed event says web is healthy" grep -q '"type":"health.changed","process":"web","check":"readiness","state":"healthy"' "$T/events.jsonl"
pid=$(proc_field worker pid)
check "the worker's workdir is /tmp" [ "$(vctl exec -- readlink "/proc/$pid/cwd")" = /tmp ]
vctl shutdown >/dev/null
vm_end 120
done_test
