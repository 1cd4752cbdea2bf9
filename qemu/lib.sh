# lib.sh - what the QEMU scripts share (sourced): paths, the kernel, QEMU's
# command line. docs/qemu.md explains the choices.

QEMU_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
QEMU_BUILD=$QEMU_ROOT/build/qemu
# Debian's cloud kernel: small, ext4 built in, virtio and vsock as modules.
QEMU_KERNEL_FLAVOUR=${QEMU_KERNEL_FLAVOUR:-cloud-amd64}
QEMU_KDIR=$QEMU_BUILD/kernel-$QEMU_KERNEL_FLAVOUR
# What a q35 guest needs from its kernel's modules for the host channel
# (virtio-serial) and in-guest vsock. Not vmw_vsock_virtio_transport: with no
# vsock device it takes CID 2 away from vsock_loopback (shared/notes/qemu.md).
QEMU_MODULES_DEFAULT="virtio_pci virtio_console virtio_blk vsock_loopback"

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
