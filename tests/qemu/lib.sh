# lib.sh - helpers for the end-to-end tests: vminit as PID 1 of a real kernel
# in QEMU, observed from the host only (the console, and vminitctl over the
# virtio-serial sockets). Sourced by each tests/qemu/t-*.sh. One boot serves a
# group of checks: booting costs seconds under TCG.
#
# Time: CI runs on a loaded 2-core machine, and TCG makes every guest step
# slower still. So no check depends on how fast anything happens: a test
# waits for what it needs (a state in status, an event, a line) with a
# generous bound, which is only how long to wait before calling it a
# failure; it never reads for a fixed time or sleeps and then asserts.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../../qemu/lib.sh"
VMINITCTL=${VMINITCTL:-$QEMU_ROOT/build/vminitctl}
NAME=$(basename "$0" .sh)
T=$QEMU_BUILD/tests/$NAME
rm -rf "$T"
mkdir -p "$T/root/usr/bin" "$T/root/etc/vminit"
cp "$QEMU_BUILD/vsock-sink" "$T/root/usr/bin/"
CONSOLE=$T/console.log
CTL=$T/ctl.sock
VM_PID= VM_RC=
FAILED=0

log() { printf '  %s\n' "$*"; }
fail() { printf '  FAIL: %s\n' "$*"; FAILED=1; }
ok() { printf '  ok: %s\n' "$*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else fail "$what"; fi; }

vctl() { "$VMINITCTL" -a "serial:$CTL" --timeout 30 "$@"; }
# json EXPR: evaluate EXPR on the JSON document on stdin (as j).
json() { python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"; }

# jtrue FILE EXPR: EXPR holds for the JSON document in FILE.
jtrue() { [ "$(json "$2" <"$1" 2>&1)" = True ]; }

# vm_boot [qemu/run ARGS...]: boot in the background, the console to a file.
vm_boot() {
	"$QEMU_ROOT/qemu/run" --ctl "$CTL" "$@" -- -pidfile "$T/qemu.pid" </dev/null >"$CONSOLE" 2>&1 &
	VM_PID=$!
	VM_RC=
	trap vm_kill EXIT
}

vm_kill() {
	[ -s "$T/qemu.pid" ] && kill "$(cat "$T/qemu.pid")" 2>/dev/null
	[ -z "$VM_PID" ] || wait "$VM_PID" 2>/dev/null
	jobs -p | xargs -r kill 2>/dev/null
}

# wait_ctl [SECONDS]: until vminit answers on the control socket.
wait_ctl() {
	local i
	for i in $(seq $(( ${1:-180} * 4 ))); do
		vctl --timeout 2 ping >/dev/null 2>&1 && return 0
		kill -0 "$VM_PID" 2>/dev/null || return 1
		sleep 0.25
	done
	return 1
}

# until_status SECONDS EXPR: until EXPR holds for `status` (j = the reply).
until_status() {
	local limit=$1 expr=$2 i
	for i in $(seq $((limit * 4))); do
		[ "$(vctl --json status 2>/dev/null | json "$expr" 2>/dev/null)" = True ] && return 0
		sleep 0.25
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
		sleep 0.25
	done
}

# events_until FILE SECONDS EXPR: stream the events from the first into FILE
# until EXPR, a Python expression over ev (the events so far), holds; at most
# SECONDS. Then stop the stream (the serial port takes the next client).
events_until() {
	local file=$1 limit=$2 pid rc=1
	"$VMINITCTL" -a "serial:$CTL" --timeout 30 --json events --since 0 >"$file" 2>&1 &
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

# proc_field NAME FIELD: one field of a process in `status`.
proc_field() {
	vctl --json status | json "[p['$2'] for p in j['result']['processes'] if p['name'] == '$1'][0]"
}

# vm_end [SECONDS]: wait for QEMU to end by itself and check that it was a
# clean power-off by vminit, not a panic (panic=-1 ends QEMU with 0 too).
vm_end() {
	local limit=${1:-120} i
	for i in $(seq $((limit * 10))); do
		kill -0 "$VM_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$VM_PID" 2>/dev/null; then
		fail "QEMU still running ${limit}s after the shutdown"
		vm_kill
		return 1
	fi
	wait "$VM_PID"
	VM_RC=$?
	VM_PID=
	check "QEMU exited with status 0" [ "$VM_RC" = 0 ]
	check "the console shows vminit powering off, then the kernel's power-down" \
		sh -c "grep -q 'vminit: powering off' '$CONSOLE' && grep -q 'reboot: Power down' '$CONSOLE'"
	if grep -Eq 'Kernel panic|Attempted to kill init' "$CONSOLE"; then
		fail "the kernel panicked"
	fi
}

# done_test: the test's status; the console when it failed.
done_test() {
	if [ "$FAILED" != 0 ]; then
		echo "  --- console ($CONSOLE), last 40 lines:"
		tail -n 40 "$CONSOLE" | sed 's/^/  | /'
	fi
	exit "$FAILED"
}
