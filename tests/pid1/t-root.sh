# The switch from the initramfs to the image's root, as PID 1 (loop devices
# here; virtio disks in QEMU, tests/qemu/t-storage.sh). The "initramfs" is a
# tmpfs holding only vminit and the spec, as in a VM: PID 1 mounts the image
# read-only with an overlay (or, strict, only its writable directories),
# carries /dev /proc /sys /run /tmp over, empties the initramfs and runs the
# processes in the image. A root that cannot be mounted leaves PID 1 up in the
# initramfs, saying why, with nothing started.
. "$(dirname "$0")/lib.sh"
IMG=$T/image
mkdir -p "$IMG"/{bin,etc,dev,proc,sys,run,tmp,var/data}
cp /bin/busybox "$IMG/bin/busybox"
ln -s busybox "$IMG/bin/sh"
echo "from the image" >"$IMG/etc/marker"
mksquashfs "$IMG" "$T/root.sqfs" -quiet -noappend >/dev/null
truncate -s 16M "$T/wrong.img"
mkfs.ext4 -q -F "$T/wrong.img"
truncate -s 16M "$T/vol.img"
mkfs.ext4 -q -F "$T/vol.img"
LOOP=$(losetup -f --show -r "$T/root.sqfs") || { fail "no loop device"; finish; }
WRONG=$(losetup -f --show -r "$T/wrong.img") || { losetup -d "$LOOP"; fail "no loop device"; finish; }
VOL=$(losetup -f --show "$T/vol.img") || { losetup -d "$LOOP" "$WRONG"; fail "no loop device"; finish; }
root_cleanup() { cleanup; losetup -d "$LOOP" "$WRONG" "$VOL" 2>/dev/null; }
trap root_cleanup EXIT
INITRD=$T/initrd
mkdir -p "$INITRD"

# boot SPEC_BODY: vminit as PID 1 with a fresh tmpfs "initramfs" as its root.
boot() {
	{ spec_header; cat; } >"$T/spec.ini"
	unshare --mount sh -c 'mount -t tmpfs initrd "$1" && cp "$2" "$1/init" && cp "$3" "$1/spec.ini" &&
		echo initramfs >"$1/initramfs-marker" &&
		exec unshare --fork --pid --net --uts --root="$1" /init --spec /spec.ini --control unix:/run/ctl.sock' \
		sh "$INITRD" "$VMINIT" "$T/spec.ini" >"$CONSOLE" 2>&1 &
	VM_PID=$!
	# vminit itself, not the cp or mount the shell runs before it.
	for i in $(seq 400); do VM_INIT=$(pgrep -P "$VM_PID" -f '^/init --spec' | head -n1); [ -n "$VM_INIT" ] && break; sleep 0.05; done
	CTL_SOCK=/proc/$VM_INIT/root/run/ctl.sock
}

boot <<EOT
[processes.look]
command = ["/bin/sh", "-c", "cat /etc/marker\u003b echo new >/etc/written && echo overlay took \$(cat /etc/written)\u003b ls /initramfs-marker 2>&1\u003b exec sleep 1000"]
resources.memory = "64Mi"
[processes.vol]
command = ["/bin/sh", "-c", "ls -A /data/new/dir\u003b exec sleep 1000"]
resources.memory = "64Mi"
mounts.0.volume = "data"
mounts.0.path = "/data/new/dir"
[volumes.0]
name = "data"
size = "1Gi"
[guest.volumes.data]
device = "$VOL"
[guest.root]
device = "$LOOP"
filesystem = "squashfs"
tmpfs_size = "8Mi"
EOT
expect "root: $LOOP squashfs read-only, writes to an overlay on a tmpfs; [0-9]+ kB of initramfs freed" 30 "PID 1 mounted the image read-only with an overlay and switched to it"
expect '^look \| from the image$' 30 "the process runs in the image"
expect '^look \| overlay took new$' 30 "the overlay takes writes"
expect '^look \| ls: /initramfs-marker: No such file' 30 "the initramfs is not the root any more"
expect '^vol \| lost\+found$' 30 "a volume's path missing from the image is made (on the overlay)"
[ -z "$(ls -A "$INITRD" 2>/dev/null)" ] || true
wait_ctl
st=$(ctl --json status)
echo "$st" | json "j['result']['storage']['root']['state'] + ' ' + j['result']['storage']['root']['mode'] + ' ' + j['result']['storage']['root']['upper']" | grep -qx 'mounted overlay tmpfs' \
	&& ok "status: the root is mounted, overlay on tmpfs" || fail "status root: $(echo "$st" | json "j['result']['storage']")"
echo "$st" | json "j['result']['storage']['root']['initramfs_freed_bytes'] > 0" | grep -q True \
	&& ok "status: the initramfs's bytes were freed" || fail "nothing freed"
ctl exec -- /bin/sh -c 'echo x >/run/vminit/lower/etc/marker' >"$T/lower.out" 2>&1 \
	&& fail "the image's own mount took a write" || ok "the image's own mount refuses writes: $(tail -n1 "$T/lower.out")"
vm_signal TERM
vm_wait 30
expect_poweroff

# The strict form: the root stays read-only, only /var/data is writable.
boot <<EOT
[processes.look]
command = ["/bin/sh", "-c", "touch /etc/x 2>&1\u003b echo kept >/var/data/f && echo wrote \$(cat /var/data/f)\u003b exec sleep 1000"]
resources.memory = "64Mi"
[processes.vol]
command = ["/bin/sh", "-c", "echo STARTED"]
resources.memory = "64Mi"
mounts.0.volume = "data"
mounts.0.path = "/data"
[volumes.0]
name = "data"
size = "1Gi"
[guest.volumes.data]
device = "$VOL"
[guest.root]
device = "$LOOP"
filesystem = "squashfs"
writable = ["/var/data"]
EOT
expect "root: $LOOP squashfs read-only, writes to its writable directories" 30 "strict: PID 1 switched to the read-only image"
expect '^look \| touch: /etc/x: Read-only file system' 30 "strict: the root refuses writes"
expect '^look \| wrote kept$' 30 "strict: the listed directory takes writes"
expect 'vol: not started: volume data: its path /data is not in the image and cannot be made: Read-only file system' 30 \
	"strict: a volume path the read-only image lacks blocks its process, saying why (no crash loop)"
[ "$(count '^vol \| STARTED')" = 0 ] && ok "strict: that process never ran" || fail "it ran"
vm_signal TERM
vm_wait 30
expect_poweroff

# A root that holds another file system than the spec says.
boot <<EOT
[processes.look]
command = ["/bin/sh", "-c", "echo STARTED"]
resources.memory = "64Mi"
[guest.root]
device = "$WRONG"
filesystem = "erofs"
EOT
expect "root: $WRONG holds ext4, not erofs: staying in the initramfs" 30 "a wrong root is named on the console"
expect 'no root file system: no process started' 10 "... and nothing starts"
wait_ctl
st=$(ctl --json status)
echo "$st" | json "j['result']['storage']['root']['state'] + ': ' + j['result']['storage']['root']['error']" | grep -qx "failed: $WRONG holds ext4, not erofs" \
	&& ok "status: the root failed, and why" || fail "status root: $(echo "$st" | json "j['result']['storage']")"
vm_alive && ok "PID 1 stays up for the host" || fail "PID 1 is gone"
[ "$(count '^look \| STARTED')" = 0 ] && ok "the process never ran" || fail "the process ran"
vm_signal TERM
vm_wait 30
expect_poweroff
finish
