#!/bin/sh
# Install what building and testing vminit needs, when it is missing (Debian).
set -eu
pkgs="make gcc musl-tools libcap-dev libinih-dev libcriterion-dev util-linux procps file binutils busybox-static perl libjsmn-dev clang libclang-rt-14-dev python3 qemu-system-x86 cpio kmod e2fsprogs xz-utils gzip erofs-utils squashfs-tools curl iproute2"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
