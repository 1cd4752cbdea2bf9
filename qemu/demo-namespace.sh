#!/usr/bin/env bash
# demo-namespace.sh [SECONDS]: boot the example spec with build/vminit as PID 1
# in fresh Linux namespaces (the stand-in for a VM until `make qemu` exists),
# show its console for SECONDS, then SIGTERM it and show the clean power-off.
set -eu
cd "$(dirname "$0")/.."
secs=${1:-7}
[ "$(id -u)" = 0 ] || { echo "demo: needs root (unshare)" >&2; exit 1; }
if ! [ -x /bin/busybox ]; then
	echo "demo: installing busybox-static"
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq busybox-static
fi
./build/vminit check qemu/example/spec.ini >/dev/null
# The example's volume "data" on a loop device (a VM has a disk), named in a
# copy of the spec as the host agent would; without loop devices the web
# waits for its volume and says so.
# Not under /tmp: PID 1 mounts a tmpfs there before it reads the spec.
mkdir -p build
tmp=$(mktemp -d "$PWD/build/demo-ns.XXXXXX")
loop=""
trap '[ -z "$loop" ] || losetup -d "$loop"; rm -rf "$tmp"' EXIT
cp qemu/example/spec.ini "$tmp/spec.ini"
truncate -s 64M "$tmp/data.img" && mkfs.ext4 -q -F "$tmp/data.img"
if loop=$(losetup -f --show "$tmp/data.img" 2>/dev/null); then
	printf '\n[guest.volumes.data]\ndevice = "%s"\n' "$loop" >>"$tmp/spec.ini"
else
	loop=""
	echo "demo: no loop device for the volume: the web will wait for it"
fi
echo "demo: booting build/vminit as PID 1 on qemu/example/spec.ini for ${secs}s"
unshare --fork --pid --mount --net --uts --mount-proc ./build/vminit --spec "$tmp/spec.ini" &
pid=$!
sleep "$secs"
echo "demo: sending SIGTERM to PID 1"
kill -TERM "$(pgrep -P "$pid")"
set +e
wait "$pid" 2>/dev/null
rc=$?
[ "$rc" = 130 ] && echo "demo: PID 1 powered off cleanly" || echo "demo: PID 1 ended with status $rc"
