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
echo "demo: booting build/vminit as PID 1 on qemu/example/spec.ini for ${secs}s"
unshare --fork --pid --mount --net --uts --mount-proc ./build/vminit --spec "$PWD/qemu/example/spec.ini" &
pid=$!
sleep "$secs"
echo "demo: sending SIGTERM to PID 1"
kill -TERM "$(pgrep -P "$pid")"
set +e
wait "$pid" 2>/dev/null
rc=$?
[ "$rc" = 130 ] && echo "demo: PID 1 powered off cleanly" || echo "demo: PID 1 ended with status $rc"
