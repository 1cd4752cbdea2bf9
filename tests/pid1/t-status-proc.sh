# status reads each running process's figures from its /proc/PID/stat, kept
# open (docs/protocol.md §4, "status" figures):
#   - while a process runs, PID 1 holds one fd to its /proc/PID/stat, opened
#     by the first status that reads it
#   - once the process has ended, that fd is closed, with no status in
#     between (at the reap, not at the next request)
#   - a crash loop polled by status all along (30 restarts and more) leaves
#     no fd behind: at most one per running process
#   - the figures are read again, not kept: a process that burns CPU shows
#     its cpu_user_ms + cpu_system_ms grow from one status to a later one
# PID 1 is not in a delegated cgroup here, so status reads /proc.
. "$(dirname "$0")/lib.sh"
{
	spec_header
	cat <<EOT
[processes.idle]
command = ["/bin/sleep", "1000"]
resources.memory = "64Mi"
[processes.short]
command = ["/bin/sleep", "1000"]
restart.policy = "never"
resources.memory = "64Mi"
[processes.burn]
command = ["/bin/sh", "-c", "while :; do :; done"]
resources.memory = "64Mi"
[processes.crash]
command = ["/bin/sh", "-c", "sleep 0.05; exit 1"]
restart.policy = "always"
restart.backoff_seconds = 0
resources.memory = "64Mi"
EOT
} >"$T/spec.ini"
vm_start "$T/spec.ini" --control "unix:$CTL_SOCK"
wait_ctl || finish

# stat_fds: how many of PID 1's fds are a /proc/PID/stat (as PID 1 sees it).
stat_fds() {
	local n=0 f
	for f in /proc/"$VM_INIT"/fd/*; do
		case $(readlink "$f" 2>/dev/null) in /proc/[0-9]*/stat) n=$((n + 1)) ;; esac
	done
	echo "$n"
}
# has_fd PID: PID 1 holds an fd to /proc/PID/stat (PID in its namespace).
has_fd() {
	local f
	for f in /proc/"$VM_INIT"/fd/*; do
		[ "$(readlink "$f" 2>/dev/null)" = "/proc/$1/stat" ] && return 0
	done
	return 1
}
no_fd() { ! has_fd "$1"; }
# field PROC EXPR: EXPR over process PROC's object (as p) in a status reply.
field() { ctl --json status "$1" | json "[p for p in j['result']['processes'] if p['name'] == '$1'][0]$2"; }
running() { [ "$(field "$1" "['state']")" = running ]; }

until_ok 30 running idle && until_ok 30 running short && until_ok 30 running burn ||
	fail "idle, short and burn did not all start"
ctl --json status >/dev/null
n=$(stat_fds)
short=$(field short "['pid']")
log "fds to a /proc/PID/stat after one status: $n; short is pid $short"
# idle, short and burn for sure; crash when it happened to be running.
[ "$n" -ge 3 ] && [ "$n" -le 4 ] && ok "one kept fd per running process" ||
	fail "$n fds to /proc/PID/stat, not 3 or 4"
has_fd "$short" && ok "one of them is short's" || fail "no fd to /proc/$short/stat"

# The fd goes at the reap: no status between the stop and the look.
ctl stop short >/dev/null || fail "stop short"
until_ok 30 no_fd "$short" && ok "short's fd closed once it ended, without a status" ||
	fail "PID 1 still holds /proc/$short/stat after short ended"

# A crash loop polled all along.
python3 - "$CTL_SOCK" >"$T/poll" <<'PY'
import json, socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(30)
f = s.makefile("rb")
end = time.time() + 60
restarts = 0
while restarts < 30 and time.time() < end:
    s.sendall(b'{"id":1,"op":"status","process":"crash"}\n')
    restarts = json.loads(f.readline())["result"]["processes"][0]["restarts"]
print(restarts)
PY
restarts=$(cat "$T/poll")
n=$(stat_fds)
log "$restarts restarts of crash under status polling; then $n fds to /proc/PID/stat"
[ "${restarts:-0}" -ge 30 ] && ok "crash restarted 30 times under status polling" || fail "only ${restarts:-?} restarts"
# idle and burn, and crash if it runs now.
[ "$n" -le 3 ] && ok "no fd left behind by the restarts" || fail "$n fds to /proc/PID/stat after the restarts"

# Figures that move: burn's CPU grows between two replies.
cpu() { ctl --json status burn | json "j['result']['processes'][0]['cpu_user_ms'] + j['result']['processes'][0]['cpu_system_ms']"; }
c0=$(cpu)
grown() { [ "$(cpu)" -ge $((c0 + 50)) ]; }
until_ok 60 grown && ok "burn's CPU time grows from one status to the next (from ${c0} ms)" ||
	fail "burn's CPU time stayed at ${c0} ms"
ctl stop burn >/dev/null

vm_signal TERM
vm_wait 60
finish
