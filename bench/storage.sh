#!/usr/bin/env bash
# storage.sh [ROUNDS] - what the root switch and a volume cost a boot, in QEMU
# (bench/README.md). Three configurations, booted in turn ROUNDS times (3 by
# default) so that a change in the machine's load falls on all of them:
#   initramfs  one process, run from the initramfs (no [guest.root])
#   root       the same from an erofs image: find the disk, check it, mount it
#              read-only, a tmpfs overlay, move /dev /proc /sys /run /tmp,
#              free the initramfs, switch root
#   root+vol   the same, the process mounting an ext4 volume on its own disk
# From the guest's boot clock (vminitctl hello): /init to the spec read, the
# spec read to the first process started (the root switch and the volume's
# mount happen there), and /init to the first process. Medians, with the
# smallest and largest in brackets. Figures, not pass/fail; not in `make check`.
set -euo pipefail
. "$(dirname "$0")/../qemu/lib.sh"
cd "$QEMU_ROOT"
rounds=${1:-3}
make -s all
qemu/setup.sh
B=$QEMU_BUILD/bench-storage
rm -rf "$B" && mkdir -p "$B"
qemu_base_tree "$B/tree"
qemu/mkimage -o "$B/root.erofs" --fs erofs "$B/tree" >/dev/null
spec() {   # VOLUME(0|1)
	printf 'schema_version = "v1"\n[processes.app]\ncommand = ["/bin/sleep", "100000"]\nresources.memory = "64Mi"\n'
	[ "$1" = 0 ] || printf 'mounts.0.volume = "data"\nmounts.0.path = "/data"\n[volumes.0]\nname = "data"\nsize = "1Gi"\n'
}
spec 0 >"$B/plain.ini"
spec 1 >"$B/vol.ini"

# boot NAME ARGS...: one boot to the first process, its figures appended to
# $B/NAME.txt as "pid1 spec first", then a clean power-off.
boot() {
	local name=$1 sock=$B/ctl.sock i hello
	shift
	rm -f "$B/qemu.pid"
	qemu/run --ctl "$sock" "$@" -- -pidfile "$B/qemu.pid" </dev/null >"$B/console-$name.log" 2>&1 &
	local vm=$!
	for i in $(seq 600); do
		hello=$(build/vminitctl -a "serial:$sock" --timeout 2 --json hello 2>/dev/null) &&
			python3 -c 'import json,sys; sys.exit(json.loads(sys.argv[1])["result"]["boot"]["first_process_ms"] is None)' "$hello" &&
			break
		kill -0 $vm 2>/dev/null || { echo "bench: QEMU ended early (console: $B/console-$name.log)" >&2; exit 1; }
		sleep 0.2
	done
	python3 -c 'import json,sys; b=json.loads(sys.argv[1])["result"]["boot"]; print(b["pid1_ms"], b["spec_loaded_ms"], b["first_process_ms"])' \
		"$hello" >>"$B/$name.txt"
	build/vminitctl -a "serial:$sock" --timeout 30 shutdown >/dev/null
	wait $vm
	grep -q 'vminit: powering off' "$B/console-$name.log" || { echo "bench: no clean power-off ($name)" >&2; exit 1; }
}

echo "$(nproc) CPUs, $(qemu_accel), kernel $(qemu_release), load average $(cut -d' ' -f1-3 /proc/loadavg); $rounds rounds"
for r in $(seq "$rounds"); do
	boot initramfs --spec "$B/plain.ini"
	boot root --spec "$B/plain.ini" --image "$B/root.erofs"
	boot root+vol --spec "$B/vol.ini" --image "$B/root.erofs" --volume "data=$B/data.img:64M"
	echo "round $r done"
done
python3 - "$B" <<'PY'
import statistics, sys
def fmt(xs):
    return "%6d [%d-%d]" % (statistics.median(xs), min(xs), max(xs))
print("%-10s %-22s %-22s %-22s" % ("config", "/init -> spec read", "spec read -> process", "/init -> process (ms)"))
med = {}
for name in ("initramfs", "root", "root+vol"):
    rows = [list(map(int, l.split())) for l in open("%s/%s.txt" % (sys.argv[1], name))]
    a = [s - p for p, s, f in rows]
    b = [f - s for p, s, f in rows]
    c = [f - p for p, s, f in rows]
    med[name] = statistics.median(b)
    print("%-10s %-22s %-22s %-22s" % (name, fmt(a), fmt(b), fmt(c)))
print("the root switch costs ~%d ms; a volume's mount ~%d ms more (medians of spec read -> process)"
      % (med["root"] - med["initramfs"], med["root+vol"] - med["root"]))
PY
