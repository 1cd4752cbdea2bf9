#!/usr/bin/env bash
# t-secrets: a secret bundle delivered from the host over virtio-serial
# (vminitctl secrets) reaches a process of a real guest: one that runs as
# nobody and requires secrets waits for the bundle, then reads its own copy
# at /run/secrets/platform.env; a new version restarts it (x-secrets_reload)
# and it reads the new value; no value reaches the console or the channel.
. "$(dirname "$0")/lib.sh"

cat >"$T/spec.ini" <<'SPEC'
schema_version = "v1"
[processes.app]
command = ["/bin/sh", "-c", ". /run/secrets/platform.env\u003b [ \"$GREETING\" = hi-$VERSION ] && echo app read $VERSION from its secrets as $(id -un)\u003b exec sleep 1000"]
user = "nobody"
resources.memory = "64Mi"
secrets.required = true
x-secrets_reload = "restart"
SPEC
vm_boot --spec "$T/spec.ini"
if ! wait_ctl 180; then
	fail "vminit never answered on the control socket"
	done_test
fi
check "status: app waits for secrets" until_status 60 \
	"[p['waiting_for'] for p in j['result']['processes'] if p['name'] == 'app'] == ['secrets']"
check "a bundle is delivered from the host" vctl secrets --version one GREETING=hi-one VERSION=one
check "app starts and reads it, as nobody" console_has 'app | app read one from its secrets as nobody' 120
check "a second version is delivered" vctl secrets --version two GREETING=hi-two VERSION=two
check "app is restarted and reads the new one" console_has 'app | app read two from its secrets as nobody' 120
vctl --json status >"$T/status.json"
check "status: version two, 2 keys" jtrue "$T/status.json" \
	"j['result']['secrets']['version'] == 'two' and j['result']['secrets']['keys'] == 2"
check "no value on the console" sh -c "! grep -q 'hi-one\|hi-two' '$CONSOLE'"
check "no value in status" sh -c "! grep -q 'hi-one\|hi-two' '$T/status.json'"
vctl shutdown >/dev/null
vm_end 120
done_test
