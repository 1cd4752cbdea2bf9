#!/bin/bash
# ctl.sh - benchmark vminit's host channel: round trip and requests per second
# of `status`, beside `ping` as the floor (bench/README.md). Prints figures,
# asserts only that the replies are ok and that vminit ends on SIGTERM.
#
#   bench/ctl.sh [-m pid1|run] [-t SECONDS] [-p PROCESSES] [-P same|split] [-c]
#                [-H] [-i CLIENTS]
#
# -m pid1 (default): vminit as PID 1 in fresh namespaces, as tests/pid1 does
#    (needs root). -m run: `vminit run --control unix:... SPEC`, a subreaper.
# -t: seconds per case (3). -p: how many `sleep` processes the spec runs (10).
# -P: pin vminit to CPU 0 and the client to CPU 0 too (same) or to CPU 1
#    (split); unpinned by default. The round trip depends most on this.
# -c: PID 1 in a cgroup v2 subtree delegated to it (docs/resources.md), so
#    each process has a cgroup and status reads its figures there, not in /proc.
# -H: each process is an HTTP server (tests/helpers/hserver, logging a line a
#    request) with an http health check every second, instead of a `sleep`.
# -i: CLIENTS connections held open all along, idle but for what they follow:
#    half `vminitctl logs -f`, half `vminitctl events` (for the RSS figure
#    with clients connected).
# BENCH_DIR (/var/tmp/vminit-bench) holds the spec, the socket and the
# console: not under /tmp, which PID 1 mounts over.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MODE=pid1 SECONDS_PER=3 PROCS=10 PIN= CGROUP= HEALTH= IDLE=0
while getopts "m:t:p:P:chHi:" o; do
	case $o in
	H) HEALTH=1 ;;
	i) IDLE=$OPTARG ;;
	c) CGROUP=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)/vminit-bench-$$ ;;
	m) MODE=$OPTARG ;;
	t) SECONDS_PER=$OPTARG ;;
	p) PROCS=$OPTARG ;;
	P) PIN=$OPTARG ;;
	*) sed -n '2,21s/^# \{0,1\}//p' "$0"; exit 2 ;;
	esac
