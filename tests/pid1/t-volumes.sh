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
truncate -s 16M "$T/late.img"
mkfs.ext4 -q -F "$T/late.img"
LOOP=$(losetup -f --show "$IMG") || { fail "no loop device"; finish; }
LATE=
loop_cleanup() { cleanup; losetup -d "$LOOP" $LATE 2>/dev/null; }
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
echo own mounts: \$(ls -A /run/vminit 2>/dev/null | wc -l)
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
[processes.latecomer]
command = ["/bin/sh", "-c", "ls -A $M/late; exec sleep 1000"]
resources.memory = "64Mi"
mounts.0.volume = "late"
mounts.0.path = "$M/late"
[volumes.0]
name = "data"
size = "1Gi"
[volumes.1]
name = "gone"
size = "1Gi"
[volumes.2]
name = "late"
size = "1Gi"
[guest.volumes.data]
device = "$LOOP"
[guest.volumes.gone]
device = "/dev/vminit-test-no-such-disk"
wait_seconds = 1
[guest.volumes.late]
device = "$T/late-disk"
wait_seconds = 600
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
echo "$st" | json "[v['state'] for v in j['result']['storage']['volumes']] == ['mounted', 'failed', 'pending'] and j['result']['storage']['root'] is None" | grep -q True \
	&& ok "status: data mounted, gone failed, late pending, no root switch" || fail "status storage: $(echo "$st" | json "j['result']['storage']")"
echo "$st" | json "[p['blocked'] for p in j['result']['processes'] if p['name'] == 'stuck'][0]" | grep -q '^volume gone: no device' \
	&& ok "status says why stuck is blocked" || fail "status of stuck: $(echo "$st" | json "j['result']['processes']")"
echo "$st" | json "[v for v in j['result']['storage']['volumes'] if v['name'] == 'data'][0]['size_bytes'] > 0" | grep -q True \
	&& ok "status shows the volume's size" || fail "no size in status"
out=$(ctl exec --process reader -- /bin/sh -c "cat $M/ro/file; touch $M/ro/y 2>&1" 2>&1)
case $out in "hello"*"Read-only file system"*) ok "exec into a process sees its mounts as it does: read-only" ;;
*) fail "exec --process reader: $out" ;; esac
out=$(ctl exec --process plain -- /bin/sh -c "ls -A $M/data; ls -A /run/vminit" 2>&1)
[ -z "$out" ] && ok "exec into a process without the mount sees no volume" || fail "exec --process plain saw: $out"
# A device that comes late (a symlink to a loop device made now stands in
# for a disk the host attaches after boot) is found while it is waited for.
st=$(ctl --json status)
echo "$st" | json "[p['blocked'] for p in j['result']['processes'] if p['name'] == 'latecomer'][0]" | grep -q "^volume late: waiting for $T/late-disk" \
	&& ok "a process whose volume is not there yet waits, saying so" || fail "latecomer: $(echo "$st" | json "j['result']['processes']")"
LATE=$(losetup -f --show "$T/late.img") && ln -s "$LATE" "$T/late-disk"
expect "volume late: $T/late-disk \\($T/late-disk\\) mounted read-write" 30 "the late device is found and mounted"
expect '^latecomer \| lost\+found$' 30 "... and the process waiting for it starts with it"
"$VMINITCTL" -a "unix:$CTL_SOCK" --timeout 60 --json events --since 0 >"$T/events.jsonl" 2>/dev/null &
EVPID=$!
until_ok 30 grep -q '"type":"storage.volume","name":"late"' "$T/events.jsonl" || fail "no storage.volume event for late"
vm_signal TERM
expect 'volume data: unmounted clean' 30 "at shutdown the volume is synced, made read-only and unmounted"
vm_wait 30
expect_poweroff
wait "$EVPID" 2>/dev/null
events_hold "$T/events.jsonl" "[e.get('volumes') for e in ev if e['type'] == 'final'] == [[{'name': 'data', 'state': 'unmounted', 'error': None}, {'name': 'gone', 'state': 'failed', 'error': 'no device /dev/vminit-test-no-such-disk after 1 s'}, {'name': 'late', 'state': 'unmounted', 'error': None}]]" \
	&& ok "the final event says how each volume ended" || fail "final event: $(grep '"final"' "$T/events.jsonl")"
events_hold "$T/events.jsonl" "any(e['type'] == 'process.blocked' and e['process'] == 'stuck' and e['reason'].startswith('volume gone: no device') for e in ev)" \
	&& ok "a process.blocked event says why stuck did not start" || fail "no process.blocked event for stuck"
losetup -d "$LOOP"
if e2fsck -fn "$IMG" >"$T/fsck" 2>&1; then ok "the file system is clean on the host right after"; else fail "e2fsck: $(cat "$T/fsck")"; fi
dumpe2fs -h "$IMG" 2>/dev/null | grep -q '^Filesystem state: *clean$' && ok "its state is clean" || fail "state: $(dumpe2fs -h "$IMG" 2>/dev/null | grep state)"
[ "$(debugfs -R 'cat /file' "$IMG" 2>/dev/null)" = hello ] && ok "what the process wrote is on the device" || fail "the file is not on the device"
finish
