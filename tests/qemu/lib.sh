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
cp "$QEMU_BUILD/vsock-sink" "$QEMU_BUILD/memhog" "$T/root/usr/bin/"
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

# vm_crash: end QEMU at once with SIGKILL, as a host losing the VM would:
# the guest gets no say, its disks keep what QEMU had written.
vm_crash() {
	[ -s "$T/qemu.pid" ] && kill -KILL "$(cat "$T/qemu.pid")" 2>/dev/null
	wait "$VM_PID" 2>/dev/null
	VM_PID=
	rm -f "$T/qemu.pid"
}

# vm_monitor SOCK COMMAND...: each COMMAND on QEMU's human monitor (qemu/run
# --monitor SOCK); its answers on stdout. Fails if one answers an error.
vm_monitor() {
	python3 - "$@" <<'PY'
import re, socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(30)
s.connect(sys.argv[1])
def answer():
    b = b""
    while not b.endswith(b"(qemu) "):
        c = s.recv(4096)
        if not c:
            sys.exit("monitor closed")
        b += c
    # The monitor echoes what it is sent with terminal escapes: keep the
    # lines after the echo, without them.
    t = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", b.decode(errors="replace"))
    return "\n".join(t.replace("\r", "").split("\n")[1:-1]).strip()
answer()
bad = 0
for c in sys.argv[2:]:
    s.sendall(c.encode() + b"\n")
    a = answer()
    print(a)
    bad |= bool(re.search(r"(?i)error|could not|failed", a))
sys.exit(bad)
PY
}

# ---- snapshots (t-resume.sh) ----
# vm_save MON SNAP: stop the guest, save its state to SNAP, end QEMU. The
# guest's run must be restartable with the same qemu/run arguments (an
# --initrd FILE) and --incoming SNAP (vm_restore).
vm_save() {
	local i qpid
	vm_monitor "$1" stop "migrate \"exec:cat > $2\"" >/dev/null || return 1
	for i in $(seq 240); do
		vm_monitor "$1" "info migrate" 2>/dev/null | grep -q '^Migration status: completed' && break
		sleep 0.25
	done
	vm_monitor "$1" "info migrate" | grep -q '^Migration status: completed' || return 1
	qpid=$(cat "$T/qemu.pid" 2>/dev/null)
	vm_monitor "$1" quit >/dev/null 2>&1
	wait "$VM_PID" 2>/dev/null
	# Gone for sure, with its sockets: a QEMU that ends after the next one
	# started would remove the next one's socket files on its way out.
	until_ok 60 sh -c "! kill -0 '$qpid' 2>/dev/null" || return 1
	VM_PID=
	rm -f "$T/qemu.pid"
}
# vm_restore MON SNAP [qemu/run ARGS...]: the same QEMU again, from SNAP,
# its console appended to the first's; running once `cont` is taken.
vm_restore() {
	local mon=$1 snap=$2
	shift 2
	"$QEMU_ROOT/qemu/run" --ctl "$CTL" "$@" --incoming "$snap" -- -pidfile "$T/qemu.pid" \
		</dev/null >>"$CONSOLE" 2>&1 &
	VM_PID=$!
	trap vm_kill EXIT
	until_ok 60 test -S "$mon" || return 1
	# While the state still comes in, cont is refused or only noted (and
	# the saved VM was stopped, so QEMU ends the restore paused): again
	# until it runs.
	until_ok 180 vm_cont "$mon"
}
vm_cont() {
	vm_monitor "$1" cont >/dev/null 2>&1
	vm_monitor "$1" "info status" 2>/dev/null | grep -q 'VM status: running'
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
	# A VM, not a PID namespace: the sync and the unmounts (docs/architecture.md).
	check "vminit took the VM's last steps (sync, unmount), not a namespace's" \
		sh -c "grep -q 'vminit: unmounting file systems' '$CONSOLE' && ! grep -q 'vminit: in a PID namespace' '$CONSOLE'"
	if grep -Eq 'Kernel panic|Attempted to kill init' "$CONSOLE"; then
		fail "the kernel panicked"
	fi
}

# ---- storage (t-storage*.sh) ----
# fs_clean IMG: e2fsck -fn finds nothing and the superblock says clean.
fs_clean() {
	e2fsck -fn "$1" >"$T/e2fsck.out" 2>&1 &&
		dumpe2fs -h "$1" 2>/dev/null | grep -Eq '^Filesystem state: +clean$' &&
		! dumpe2fs -h "$1" 2>/dev/null | grep -q needs_recovery
}
# inproc PROC CMD...: CMD in PROC's own view (its mount namespace).
inproc() { local p=$1; shift; vctl exec --process "$p" -- "$@"; }
# root_is DICT: the root in status has these fields (Python dict).
# vol_is SECONDS NAME COND: volume NAME in status meets COND (as v).
root_is() { until_status 60 "all(j['result']['storage']['root'][k] == v for k, v in $1.items())"; }
vol_is() { until_status "$1" "[v for v in j['result']['storage']['volumes'] if v['name'] == '$2' and $3] != []"; }
# console_has TEXT [SECONDS]: until the console has TEXT (a grep pattern).
console_has() { until_ok "${2:-60}" grep -q -- "$1" "$CONSOLE"; }

# done_test: the test's status; the console when it failed.
done_test() {
	if [ "$FAILED" != 0 ]; then
		echo "  --- console ($CONSOLE), last 40 lines:"
		tail -n 40 "$CONSOLE" | sed 's/^/  | /'
	fi
	exit "$FAILED"
}
