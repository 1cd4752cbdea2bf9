#!/usr/bin/env bash
# t-storage: the image's root and the volumes on virtio disks, over three
# boots that share one volume (docs/storage.md, issue 12).
#
# 1. erofs root, overlay on an ext4 scratch disk; qemu/run adds the guest
#    sections. The volume takes a first write; a read_only mount of it
#    refuses writes while another process writes; a process without the
#    mount does not see it, nor /run/vminit; a volume whose device never
#    comes blocks only its process. Clean power-off: the volume is clean on
#    the host, the overlay's writes on the scratch disk.
# 2. ext4 root attached writable, the strict form (only `writable` takes
#    writes): the first boot's data is there; then QEMU is killed (-9) while
#    a process writes to the volume. The root image is unchanged.
# 3. squashfs root on a blank scratch disk: a warning, the writes on a
#    bounded tmpfs, the disk left blank. The volume's journal is replayed
#    and PID 1 says so (status, event, console); clean again at the end.
. "$(dirname "$0")/lib.sh"

# The image every boot's root is made from: busybox and the test's scripts.
IMG=$T/image
qemu_base_tree "$IMG"
# /data: the strict form (boot 2) cannot make a mount point in the image.
mkdir -p "$IMG/t" "$IMG/var/lib/app" "$IMG/data"
echo "from the image" >"$IMG/etc/motd"
# writer: one line per boot on the volume, made durable, then idles.
cat >"$IMG/t/writer" <<'EOF'
n=$(( $(cat /data/boots 2>/dev/null | wc -l) + 1 ))
echo "boot $n" >>/data/boots && sync && echo "writer: boot $n written"
exec sleep 100000
EOF
# churn: writes to the volume as fast as it can, each round made durable.
cat >"$IMG/t/churn" <<'EOF'
i=0
while :; do
	i=$((i + 1))
	dd if=/dev/urandom of=/data/churn.tmp bs=64k count=4 2>/dev/null
	mv /data/churn.tmp /data/churn && sync && echo "churn $i"
done
EOF

DATA=$T/data.img

echo "== boot 1: erofs root, overlay on the scratch disk"
cat >"$T/boot1.ini" <<'SPEC'
schema_version = "v1"
[processes.writer]
command = ["/bin/sh", "/t/writer"]
resources.memory = "64Mi"
mounts.0.volume = "data"
mounts.0.path = "/data"
[processes.reader]
command = ["/bin/sleep", "100000"]
resources.memory = "64Mi"
mounts.0.volume = "data"
mounts.0.path = "/srv/data"
mounts.0.read_only = true
[processes.plain]
command = ["/bin/sleep", "100000"]
resources.memory = "64Mi"
[processes.needs-gone]
command = ["/bin/sleep", "100000"]
resources.memory = "64Mi"
mounts.0.volume = "gone"
mounts.0.path = "/gone"
[volumes.0]
name = "data"
size = "1Gi"
[volumes.1]
name = "gone"
size = "1Gi"
[guest]
stop_timeout_seconds = 3
[guest.volumes.gone]
device = "serial:gone"
wait_seconds = 1
SPEC
vm_boot --spec "$T/boot1.ini" --image "$IMG" --scratch "$T/scratch.img:256M" \
	--volume "data=$DATA"
if ! wait_ctl 180; then
	fail "vminit never answered on the control socket"
	done_test
fi
check "status: the root is the erofs image (serial root), an overlay on the scratch disk" root_is \
	"{'device': 'serial:root', 'filesystem': 'erofs', 'mode': 'overlay', 'upper': 'scratch', 'state': 'mounted', 'error': None}"
check "status: data (serial:data) mounted read-write, not recovered" vol_is 60 data \
	"v['device'] == 'serial:data' and v['state'] == 'mounted' and not v['read_only'] and not v['recovered'] and v['size_bytes'] > 0"
check "the writer wrote its first line to the volume" console_has "writer | writer: boot 1 written" 120
check "the processes run from the image's files" eval 'inproc plain cat /etc/motd | grep -qx "from the image"'

