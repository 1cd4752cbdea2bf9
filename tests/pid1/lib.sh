# lib.sh - helpers for the PID 1 behaviour tests. Sourced by each test.
#
# A test writes a spec, boots build/vminit as PID 1 in fresh namespaces
# (unshare --fork --pid --mount --net --uts --mount-proc), and observes it from
# outside only: the console (captured to a file), files its workloads write,
# and /proc of the host. PID 1 mounts fresh file systems on /tmp, /run, /dev,
# /proc and /sys, so whatever a test shares with its workloads (specs, helper
# programs, output) lives under /var/tmp/vminit-tests/CHECKOUT (a number
# for this checkout's path, so two checkouts can run their suites at once),
# wherever the checkout is (a clone under /tmp would be hidden), or under
# $VMINIT_TEST_DIR.
#
# Time: CI runs on a loaded 2-core machine, so no check may depend on how fast
# anything happens. A test waits for the event it needs (a console line, a
# file, a state in status, an event) with a generous bound, and never sleeps
# and then asserts; a bound is only how long to wait before calling it a
# failure, never the thing checked. Waits for the console stop early once
# the VM has ended (the console is then complete). A duration is checked only
# from below (a delay honoured: it cannot be shorter however busy the
# machine is), or against vminit's own figures, never as "within X ms".

