# lib.sh - what the QEMU scripts share (sourced): paths, the kernel, QEMU's
# command line. docs/qemu.md explains the choices.

QEMU_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
QEMU_BUILD=$QEMU_ROOT/build/qemu
# Debian's cloud kernel: small, ext4 built in, virtio and vsock as modules.
QEMU_KERNEL_FLAVOUR=${QEMU_KERNEL_FLAVOUR:-cloud-amd64}
QEMU_KDIR=$QEMU_BUILD/kernel-$QEMU_KERNEL_FLAVOUR
# What a q35 guest needs from its kernel's modules for the host channel
# (virtio-serial), in-guest vsock, disks (virtio_blk) and the file systems of
# a root image and its overlay (ext4 is built in). Not
# vmw_vsock_virtio_transport: with no vsock device it takes CID 2 away from
# vsock_loopback (shared/notes/qemu.md).
QEMU_MODULES_DEFAULT="virtio_pci virtio_console virtio_blk vsock_loopback overlay erofs squashfs"
# The NIC qemu/run --net attaches, and the spec's interface finds it by.
QEMU_NET_MAC=52:54:00:12:34:56

qemu_die() { echo "qemu: $*" >&2; exit 1; }

# The kernel's release (6.1.0-NN-cloud-amd64), once qemu/setup.sh has run.
qemu_release() {
	[ -f "$QEMU_KDIR/release" ] || qemu_die "no kernel in $QEMU_KDIR: run qemu/setup.sh (or make qemu)"
	cat "$QEMU_KDIR/release"
}

qemu_kernel_image() { echo "$QEMU_KDIR/x/boot/vmlinuz-$(qemu_release)"; }

# KVM when the machine really has it (the device and the CPU flags), else TCG.
qemu_accel() {
	if [ -n "${QEMU_ACCEL:-}" ]; then
		echo "$QEMU_ACCEL"
	elif [ -r /dev/kvm ] && [ -w /dev/kvm ] && grep -qE '^flags.* (vmx|svm)( |$)' /proc/cpuinfo; then
		echo kvm
	else
		echo tcg
	fi
}

# qemu_bytes SIZE: SIZE ("512", "64K", "256M", "1Gi", "4GiB") in bytes, powers
# of 1024; nothing (status 1) when it is not a size.
qemu_bytes() {
	local n u
	[[ $1 =~ ^([0-9]+)([KkMmGgTt]?)(i?B?)$ ]] || return 1
	n=${BASH_REMATCH[1]} u=${BASH_REMATCH[2]}
	case $u in
	'') echo "$n" ;;
	[Kk]) echo $((n << 10)) ;;
	[Mm]) echo $((n << 20)) ;;
	[Gg]) echo $((n << 30)) ;;
	[Tt]) echo $((n << 40)) ;;
	esac
}

# qemu_fs_of IMG: the file system in IMG, from its own bytes (blkid -p reads
# the superblock; ext2 and ext3 count as ext4, which mounts them).
qemu_fs_of() {
	local t
	t=$(blkid -p -s TYPE -o value "$1" 2>/dev/null) || true
	case $t in
	ext2 | ext3 | ext4) echo ext4 ;;
	squashfs | erofs) echo "$t" ;;
	*) return 1 ;;
	esac
}

# qemu_disk IMG SIZE LABEL: IMG, created sparse and formatted ext4 when it
# does not exist; an existing IMG is left as it is (its data is the point).
qemu_disk() {
	local img=$1 size=$2 label=$3 bytes
	[ -e "$img" ] && return 0
	bytes=$(qemu_bytes "$size") || qemu_die "$img: $size is not a size (try 1G, 512M)"
	mkdir -p "$(dirname "$img")"
	truncate -s "$bytes" "$img.tmp"
	# On a sparse file mkfs.ext4 zeroes the inode tables by punching holes
	# and marks them so: the guest's ext4lazyinit has nothing left to do.
	mkfs.ext4 -q -F -L "$label" "$img.tmp" ||
		{ rm -f "$img.tmp"; qemu_die "mkfs.ext4 $img failed"; }
	mv "$img.tmp" "$img"
}

# qemu_base_tree DIR: the files every guest tree here starts from, the
# initramfs's and a test's root image alike: Debian's static busybox with its
# applets, root, daemon and nobody in /etc/passwd and /etc/group, and the
# directories vminit mounts over (a read-only root must have them).
qemu_base_tree() {
	local d=$1 a
	mkdir -p "$d"/{bin,sbin,usr/bin,usr/sbin,etc,dev,proc,sys,run,tmp,root,var}
	chmod 1777 "$d/tmp"
	install -m 0755 /bin/busybox "$d/bin/busybox"
	for a in $("$d/bin/busybox" --list-full); do
		case $a in linuxrc | sbin/init) continue ;; esac
		[ -e "$d/$a" ] || [ -L "$d/$a" ] || ln -s /bin/busybox "$d/$a"
	done
	printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'daemon:x:1:1:daemon:/:/bin/false' \
		'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >"$d/etc/passwd"
	printf '%s\n' 'root:x:0:' 'daemon:x:1:' 'nogroup:x:65534:' >"$d/etc/group"
}
