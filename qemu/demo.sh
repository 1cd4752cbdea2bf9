#!/usr/bin/env bash
# demo.sh - `make qemu`: boot the example workload (qemu/example/spec.ini) in
# QEMU with build/vminit as PID 1, from a read-only root image (busybox and
# qemu/example/root/, built by qemu/mkimage) with the volume "data" on its own
# disk (build/qemu/demo-data.img, kept between runs: the web's count of its
# starts grows by one each time) and a NIC on QEMU's user network that vminit
# configures (qemu/run --net). Shows the console, queries it from the host
# with vminitctl over the virtio-serial socket, reaches the web through a port
# forward, then powers it off cleanly and checks the volume on the host.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$QEMU_ROOT"
sock=$QEMU_BUILD/demo.sock
log=$QEMU_BUILD/demo-console.log
image=$QEMU_BUILD/demo-image
data=$QEMU_BUILD/demo-data.img
say() { printf '\n\033[1mdemo: %s\033[0m\n' "$*"; }
ctl() { build/vminitctl -a "serial:$sock" --timeout 10 "$@"; }
pidfile=$QEMU_BUILD/demo.pid
field() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
# A free port on the host for the web's forward.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# The image's tree, made afresh: busybox, then the example's own files.
rm -rf "$image"
qemu_base_tree "$image"
cp -a qemu/example/root/. "$image/"
say "booting qemu/example/spec.ini in QEMU ($(qemu_accel), kernel $(qemu_release)) from an erofs image of" \
	"busybox + qemu/example/root/, the volume data on $data; the console follows"
t0=$(date +%s%N)
rm -f "$pidfile"
(qemu/run --spec qemu/example/spec.ini --image "$image" --volume "data=$data" --ctl "$sock" --net "$port:8080" \
	-- -pidfile "$pidfile" </dev/null 2>&1 | tee "$log") &
vm=$!
# On any failure, QEMU goes too.
trap '[ -s "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null; wait $vm 2>/dev/null' EXIT

# Up when every process runs and the web's health check passes (PID 1 may
# still be booting: vminitctl waits for the port).
for _ in $(seq 1 120); do
	if st=$(ctl --json status 2>/dev/null) &&
	   [ "$(field "all(p['state'] == 'running' and (p['health'] is None or p['health']['readiness']['state'] == 'healthy') for p in d['result']['processes'])" <<<"$st")" = True ]; then
		break
	fi
	sleep 0.5
done
t1=$(date +%s%N)
say "vminitctl status, from the host over virtio-serial ($sock): the web's http check is healthy;" \
	"the root is the image, read-only; the volume is mounted"
ctl status
say "the processes' files are the image's: vminitctl exec -- cat /etc/motd"
ctl exec -- cat /etc/motd
say "the web process answers inside the guest: vminitctl exec -- wget -qO- http://127.0.0.1:8080/"
ctl exec -- wget -q -O - http://127.0.0.1:8080/
say "the host reaches the web through QEMU's forward of 127.0.0.1:$port to the guest's 10.0.2.15:8080," \
	"an address vminit configured from [guest.network] (docs/network.md): curl http://127.0.0.1:$port/"
curl -sS --max-time 20 "http://127.0.0.1:$port/"
say "the volume, as the web sees it: vminitctl exec --process web -- ls -l /data"
ctl exec --process web -- ls -l /data
say "a secret from the host: vminitctl secrets --version demo-1 GREETING=greeted-by-a-host-secret;" \
	"the web restarts on it (x-secrets_reload) and shows it"
ctl secrets --version demo-1 GREETING=greeted-by-a-host-secret
for _ in $(seq 1 60); do
	page=$(ctl exec -- wget -q -O - http://127.0.0.1:8080/ 2>/dev/null) && [[ $page == *greeted-by-a-host-secret* ]] && break
	sleep 0.5
done
echo "$page"
[[ $page == *greeted-by-a-host-secret* ]] || { say "the web never showed the secret"; exit 1; }
boot=$(ctl --json hello | field "d['result']['boot']")
say "running and healthy $(( (t1 - t0) / 1000000 )) ms after QEMU started; guest boot clock (ms): $boot"
sleep 3
say "vminitctl shutdown"
ctl shutdown
rc=0
wait $vm || rc=$?
trap - EXIT
if [ "$rc" -eq 0 ] && grep -q 'vminit: powering off' "$log" && ! grep -q 'Kernel panic' "$log"; then
	say "QEMU exited 0 after a clean power-off"
else
	say "QEMU ended with status $rc without a clean power-off (console: $log)"
	exit 1
fi
if e2fsck -fn "$data" >/dev/null 2>&1; then
	say "the volume is clean on the host (e2fsck -fn $data); boot again and the count goes on"
else
	say "e2fsck -fn $data finds the volume not clean"
	exit 1
fi