out=$(inproc reader cat /srv/data/boots 2>&1)
check "reader sees data at its own path (/srv/data, made for it)" [ "$out" = "boot 1" ]
out=$(inproc reader sh -c 'touch /srv/data/x' 2>&1)
rc=$?
check "reader's read_only mount refuses a write (EROFS): $out" \
	eval '[ "$rc" != 0 ] && grep -q "Read-only file system" <<<"$out"'
check "writer still writes to the same volume" inproc writer sh -c 'echo more >/data/more && sync'
check "plain (no mounts) does not see the volume at /data" inproc plain sh -c '! [ -e /data/boots ]'
check "plain does not see /run/vminit" inproc plain sh -c '! [ -e /run/vminit/volumes ]'
check "plain does not see the volume anywhere in its mounts" inproc plain sh -c '! grep -q " ext4 " /proc/self/mountinfo'

check "status: needs-gone is blocked by its missing volume, the others run" until_status 60 "(lambda p:
(p['needs-gone']['blocked'] or '').startswith('volume gone: no device serial:gone') and p['needs-gone']['pid'] is None and
all(p[n]['state'] == 'running' for n in ('writer', 'reader', 'plain')))({x['name']: x for x in j['result']['processes']})"
check "status: volume gone failed, and says why" vol_is 10 gone \
	"v['state'] == 'failed' and 'serial:gone' in v['error']"

MARK=overlay-mark-$$-$RANDOM
check "the overlay takes writes over the image's files" inproc plain sh -c "echo $MARK >/etc/motd && grep -qx $MARK /etc/motd"
vctl status 2>&1 | sed 's/^/  | /'
vctl shutdown >/dev/null
vm_end 120
check "the console: every volume unmounted clean" grep -q 'volume data: unmounted clean' "$CONSOLE"
check "data is clean on the host (e2fsck -fn, dumpe2fs -h)" fs_clean "$DATA"
check "the overlay's write is on the scratch disk" grep -qa "$MARK" "$T/scratch.img"
cp "$CONSOLE" "$T/console-1.log"

echo "== boot 2: ext4 root, strict, attached writable; killed mid-write"
"$QEMU_ROOT/qemu/mkimage" -o "$T/root.ext4" --fs ext4 "$IMG" >/dev/null
sum_before=$(sha256sum <"$T/root.ext4")
cat >"$T/boot2.ini" <<'SPEC'
schema_version = "v1"
[processes.writer]
command = ["/bin/sh", "/t/writer"]
resources.memory = "64Mi"
mounts.0.volume = "data"
mounts.0.path = "/data"
[processes.churn]
command = ["/bin/sh", "/t/churn"]
resources.memory = "64Mi"
mounts.0.volume = "data"
mounts.0.path = "/data"
[processes.plain]
command = ["/bin/sleep", "100000"]
resources.memory = "64Mi"
[volumes.0]
name = "data"
size = "1Gi"
[guest.root]
device = "serial:root"
filesystem = "ext4"
writable = ["/var/lib/app", "/tmp"]
SPEC
vm_boot --spec "$T/boot2.ini" --image "$T/root.ext4" --image-writable --volume "data=$DATA"
if ! wait_ctl 180; then
	fail "vminit never answered on the control socket (boot 2)"
	done_test
fi
check "status: the root is the ext4 image, strict" root_is \
	"{'filesystem': 'ext4', 'mode': 'strict', 'state': 'mounted', 'error': None}"
check "the first boot's data survived the power-off" console_has "writer | writer: boot 2 written" 120
out=$(inproc writer cat /data/boots /data/more 2>&1 | tr '\n' ' ')
check "the volume holds both boots' lines and the extra write ($out)" [ "$out" = "boot 1 boot 2 more " ]
out=$(inproc plain sh -c 'touch /etc/x' 2>&1)
check "strict: the image's directories refuse writes (EROFS) though the disk is writable" \
	grep -q 'Read-only file system' <<<"$out"
check "strict: / is the image's ext4, mounted read-only" inproc plain sh -c \
	"awk '\$5 == \"/\"' /proc/self/mountinfo | grep -q ' ro[, ].* ext4 '"
check "strict: the writable directories take writes" inproc plain sh -c \
	'echo a >/var/lib/app/f && echo b >/tmp/f && cat /var/lib/app/f /tmp/f | tr -d "\n" | grep -qx ab'
