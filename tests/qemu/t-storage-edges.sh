#!/usr/bin/env bash
# t-storage-edges: two boots at the edges of storage (docs/storage.md).
#
# 1. A root that cannot be mounted (a squashfs image the spec calls erofs):
#    PID 1 stays up in the initramfs and answers; status, an event and the
#    console say why; no process starts; the power-off is clean.
# 2. A VM whose only process mounts a volume whose disk is not there at
#    boot: PID 1 waits for it (no shutdown), and when QEMU hot-plugs the disk
#    (the monitor's drive_add and device_add, on a PCIe root port) it is
#    found within wait_seconds, mounted, and the process starts and reads it.
. "$(dirname "$0")/lib.sh"

echo "== boot 1: a root that does not mount"
IMG=$T/image
qemu_base_tree "$IMG"
"$QEMU_ROOT/qemu/mkimage" -o "$T/root.squashfs" --fs squashfs "$IMG" >/dev/null
cat >"$T/badroot.ini" <<'SPEC'
schema_version = "v1"
[processes.app]
command = ["/bin/sleep", "100000"]
resources.memory = "64Mi"
SPEC
vm_boot --spec "$T/badroot.ini" --image "$T/root.squashfs" --image-fs erofs \
	--port "vminit.events=$T/events.sock" --append "vminit.control=serial:vminit.ctl,serial:vminit.events"
if ! wait_ctl 180; then
	fail "vminit never answered on the control socket"
	done_test
fi
ok "PID 1 answers with its root not mounted"
vctl --json status >"$T/status.json"
check "status: the root failed, the device holds squashfs, not erofs; no process" jtrue "$T/status.json" "
(lambda r: r['state'] == 'failed' and r['mode'] == 'initramfs' and r['device'] == 'serial:root' and
 r['error'] == '/dev/vda holds squashfs, not erofs')(j['result']['storage']['root']) and
j['result']['processes'] == []"
check "the console says why, and that PID 1 stays in the initramfs" \
	grep -q 'vminit: error: root: /dev/vda holds squashfs, not erofs: staying in the initramfs' "$CONSOLE"
check "the console says no process started" grep -q 'no root file system: no process started' "$CONSOLE"
# The stream on the second port: the control port stays free for exec.
CTL=$T/events.sock check "an event: storage.root, failed, with the error" events_until "$T/events.jsonl" 60 \
	"[e for e in ev if e['type'] == 'storage.root' and e['state'] == 'failed' and 'squashfs' in e['error']]"
check "exec still runs (in the initramfs)" eval 'vctl exec -- cat /etc/vminit/spec.ini | grep -q "^filesystem = \"erofs\""'
vctl shutdown >/dev/null
vm_end 120
cp "$CONSOLE" "$T/console-1.log"

echo "== boot 2: the only process waits for a disk hot-plugged later"
LATE=$T/late.img
MON=$T/monitor.sock
mkdir -p "$T/late"
echo "hot-plugged" >"$T/late/hello"
truncate -s 64M "$LATE"
mkfs.ext4 -q -F -d "$T/late" "$LATE"
cat >"$T/late.ini" <<'SPEC'
schema_version = "v1"
[processes.late-user]
command = ["/bin/sleep", "100000"]
resources.memory = "64Mi"
mounts.0.volume = "late"
mounts.0.path = "/late"
[volumes.0]
name = "late"
size = "1Gi"
[guest]
stop_timeout_seconds = 3
[guest.volumes.late]
device = "serial:late"
wait_seconds = 600
SPEC
vm_boot --spec "$T/late.ini" --monitor "$MON"
if ! wait_ctl 180; then
	fail "vminit never answered on the control socket (boot 2)"
	done_test
fi
check "status: late-user waits for serial:late, which is pending; no shutdown" until_status 60 "
[(p['blocked'] or '').startswith('volume late: waiting for serial:late') for p in j['result']['processes']] == [True] and
[v['state'] for v in j['result']['storage']['volumes']] == ['pending'] and j['result']['shutdown'] is None"
check "QEMU hot-plugs a disk with serial late" vm_monitor "$MON" \
	"drive_add 0 if=none,file=$LATE,format=raw,id=late" \
	"device_add virtio-blk-pci,drive=late,serial=late,bus=hp0,id=late-dev"
check "the late disk is found and mounted within its wait_seconds" vol_is 120 late \
	"v['state'] == 'mounted' and v['path'] is not None"
check "late-user starts once it is" until_status 60 \
	"[p['state'] for p in j['result']['processes']] == ['running']"
check "late-user reads the hot-plugged disk's file" eval 'inproc late-user cat /late/hello | grep -qx hot-plugged'
vctl shutdown >/dev/null
vm_end 120
check "the late disk is clean on the host" fs_clean "$LATE"
done_test
