# Volumes on real block devices (loop devices here; virtio disks in QEMU,
# tests/qemu/t-storage.sh): PID 1 mounts each once and every process sees only
# its own mounts, at its own paths, read-only where it says; a volume whose
# device never comes blocks only the processes that mount it; at shutdown
# every volume is synced, made read-only and unmounted, so the file system
# is clean on the host right after.
. "$(dirname "$0")/lib.sh"
IMG=$T/data.img
truncate -s 64M "$IMG"
mkfs.ext4 -q -F "$IMG"
LOOP=$(losetup -f --show "$IMG") || { fail "no loop device"; finish; }
loop_cleanup() { losetup -d "$LOOP" 2>/dev/null; cleanup; }
trap loop_cleanup EXIT
M=$T/mnt
cat >"$T/writer.sh" <<EOT
echo hello >$M/data/file && sync && echo wrote && exec sleep 1000
EOT
cat >"$T/reader.sh" <<EOT
until [ -f $M/ro/file ]; do sleep 0.1; done
echo read \$(cat $M/ro/file)
if touch $M/ro/new 2>$M/err; then echo WROTE; else echo refused: \$(cat $M/err); fi
exec sleep 1000
EOT
cat >"$T/plain.sh" <<EOT
grep -c ' $M/' /proc/self/mountinfo
echo own mounts: \\$(ls -A /run/vminit 2>/dev/null | wc -l)
exec sleep 1000
EOT
{
	spec_header
	cat <<EOT
[processes.writer]
command = ["/bin/sh", "$T/writer.sh"]
resources.memory = "64Mi"
mounts.0.volume = "data"
mounts.0.path = "$M/data"
[processes.reader]
command = ["/bin/sh", "$T/reader.sh"]
resources.memory = "64Mi"
mounts.0.volume = "data"
mounts.0.path = "$M/ro"
mounts.0.read_only = true
[processes.plain]
command = ["/bin/sh", "$T/plain.sh"]
resources.memory = "64Mi"
[processes.stuck]
command = ["/bin/sh", "-c", "echo STARTED\u003b exec sleep 1000"]
resources.memory = "64Mi"
mounts.0.volume = "gone"
mounts.0.path = "$M/gone"
[volumes.0]
name = "data"
size = "1Gi"
[volumes.1]
name = "gone"
size = "1Gi"
[guest.volumes.data]
device = "$LOOP"
[guest.volumes.gone]
device = "/dev/vminit-test-no-such-disk"
EOT
} >"$T/spec.ini"
vm_start "$T/spec.ini" --control "unix:$CTL_SOCK"
expect "volume data: $LOOP \\($LOOP\\) mounted read-write at /run/vminit/volumes/data" 30 "PID 1 mounted the volume once, read-write (a process mounts it so)"
expect '^writer \| wrote$' 30 "a process wrote to its volume"
expect '^reader \| read hello$' 30 "another process reads the same volume at its own path"
expect '^reader \| refused: .*Read-only file system' 30 "its read_only mount refuses writes (EROFS), while the writer's is read-write"
expect '^plain \| 0$' 30 "a process without the mount has no volume at those paths"
expect '^plain \| own mounts: 0$' 30 "nor PID 1's own mounts (/run/vminit)"
expect 'volume gone: no device /dev/vminit-test-no-such-disk after [0-9]+ s' 40 "a device that never comes fails its volume after its wait"
expect '^.*stuck: not started: volume gone: no device' 10 "... and only the process that mounts it is not started, saying why"
[ "$(count '^stuck \| STARTED')" = 0 ] && ok "the blocked process never ran" || fail "the blocked process ran"
wait_ctl
st=$(ctl --json status)
echo "$st" | json "[v['state'] for v in j['result']['storage']['volumes']] == ['mounted', 'failed'] and j['result']['storage']['root'] is None" | grep -q True \
	&& ok "status: data mounted, gone failed, no root switch" || fail "status storage: $(echo "$st" | json "j['result']['storage']")"
echo "$st" | json "[p['blocked'] for p in j['result']['processes'] if p['name'] == 'stuck'][0]" | grep -q '^volume gone: no device' \
	&& ok "status says why stuck is blocked" || fail "status of stuck: $(echo "$st" | json "j['result']['processes']")"
echo "$st" | json "[v for v in j['result']['storage']['volumes'] if v['name'] == 'data'][0]['size_bytes'] > 0" | grep -q True \
	&& ok "status shows the volume's size" || fail "no size in status"
vm_signal TERM
expect 'volume data: unmounted clean' 30 "at shutdown the volume is synced, made read-only and unmounted"
vm_wait 30
expect_poweroff
losetup -d "$LOOP"
if e2fsck -fn "$IMG" >"$T/fsck" 2>&1; then ok "the file system is clean on the host right after"; else fail "e2fsck: $(cat "$T/fsck")"; fi
dumpe2fs -h "$IMG" 2>/dev/null | grep -q '^Filesystem state: *clean$' && ok "its state is clean" || fail "state: $(dumpe2fs -h "$IMG" 2>/dev/null | grep state)"
[ "$(debugfs -R 'cat /file' "$IMG" 2>/dev/null)" = hello ] && ok "what the process wrote is on the device" || fail "the file is not on the device"
finish