check "churn is writing to the volume" console_has "churn | churn 3" 120
vm_crash
log "QEMU killed with SIGKILL while churn wrote"
check "the host sees the volume's journal not done (needs_recovery)" \
	sh -c "dumpe2fs -h '$DATA' 2>/dev/null | grep -q needs_recovery"
check "the ext4 root image is unchanged, written or not by the guest" [ "$(sha256sum <"$T/root.ext4")" = "$sum_before" ]
cp "$CONSOLE" "$T/console-2.log"

echo "== boot 3: squashfs root, a blank scratch disk (tmpfs), the journal replayed"
"$QEMU_ROOT/qemu/mkimage" -o "$T/root.squashfs" --fs squashfs "$IMG" >/dev/null
truncate -s 64M "$T/blank.img"
cat >"$T/boot3.ini" <<'SPEC'
schema_version = "v1"
[processes.writer]
command = ["/bin/sh", "/t/writer"]
resources.memory = "64Mi"
mounts.0.volume = "data"
mounts.0.path = "/data"
[processes.plain]
command = ["/bin/sleep", "100000"]
resources.memory = "64Mi"
[volumes.0]
name = "data"
size = "1Gi"
[guest]
stop_timeout_seconds = 3
[guest.root]
device = "serial:root"
filesystem = "squashfs"
tmpfs_size = "32Mi"
SPEC
vm_boot --spec "$T/boot3.ini" --image "$T/root.squashfs" --scratch "$T/blank.img" --volume "data=$DATA" \
	--port "vminit.events=$T/events.sock" --append "vminit.control=serial:vminit.ctl,serial:vminit.events"
if ! wait_ctl 180; then
	fail "vminit never answered on the control socket (boot 3)"
	done_test
fi
"$VMINITCTL" -a "serial:$T/events.sock" --timeout 30 --json events --since 0 >"$T/events.jsonl" 2>&1 &
EVENTS_PID=$!
check "status: the root is the squashfs image, an overlay on a tmpfs, the blank scratch named" root_is \
	"{'filesystem': 'squashfs', 'mode': 'overlay', 'upper': 'tmpfs', 'state': 'mounted'}"
check "status: the root's error says the scratch disk is blank" until_status 10 \
	"'blank' in (j['result']['storage']['root']['error'] or '')"
check "the console warns that the writes go to a tmpfs" grep -q 'warning: root: scratch serial:scratch: .* blank.*tmpfs' "$CONSOLE"
check "status: data was recovered (its journal replayed)" vol_is 60 data "v['state'] == 'mounted' and v['recovered'] is True"
check "the console says the journal was replayed" grep -q 'volume data: its journal was replayed' "$CONSOLE"
check "the data written before the kill is there, and the writer goes on" console_has "writer | writer: boot 3 written" 120
check "the overlay takes writes" inproc plain sh -c 'echo x >/etc/new && grep -qx x /etc/new'
out=$(inproc plain sh -c 'dd if=/dev/zero of=/var/big bs=1M count=48' 2>&1)
check "the overlay's tmpfs is bounded by tmpfs_size (48 MiB do not fit in 32Mi)" grep -q 'No space left on device' <<<"$out"
vctl shutdown >/dev/null
vm_end 120
until_ok 60 eval '! kill -0 $EVENTS_PID 2>/dev/null'
check "events: storage.volume data, mounted, recovered true" python3 -c "
import json
ev = [json.loads(l)['event'] for l in open('$T/events.jsonl') if l.startswith('{\"event\"')]
v = [e for e in ev if e['type'] == 'storage.volume' and e['name'] == 'data' and e['state'] == 'mounted']
assert v and v[0]['recovered'] is True, v
"
check "events: storage.root, mounted on a tmpfs" python3 -c "
import json
ev = [json.loads(l)['event'] for l in open('$T/events.jsonl') if l.startswith('{\"event\"')]
r = [e for e in ev if e['type'] == 'storage.root']
assert r and r[0]['state'] == 'mounted' and r[0]['upper'] == 'tmpfs', r
"
check "data is clean on the host after the recovery boot" fs_clean "$DATA"
check "vminit never formats: the blank scratch disk is still all zeros" cmp -s -n $((64 << 20)) "$T/blank.img" /dev/zero
done_test