done
case $MODE in pid1|run) ;; *) echo "ctl.sh: -m pid1 or -m run" >&2; exit 2 ;; esac
case $PIN in
'') PIN_VM=() PIN_BENCH=() ;;
same) PIN_VM=(taskset -c 0) PIN_BENCH=(taskset -c 0) ;;
split) PIN_VM=(taskset -c 0) PIN_BENCH=(taskset -c 1) ;;
*) echo "ctl.sh: -P same or -P split" >&2; exit 2 ;;
esac
DIR=${BENCH_DIR:-/var/tmp/vminit-bench}
case "$DIR/" in
/tmp/*|/run/*|/dev/*|/proc/*|/sys/*)
	echo "ctl.sh: BENCH_DIR=$DIR would be hidden by PID 1's own mounts" >&2; exit 2 ;;
esac
VMINIT=$ROOT/build/vminit
BENCH=$ROOT/build/bench/ctl-bench
SOCK=$DIR/ctl.sock
SPEC=$DIR/spec.ini
CONSOLE=$DIR/console.log

# ---- build ----
make -s -C "$ROOT" build/vminit build/vminitctl || exit 1
[ -z "$HEALTH" ] || make -s -C "$ROOT" build/helpers/hserver || exit 1
if [ ! -x "$BENCH" ] || [ "$ROOT/bench/ctl-bench.c" -nt "$BENCH" ]; then
	mkdir -p "$(dirname "$BENCH")"
	${CC:-cc} -std=c11 -O2 -Wall -Wextra -Werror -o "$BENCH" "$ROOT/bench/ctl-bench.c" || exit 1
fi

# ---- spec ----
rm -rf "$DIR"
mkdir -p "$DIR"
{
	printf 'schema_version = "v1"\n'
	for i in $(seq "$PROCS"); do
		if [ -n "$HEALTH" ]; then
			# A copy outside build/: PID 1 mounts nothing over BENCH_DIR.
			printf '[processes.web%d]\ncommand = ["%s", "%d", "ok"]\n' "$i" "$DIR/hserver" $((18000 + i))
			printf 'resources.memory = "64Mi"\nports.0.internal = %d\n' $((18000 + i))
			printf 'health.type = "http"\nhealth.port = %d\nhealth.path = "/"\n' $((18000 + i))
			printf 'health.interval_seconds = 1\nhealth.grace_period_seconds = 0\n'
		else
			printf '[processes.sleeper%d]\ncommand = ["/bin/sleep", "1000000"]\nresources.memory = "64Mi"\n' "$i"
		fi
	done
} >"$SPEC"
[ -z "$HEALTH" ] || cp "$ROOT/build/helpers/hserver" "$DIR/hserver"
"$VMINIT" check "$SPEC" >/dev/null || exit 1

# ---- start ----
RUNNER= VM= CLIENTS=()
# On any early exit: SIGTERM, then SIGKILL. Killing PID 1 ends its namespace;
# `vminit run` leaves its children behind, so they are killed by pid first.
cleanup() {
	[ ${#CLIENTS[@]} = 0 ] || kill "${CLIENTS[@]}" 2>/dev/null
	[ -n "$VM" ] && kill -0 "$VM" 2>/dev/null || return
	kill -TERM "$VM" 2>/dev/null
	for _ in $(seq 100); do kill -0 "$VM" 2>/dev/null || break; sleep 0.05; done
	if kill -0 "$VM" 2>/dev/null; then
		[ "$MODE" = run ] && for p in $(pgrep -P "$VM"); do kill -9 "$p"; done
		kill -9 "$VM" 2>/dev/null
	fi
	wait "$RUNNER" 2>/dev/null
	[ -z "$CGROUP" ] || for _ in $(seq 50); do
		find "$CGROUP" -depth -type d -exec rmdir {} + 2>/dev/null
		[ -d "$CGROUP" ] || break
		sleep 0.1
	done
}
trap cleanup EXIT
INTO=()
if [ -n "$CGROUP" ]; then
	mkdir "$CGROUP" || exit 1
	INTO=(/bin/sh -c 'echo 0 >"$0/cgroup.procs" && exec "$@"' "$CGROUP")
fi
if [ "$MODE" = pid1 ]; then
	"${PIN_VM[@]}" unshare --fork --pid --mount --net --uts --mount-proc \
		"${INTO[@]}" "$VMINIT" --spec "$SPEC" --control "unix:$SOCK" </dev/null >"$CONSOLE" 2>&1 &
	RUNNER=$!
	for _ in $(seq 100); do
		VM=$(pgrep -P "$RUNNER" | head -n1)
		[ -n "$VM" ] && break
		sleep 0.05
	done
else
	"${PIN_VM[@]}" "$VMINIT" run --control "unix:$SOCK" "$SPEC" </dev/null >"$CONSOLE" 2>&1 &
	RUNNER=$! VM=$!
fi
[ -n "$VM" ] || { echo "ctl.sh: vminit did not start" >&2; cat "$CONSOLE" >&2; exit 1; }
for _ in $(seq 100); do
	[ -S "$SOCK" ] && "$BENCH" -a "$SOCK" -o ping -1 >/dev/null 2>&1 && break
	sleep 0.05
done
"$BENCH" -a "$SOCK" -o ping -1 >/dev/null || { echo "ctl.sh: the control socket did not answer" >&2; exit 1; }
# Every process running, so that status reads /proc for each of them.
for _ in $(seq 100); do
	[ "$("$BENCH" -a "$SOCK" -o status -1 | grep -o '"state":"running"' | wc -l)" = "$PROCS" ] && break
	sleep 0.05
done
status_bytes=$("$BENCH" -a "$SOCK" -o status -1 | wc -c)
# The idle clients, and PID 1's memory before any load.
CLIENTS=()
for i in $(seq "$IDLE"); do
	if [ $((i % 2)) = 1 ]; then
		"$ROOT/build/vminitctl" -a "unix:$SOCK" logs -f -n 0 >/dev/null 2>&1 &
	else
		"$ROOT/build/vminitctl" -a "unix:$SOCK" events >/dev/null 2>&1 &
	fi
	CLIENTS+=($!)
done
if [ -n "$HEALTH" ]; then
	# Every check has passed at least once.
	for _ in $(seq 100); do
		[ "$("$BENCH" -a "$SOCK" -o status -1 | grep -o '"state":"healthy"' | wc -l)" = "$PROCS" ] && break
		sleep 0.1
	done
fi
sleep 1
rss_before=$(awk '/^VmRSS/ { print $2, $3 }' "/proc/$VM/status")
conns=$("$BENCH" -a "$SOCK" -o status -1 | grep -o '"connections":[0-9]*' | head -n1)

# CPU time (user + system) of vminit, in clock ticks.
TCK=$(getconf CLK_TCK)
vm_ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$VM/stat"; }
kv() { sed -nE "s/.* $1=([^ ]*).*/\1/p" <<<" $2"; }