set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VMINIT=${VMINIT:-$ROOT/build/vminit}
VMINITCTL=${VMINITCTL:-$ROOT/build/vminitctl}
NAME=$(basename "$0" .sh)
TESTS=${VMINIT_TEST_DIR:-/var/tmp/vminit-tests/$(printf %s "$ROOT" | cksum | cut -d' ' -f1)}
case "$TESTS/" in
/tmp/*|/run/*|/dev/*|/proc/*|/sys/*)
	echo "VMINIT_TEST_DIR=$TESTS would be hidden by PID 1's own mounts" >&2; exit 1 ;;
esac
T=$TESTS/$NAME
HELPERS=$T/helpers
rm -rf "$T"
mkdir -p "$T" "$HELPERS"
chmod 0777 "$TESTS" "$T"
cp "$ROOT"/build/helpers/* "$HELPERS"/
CONSOLE=$T/console.log
VM_PID=      # unshare's pid (our child)
VM_INIT=     # vminit's pid, as the host sees it
VM_STATUS=   # unshare's exit status once it ended
FAILED=0

log() { printf '  %s\n' "$*"; }
fail() { printf '  FAIL: %s\n' "$*"; FAILED=1; }
ok() { printf '  ok: %s\n' "$*"; }

# The spec header every test starts from.
spec_header() {
	printf 'schema_version = "v1"\n'
}

# vm_start SPEC [extra vminit args]: boot vminit as PID 1 on SPEC.
vm_start() {
	# PID 1's own stdin has content, so a process that inherited it instead
	# of getting /dev/null would show; and it starts with SIGPIPE and the
	# libc-reserved signals 32 and 33 ignored (as some CI runners start
	# programs), so a disposition it failed to reset would show too; and
	# with SIGUSR2 ignored, one PID 1 handles and must set back itself
	# (its children then leave it alone: t-process-setup, t-signals).
	echo "PID 1's stdin, not /dev/null" >"$T/pid1-stdin"
	local spec=$1 into=()
	shift
	# VM_CGROUP: a cgroup v2 directory PID 1 moves into before vminit runs,
	# as the only task there: a delegated subtree (cg_delegate).
	[ -n "${VM_CGROUP:-}" ] && into=(/bin/sh -c 'echo 0 >"$0/cgroup.procs" && exec "$@"' "$VM_CGROUP")
	"$HELPERS/sigign" 12 13 32 33 -- unshare --fork --pid --mount --net --uts --mount-proc \
		"${into[@]}" "$VMINIT" --spec "$spec" "$@" <"$T/pid1-stdin" >"$CONSOLE" 2>&1 &
	VM_PID=$!
	VM_STATUS=
	local i
	for i in $(seq 400); do
		VM_INIT=$(pgrep -P "$VM_PID" 2>/dev/null | head -n1)
		[ -n "$VM_INIT" ] && return 0
		# A short-lived VM may be over before we look: that is no failure.
		kill -0 "$VM_PID" 2>/dev/null || return 0
		sleep 0.05
	done
	fail "vminit did not start"
	return 1
}

# vm_over: the VM has ended (or never ran): nothing more will be written.
vm_over() { [ -z "$VM_PID" ] || ! kill -0 "$VM_PID" 2>/dev/null; }

# wait_for REGEX [SECONDS]: until the console has a line matching REGEX; at
# most SECONDS (30), and no longer than the VM runs.
wait_for() {
	local re=$1 limit=${2:-30} i over
	for i in $(seq $((limit * 20))); do
		over=1; vm_over || over=
		grep -Eq -- "$re" "$CONSOLE" 2>/dev/null && return 0
		[ -n "$over" ] && return 1
		sleep 0.05
	done
	return 1
}

# until_ok SECONDS CMD...: run CMD until it succeeds, for at most SECONDS.
until_ok() {
	local end=$((SECONDS + $1))
	shift
	while :; do
		"$@" && return 0
		[ $SECONDS -lt $end ] || return 1
		sleep 0.1
	done
}

# expect REGEX [SECONDS] DESCRIPTION
expect() {
	if wait_for "$1" "${2:-30}"; then ok "$3"; else fail "$3 (no console line matching /$1/)"; fi
}

# count REGEX: console lines matching
count() { grep -Ec -- "$1" "$CONSOLE" 2>/dev/null || true; }

# wait_file PATH [SECONDS]
wait_file() {
	local f=$1 limit=${2:-30} i
	for i in $(seq $((limit * 20))); do
		[ -e "$f" ] && return 0
		sleep 0.05
	done
	return 1
}

vm_alive() { [ -n "$VM_INIT" ] && kill -0 "$VM_INIT" 2>/dev/null; }

# descendants: host pids of every process in the namespace but vminit.
# zombies: how many of them are zombies. One ps pass each, however many.
ns_ps() {
	ps -e -o pid=,ppid=,stat= | awk -v root="$VM_INIT" -v want="$1" '
		{ parent[$1] = $2; st[$1] = $3 }
		END { n = 0
		      for (p in parent) { q = p; while (q in parent && q != root && q > 1) q = parent[q]
		          if (q != root || p == root) continue
		          if (want == "list") print p; else if (st[p] ~ /^Z/) n++ }
		      if (want == "zombies") print n }'
}
descendants() { ns_ps list; }
zombies() { ns_ps zombies; }

vm_signal() { kill "-$1" "$VM_INIT"; }

# The host channel: vm_start SPEC --control "unix:$CTL_SOCK", then ctl ARGS.
CTL_SOCK=$T/ctl.sock
# A generous deadline (a busy machine is slow), but a test whose VM went away
# must fail fast: vminitctl would retry a refused connect until it.
ctl() {
	if ! vm_alive; then echo "ctl: vminit is not running" >&2; return 3; fi
	"$VMINITCTL" -a "unix:$CTL_SOCK" --timeout 30 "$@"
}
wait_ctl() {
	local end=$((SECONDS + 30))
	while vm_alive && [ $SECONDS -lt $end ]; do
		[ -S "$CTL_SOCK" ] && ctl --timeout 5 ping >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	fail "the control socket did not answer"
	return 1
}
# events_until FILE SECONDS EXPR: stream the events from the first into FILE
# until EXPR, a Python expression over ev (the list of events so far), holds;
# at most SECONDS. Then stop the stream.
events_until() {
	local file=$1 limit=$2 pid rc=1
	# vminitctl itself, not ctl: $! must be the process to stop.
	"$VMINITCTL" -a "unix:$CTL_SOCK" --timeout 30 --json events --since 0 >"$file" 2>/dev/null &
	pid=$!
	until_ok "$limit" events_hold "$file" "$3" && rc=0
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return $rc
}
# events_hold FILE EXPR: EXPR holds for the events in FILE (as ev).
events_hold() {
	python3 -c '
import json, sys
ev = []
for l in open(sys.argv[1]):
    try:
        ev.append(json.loads(l)["event"])
    except (ValueError, KeyError):
        pass
sys.exit(0 if eval("(" + sys.argv[2] + ")") else 1)' "$1" "$2" 2>/dev/null
}
# json EXPR: evaluate a Python expression over the JSON on stdin (as j).
json() { python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"; }

# vm_wait [SECONDS]: wait for vminit to end; VM_STATUS is unshare's status
# (130 = the namespace's init powered off: the kernel's SIGINT; 129 = reboot).
vm_wait() {
	local limit=${1:-60} i
	for i in $(seq $((limit * 20))); do
		if ! kill -0 "$VM_PID" 2>/dev/null; then
			{ wait "$VM_PID"; VM_STATUS=$?; } 2>/dev/null
			return 0
		fi
		sleep 0.05
	done
	fail "vminit still running after ${limit}s"
	return 1
}

expect_poweroff() {
	if [ "$VM_STATUS" = 130 ]; then ok "PID 1 powered off cleanly (reboot(RB_POWER_OFF))"
	else fail "expected a clean power-off (status 130), got status $VM_STATUS"; fi
}

# cg_delegate: a fresh cgroup v2 directory for one VM (VM_CGROUP), under the
# host's cgroup2 mount; cg_remove takes it away once the VM is over.
CG2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
cg_delegate() {
	[ -n "$CG2" ] || { fail "this machine has no cgroup2 mount"; return 1; }
	VM_CGROUP=$CG2/vminit-test-$NAME-$$
	mkdir "$VM_CGROUP" || { fail "cannot make $VM_CGROUP"; return 1; }
}
# Leaves first: each is empty once the VM's tasks are gone.
cg_remove() {
	local i
	[ -n "${VM_CGROUP:-}" ] && [ -d "$VM_CGROUP" ] || return 0
	for i in $(seq 100); do
		find "$VM_CGROUP" -depth -type d -exec rmdir {} + 2>/dev/null
		[ -d "$VM_CGROUP" ] || return 0
		sleep 0.1
	done
	fail "$VM_CGROUP left behind"
}

# Always leave nothing behind: killing a PID namespace's init ends them all.
cleanup() {
	if [ -n "$VM_INIT" ] && kill -0 "$VM_INIT" 2>/dev/null; then
		kill -9 "$VM_INIT" 2>/dev/null
	fi
	[ -n "$VM_PID" ] && wait "$VM_PID" 2>/dev/null
	cg_remove
	if [ "$FAILED" != 0 ]; then
		echo "  --- console ($CONSOLE), last 40 lines ---"
		tail -n 40 "$CONSOLE" 2>/dev/null | sed 's/^/  | /'
	fi
}
trap cleanup EXIT

finish() {
	exit "$FAILED"
}
