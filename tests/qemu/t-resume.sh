#!/usr/bin/env bash
# t-resume: the wall clock and a snapshot restore (docs/resume.md) on the
# 6.12 kernel, which has vmgenid. Entropy from the host initialises the crng
# (under TCG it may not be for a minute: the kernel logs the vmgenid reseed
# only once it is); a clock request an hour ahead steps the guest's clock
# (date in the guest, the clock.stepped event) and another brings it back.
# Then QEMU saves the VM, waits, and restores it: vminit notices by itself
# (the kernel's reseed line: source "vmgenid"), the host's resumed is folded
# into it, the host channel works, the clock is stale by the pause until a
# clock request steps it, and a passing health check keeps passing.
export QEMU_KERNEL_FLAVOUR=6.12-cloud-amd64
. "$(dirname "$0")/lib.sh"

cat >"$T/spec.ini" <<'SPEC'
schema_version = "v1"
[processes.web]
command = ["/bin/busybox", "httpd", "-f", "-p", "127.0.0.1:8080", "-h", "/tmp"]
resources.memory = "64Mi"
ports.0.internal = 8080
health.type = "tcp"
health.port = 8080
health.interval_seconds = 1
health.timeout_seconds = 1
health.failure_threshold = 2
SPEC
MON=$T/mon.sock
SNAP=$T/snap
# Only what is built in: no disk, no network.
"$QEMU_ROOT/qemu/mkinitramfs" -o "$T/initrd" --spec "$T/spec.ini" --modules "virtio_pci virtio_console" >/dev/null
RUN=(--initrd "$T/initrd" --monitor "$MON" --vmgenid)
vm_boot "${RUN[@]}"
if ! wait_ctl 180; then
	fail "vminit never answered on the control socket"
	done_test
fi
check "web is healthy" until_status 120 \
	"[p['health']['readiness']['state'] for p in j['result']['processes'] if p['name'] == 'web'] == ['healthy']"

# Entropy first: the host's first duty (the crng, and the reseed on restore).
vctl --json entropy 64 >"$T/entropy.json"
check "entropy: 64 bytes credited as 512 bits (PID 1 has the right)" jtrue "$T/entropy.json" \
	"j['result'] == {'bytes': 64, 'credited_bits': 512}"

# The clock, an hour ahead, then back.
vctl --json clock --offset 3600 >"$T/clock1.json"
check "clock an hour ahead: stepped by about +3600 s" jtrue "$T/clock1.json" \
	"j['result']['stepped'] and abs(j['result']['offset_ns'] / 1e9 - 3600) < 60"
guest=$(vctl exec -- date +%s)
check "the guest's date is an hour ahead ($guest vs $(date +%s))" \
	test $(( guest - $(date +%s) - 3600 )) -gt -60 -a $(( guest - $(date +%s) - 3600 )) -lt 60
check "the console says so" console_has 'clock: stepped by +3[56][0-9][0-9]\.[0-9]* s' 30
vctl --json clock >"$T/clock2.json"
check "clock back to the host's: stepped by about -3600 s" jtrue "$T/clock2.json" \
	"j['result']['stepped'] and abs(j['result']['offset_ns'] / 1e9 + 3600) < 60"
check "two clock.stepped events" events_until "$T/events1.json" 60 \
	"len([e for e in ev if e['type'] == 'clock.stepped']) == 2"

# Save, wait, restore.
check "the VM is saved" vm_save "$MON" "$SNAP"
sleep 6
check "the VM is restored" vm_restore "$MON" "$SNAP" "${RUN[@]}"
check "vminit notices by itself: resumed, source vmgenid" events_until "$T/events2.json" 120 \
	"[e['source'] for e in ev if e['type'] == 'resumed'] == ['vmgenid']"
vctl --json resumed >"$T/resumed.json"
check "the host's resumed is folded into it" jtrue "$T/resumed.json" \
	"j['result'] == {'count': 1, 'folded': True}"
check "the console says the VM was restored" console_has 'resume: the VM was restored from a snapshot (told by vmgenid)' 30
check "the host channel works: exec" sh -c "[ \"\$(\"$VMINITCTL\" -a serial:$CTL --timeout 30 exec -- echo back)\" = back ]"
vctl --json status >"$T/status.json"
check "status: resume count 1, 2 signals, vmgenid" jtrue "$T/status.json" \
	"j['result']['resume']['count'] == 1 and j['result']['resume']['signals'] == 2 and j['result']['resume']['last_source'] == 'vmgenid'"
vctl --json clock >"$T/clock3.json"
check "the clock was stale by the pause: stepped by more than 5 s" jtrue "$T/clock3.json" \
	"j['result']['stepped'] and 5 <= j['result']['offset_ns'] / 1e9 < 300"
check "web is still healthy" until_status 60 \
	"[p['health']['readiness']['state'] for p in j['result']['processes'] if p['name'] == 'web'] == ['healthy']"
events_until "$T/events3.json" 30 "len([e for e in ev if e['type'] == 'clock.stepped']) == 3" ||
	fail "no third clock.stepped event"
check "no health change after the resume" events_hold "$T/events3.json" \
	"not [e for e in ev[[i for i, e in enumerate(ev) if e['type'] == 'resumed'][0]:] if e['type'].startswith('health')]"
check "the entropy's bytes are nowhere on the console" sh -c "! grep -q 'data' '$CONSOLE'"
vctl shutdown >/dev/null
vm_end 120
done_test
