# lib.sh - helpers for the end-to-end tests: vminit as PID 1 of a real kernel
# in QEMU, observed from the host only (the console, and vminitctl over the
# virtio-serial sockets). Sourced by each qemu/tests/t-*.sh. One boot serves a
# group of checks: booting costs seconds under TCG.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
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

vctl() { "$VMINITCTL" -a "serial:$CTL" --timeout 10 "$@"; }
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
	for i in $(seq $(( ${1:-60} * 4 ))); do
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

# proc_field NAME FIELD: one field of a process in `status`.
proc_field() {
	vctl --json status | json "[p['$2'] for p in j['result']['processes'] if p['name'] == '$1'][0]"
}

# vm_end [SECONDS]: wait for QEMU to end by itself and check that it was a
# clean power-off by vminit, not a panic (panic=-1 ends QEMU with 0 too).
vm_end() {
	local limit=${1:-30} i
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