echo "vminit $MODE mode, pid $VM; $PROCS processes; status reply $status_bytes bytes; ${SECONDS_PER} s per case"
[ -z "$HEALTH" ] || echo "each process an HTTP server with an http health check every second"
[ "$IDLE" = 0 ] || echo "$IDLE clients connected all along (logs -f and events); status says ${conns#*:} connections"
echo "vminit RSS before the load: $rss_before"
[ -z "$CGROUP" ] || echo "in the delegated cgroup $CGROUP: status reads each process's cgroup"
[ -z "$PIN" ] || echo "pinned ($PIN): vminit on CPU 0, client on CPU ${PIN_BENCH[2]}"
echo "$(nproc) CPUs, kernel $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
# Anything else busy on the machine skews every figure: say so.
ps -eo pcpu=,pid=,comm= --sort=-pcpu | awk -v vm="$VM" '$1 >= 20 && $2 != vm { printf "note: %s (pid %s) is using %s%% CPU\n", $3, $2, $1 }'
echo
fmt='%-6s %3s %3s %8s %8s %8s %8s %9s %10s %6s %9s %8s %8s\n'
printf "$fmt" op C D 'req/s' 'p50 us' 'p90 us' 'p99 us' 'max us' 'worst100ms' errors 'vminit%' 'us/req' 'client%'
fails=0
for case in "1 1" "1 16" "8 16" "64 1"; do
	set -- $case
	for op in ping status; do
		t0=$(vm_ticks) w0=$(date +%s%N)
		line=$("${PIN_BENCH[@]}" "$BENCH" -a "$SOCK" -o "$op" -c "$1" -d "$2" -t "$SECONDS_PER" -w 0.5) || fails=$((fails + 1))
		t1=$(vm_ticks) w1=$(date +%s%N)
		cpu_ms=$(( (t1 - t0) * 1000 / TCK ))
		wall_ms=$(( (w1 - w0) / 1000000 ))
		req=$(kv requests "$line") rps=$(kv rps "$line") all=$(kv replies_all "$line")
		# vminit's CPU over the whole case, warm-up and drain included, and
		# per reply over the same span (ticks of 1/CLK_TCK s: rough).
		vpct=$(awk -v c="$cpu_ms" -v w="$wall_ms" 'BEGIN { printf "%.0f", w ? 100 * c / w : 0 }')
		usreq=$(awk -v c="$cpu_ms" -v n="${all:-0}" 'BEGIN { printf "%.1f", n ? c * 1000 / n : 0 }')
		printf "$fmt" "$op" "$1" "$2" "$rps" "$(kv p50_us "$line")" "$(kv p90_us "$line")" \
			"$(kv p99_us "$line")" "$(kv max_us "$line")" "$(kv worst100ms_rps "$line")" \
			"$(kv errors "$line")" "$vpct" "$usreq" "$(kv client_cpu_pct "$line")"
		[ -n "$req" ] || echo "  ctl-bench failed: $line"
	done
done
echo
hwm=$(awk '/^VmHWM/ { print $2, $3 }' "/proc/$VM/status")
rss=$(awk '/^VmRSS/ { print $2, $3 }' "/proc/$VM/status")
total=$(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$VM/stat")
echo "vminit: max RSS (VmHWM) $hwm, RSS now $rss, CPU since start $((total * 1000 / TCK)) ms"
counters=$("$BENCH" -a "$SOCK" -o status -1 | grep -o '"counters":{[^}]*}')
echo "vminit counters: $(sed -E 's/"counters":\{//; s/\}$//; s/"//g; s/,/ /g' <<<"$counters")"
warn=$(grep -ciE 'warn|error|refus|busy|drop' "$CONSOLE")
[ "$warn" = 0 ] || { echo "vminit console: $warn lines about warnings or errors:"; grep -iE 'warn|error|refus|busy|drop' "$CONSOLE" | tail -n 5; }

# ---- stop ----
kill -TERM "$VM"
for _ in $(seq 200); do
	kill -0 "$RUNNER" 2>/dev/null || break
	sleep 0.05
done
if kill -0 "$RUNNER" 2>/dev/null; then
	echo "ctl.sh: vminit still running 10 s after SIGTERM" >&2
	exit 1
fi
wait "$RUNNER"
rc=$?
VM=
# PID 1 powers off: unshare reports the kernel's SIGINT (130). `vminit run`
# exits with its processes' status: they were TERMed on purpose.
echo "vminit ended on SIGTERM (exit status $rc)"
[ "$fails" = 0 ] || { echo "ctl.sh: $fails cases had errors" >&2; exit 1; }
