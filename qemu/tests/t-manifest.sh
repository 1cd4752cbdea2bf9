#!/usr/bin/env bash
# t-manifest: the platform's manifest (qemu/example/manifest.toml), rendered by
# qemu/manifest-to-spec inside qemu/mkinitramfs, boots and runs: env vars
# merged, the prestart hook ran, the user and workdir applied, the web's
# health check healthy.
. "$(dirname "$0")/lib.sh"

vm_boot --manifest "$QEMU_ROOT/qemu/example/manifest.toml"
if ! wait_ctl 90; then
	fail "vminit never answered on the control socket"
	done_test
fi
check "web and worker run" until_status 30 \
	"sorted((p['name'], p['state']) for p in j['result']['processes']) == [('web', 'running'), ('worker', 'running')]"
vctl status | sed 's/^/  | /'
out=$(vctl exec -- wget -q -O - http://127.0.0.1:8080/)
check "the prestart wrote the page with [env.vars] merged in" [ "$out" = "hello from vminit (manifest)" ]
check "the worker runs as nobody and reaches the web" \
	sh -c "for i in \$(seq 40); do grep -q 'worker | worker (nobody) got: hello from vminit' '$CONSOLE' && exit 0; sleep 0.25; done; exit 1"
check "the web's http health check is healthy" until_status 30 \
	"[p['health']['readiness']['state'] for p in j['result']['processes'] if p['name'] == 'web'] == ['healthy']"
timeout 3 "$VMINITCTL" -a "serial:$CTL" --json events --since 0 >"$T/events.jsonl" 2>&1
check "a health.changed event says web is healthy" grep -q '"type":"health.changed","process":"web","check":"readiness","state":"healthy"' "$T/events.jsonl"
pid=$(proc_field worker pid)
check "the worker's workdir is /tmp" [ "$(vctl exec -- readlink "/proc/$pid/cwd")" = /tmp ]
vctl shutdown >/dev/null
vm_end 30
done_test
