#!/usr/bin/env bash
# setup.sh - what booting vminit in QEMU needs, installed once: Debian's
# packages (tests/deps.sh) and Debian's kernel package, downloaded and unpacked
# into build/qemu (never installed over the host's kernel). A second run finds
# everything in place and does nothing.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
"$QEMU_ROOT/tests/deps.sh"
[ -f "$QEMU_KDIR/release" ] && exit 0

meta=linux-image-$QEMU_KERNEL_FLAVOUR
pkg() { apt-cache depends "$meta" 2>/dev/null | awk '/Depends: linux-image-/ { print $2; exit }'; }
name=$(pkg)
if [ -z "$name" ]; then
	SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
	$SUDO apt-get update -qq
	name=$(pkg)
fi
[ -n "$name" ] || qemu_die "apt knows no $meta"
echo "qemu: downloading $name into $QEMU_KDIR"
tmp=$QEMU_KDIR.tmp
rm -rf "$tmp" && mkdir -p "$tmp"
# apt-get download writes to the current directory; as root it warns that
# its sandbox user cannot: harmless.
(cd "$tmp" && apt-get download "$name" 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
deb=$(ls "$tmp"/*.deb 2>/dev/null | head -n1)
[ -n "$deb" ] || qemu_die "apt-get download $name failed"
dpkg -x "$deb" "$tmp/x"
rm -f "$deb"
release=${name#linux-image-}
[ -f "$tmp/x/boot/vmlinuz-$release" ] || qemu_die "$name has no /boot/vmlinuz-$release"
# The package ships no modules.dep: make it, as its postinst would.
depmod -b "$tmp/x" "$release"
echo "$release" >"$tmp/release"
rm -rf "$QEMU_KDIR" && mv "$tmp" "$QEMU_KDIR"
echo "qemu: kernel $release ready"
