#!/usr/bin/env bash
# health.sh - what health checks cost PID 1 (bench/README.md). Two parts:
#  1. the check engine (health-bench: base/loop.c + health/, static musl -Os
#     like vminit) with 1000 checks at a 1 s interval, tcp and http;
#  2. vminit itself as PID 1 in fresh namespaces with 127 processes, each with
#     an http readiness and an http liveness check at 1 s (254 checks: the
#     spec file caps processes at 128), beside the same spec without checks.
# Needs root (unshare). Figures, not pass/fail: it fails only if a check
# fails or vminit does not come up.
set -euo pipefail
cd "$(dirname "$0")/.."
make -s all build/bench/health-bench
B=/var/tmp/vminit-bench/health
rm -rf "$B" && mkdir -p "$B"
cp build/bench/health-bench "$B/"
SECS=${SECS:-10}
echo "$(nproc) CPUs, kernel $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== the check engine, 1000 checks at 1 s, ${SECS} s measured"
build/bench/health-bench -k tcp -t "$SECS"
build/bench/health-bench -k http -t "$SECS"

spec() {   # CHECKS(0|1)
	echo 'schema_version = "v1"'
	printf '[processes.servers]\ncommand = ["%s", "-S", "-s", "8"]\nresources.memory = "64Mi"\n' "$B/health-bench"
	for i in $(seq 1 127); do
		port=$((19500 + i % 8))
		printf '[processes.p%03d]\ncommand = ["/bin/sleep", "100000"]\nresources.memory = "64Mi"\nports.0.internal = %d\n' "$i" "$port"
		if [ "$1" = 1 ]; then
			printf 'health.type = "http"\nhealth.port = %d\nhealth.path = "/healthz"\nhealth.interval_seconds = 1\n' "$port"
			printf 'x-liveness.type = "http"\nx-liveness.port = %d\nx-liveness.path = "/live"\nx-liveness.interval_seconds = 1\n' "$port"
		fi
	done
}
pid1() {   # NAME CHECKS
	local runner vm t0 t1 hz=$(getconf CLK_TCK)
	spec "$2" >"$B/$1.ini"
	build/vminit check "$B/$1.ini" >/dev/null
	unshare --fork --pid --mount --net --uts --mount-proc build/vminit --spec "$B/$1.ini" \
		--control "unix:$B/ctl.sock" >"$B/$1.console" 2>&1 &
	runner=$!
	for _ in $(seq 100); do vm=$(pgrep -P "$runner" | head -n1) && [ -n "$vm" ] && break; sleep 0.05; done
	sleep 3   # boot, first checks
	local s0=$(build/vminitctl -a "unix:$B/ctl.sock" --json status)
	t0=$(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$vm/stat")
	sleep "$SECS"
	t1=$(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$vm/stat")
	local st=$(build/vminitctl -a "unix:$B/ctl.sock" --json status)
	local hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$vm/status")
	kill -TERM "$vm"
	wait "$runner" || true
	python3 - "$1" "$t0" "$t1" "$hz" "$SECS" "$hwm" "$s0" "$st" <<'PY'
import json, sys
name, t0, t1, hz, secs, hwm, s0, st = sys.argv[1:]
def sums(text):
    checks = fails = healthy = 0
    for p in json.loads(text)["result"]["processes"]:
        for r in ("readiness", "liveness"):
            h = (p["health"] or {}).get(r)
            if h:
                checks += h["checks"]; fails += h["failed_checks"]; healthy += h["state"] == "healthy"
    return checks, fails, healthy
c0, f0, _ = sums(s0)
c1, f1, healthy = sums(st)
checks, fails = c1 - c0, f1 - f0
cpu = (int(t1) - int(t0)) / int(hz)
per = f"{cpu * 1e6 / checks:.0f} us/check" if checks else "-"
print(f"{name:10s} vminit CPU {100 * cpu / int(secs):5.2f}% of one CPU over {secs} s ({per}); "
      f"{checks / int(secs):.0f} checks/s, {fails} failed, {healthy} healthy; VmHWM {hwm} KiB")
if fails:
    sys.exit(1)
PY
}
echo "== vminit as PID 1: 127 processes (+1 server), ${SECS} s measured (CPU from /proc/PID/stat, 1/$(getconf CLK_TCK) s)"
pid1 no-checks 0
pid1 254-checks 1
