#!/bin/bash
# syscalls.sh - count the system calls vminit makes as PID 1, per scenario,
# under strace -f (bench/README.md). Prints figures, asserts nothing: strace
# slows everything, so only the counts mean anything, never the times.
#
#   bench/syscalls.sh [-n ORPHANS] [-k] [SCENARIO...]
#
# Scenarios (all by default):
#   spawn  - one process, /bin/true, restart never: the VM ends when it has
#            exited. PID 1's calls, and the child's set-up (fork to execve).
#   storm  - ORPHANS (1000) double-forked orphans: PID 1's calls an orphan.
#   stop   - one `sleep`, then SIGTERM to PID 1: PID 1's calls from the
#            signal to its end, and those before the child's SIGTERM.
# -k: keep the traces (BENCH_DIR/*.trace). BENCH_DIR (/var/tmp/vminit-bench-sc)
# is not under /tmp, which PID 1 mounts over. Needs root and strace.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ORPHANS=1000 KEEP=
while getopts "n:kh" o; do
	case $o in
	n) ORPHANS=$OPTARG ;;
	k) KEEP=1 ;;
	*) sed -n '2,16s/^# \{0,1\}//p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
SCENARIOS=("$@")
[ ${#SCENARIOS[@]} -gt 0 ] || SCENARIOS=(spawn storm stop)
DIR=${BENCH_DIR:-/var/tmp/vminit-bench-sc}
VMINIT=$ROOT/build/vminit

build() {
	make -s -C "$ROOT" build/vminit helpers >/dev/null
	rm -rf "$DIR"
	mkdir -p "$DIR"
	cp "$ROOT"/build/helpers/orphans "$DIR"/
}

# spec NAME COMMAND... : a spec of one process, restart never.
spec() {
	local name=$1 arg q=
	shift
	for arg in "$@"; do q+="${q:+, }\"$arg\""; done
	printf 'schema_version = "v1"\n[processes.%s]\ncommand = [%s]\nrestart.policy = "never"\nresources.memory = "64Mi"\n' \
		"$name" "$q" >"$DIR/$name.ini"
}

# trace NAME [SIGNAL_AFTER_SECONDS]: vminit as PID 1 under strace -f.
trace() {
	local name=$1 after=${2:-}
	# A bound, so a spec that never ends the VM cannot hang the bench.
	timeout -s KILL 120 strace -f -qq --decode-pids=pidns -o "$DIR/$name.trace" \
		unshare --fork --pid --mount --mount-proc "$VMINIT" --spec "$DIR/$name.ini" \
		</dev/null >"$DIR/$name.console" 2>&1 &
	local st=$!
	if [ -n "$after" ]; then
		sleep "$after"
		local pid1
		pid1=$(awk '/execve\("[^"]*\/vminit"/ && / = 0$/ { print $1; exit }' "$DIR/$name.trace")
		kill -TERM "$pid1"
	fi
	wait "$st" || true
}

# count NAME: per call, PID 1's count and its children's set-up count (fork
# to their first execve). Prints "total pid1 N", "total setup N" then the calls.
count() {
	awk '
	function name(l) { sub(/^[0-9]+ +/, "", l); sub(/\(.*/, "", l); return l }
	# A fork (done or resumed) by PID 1: its child, by the pid strace sees.
	pid1 && $1 == pid1 && /(fork|clone|clone3|vfork)[( ].*= [0-9]+ \/\* [0-9]+ in strace/ {
		match($0, /\/\* [0-9]+ in strace/); split(substr($0, RSTART), r, " "); kid[r[2]] = 1
	}
	/resumed>/ || /^[0-9]+ +(\+\+\+|---)/ { next }
	{
		pid = $1; call = name($0)
		if (!pid1 && call == "execve" && /execve\("[^"]*\/vminit"/) { pid1 = pid; next }
		if (!pid1) next
		if (pid == pid1) {
			p[call]++; tp++
			if (call == "kill" && /SIGTERM/ && !term) { term = 1; print "pid1 calls before its first kill(SIGTERM): " tp - 1 }
		} else if (kid[pid]) {
			s[call]++; ts++
			if (call == "execve") delete kid[pid]
		}
	}
	END {
		print "total pid1 " tp; print "total setup " ts
		for (c in p) printf "  pid1  %6d %s\n", p[c], c | "sort -k2 -nr"
		close("sort -k2 -nr")
		for (c in s) printf "  setup %6d %s\n", s[c], c | "sort -k2 -nr"
	}' "$DIR/$1.trace"
}

scenario_spawn() {
	spec spawn /bin/true
	trace spawn
	echo "== spawn: one /bin/true, the VM ends after it"
	count spawn
}

scenario_storm() {
	spec storm "$DIR/orphans" "$ORPHANS" "$DIR/storm.done"
	trace storm
	echo "== storm: $ORPHANS orphans"
	count storm | awk -v n="$ORPHANS" '$1 == "total" && $2 == "pid1" { printf "pid1 calls an orphan: %.2f\n", $3 / n } { print }'
}

scenario_stop() {
	spec stop /bin/sleep 1000
	trace stop 2
	echo "== stop: SIGTERM to PID 1 with one sleep running"
	# PID 1's calls from the signal it read (the signalfd) on.
	awk '
	/execve\("[^"]*\/vminit"/ && / = 0$/ && !pid1 { pid1 = $1; next }
	$1 != pid1 || /resumed>/ { next }
	/ read\([0-9]+, "\\17\\0\\0\\0/ { on = 1; n = 0; next }
	on && /kill\(.*SIGTERM/ && !sent { sent = 1; print "pid1 calls from reading SIGTERM to the child'"'"'s SIGTERM: " n }
	on { n++ }
	END { print "pid1 calls from reading SIGTERM to its end: " n }' "$DIR/stop.trace"
	count stop | sed -n '1,3p'
}

build
echo "# $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg), $(git -C "$ROOT" rev-parse --short HEAD)"
for s in "${SCENARIOS[@]}"; do "scenario_$s"; done
[ -n "$KEEP" ] || rm -f "$DIR"/*.trace
