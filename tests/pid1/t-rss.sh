# PID 1 gives back the text boot ran (base/trim.c, docs/architecture.md
# "Memory"): once the processes are started, the pages of its binary that the
# loop does not run are no longer mapped, so its file-backed resident set is
# well under the binary's size (before, boot had mapped all of it).
# A bound on memory, not on time: it waits for the drop, at most 30 s.
. "$(dirname "$0")/lib.sh"
{
	spec_header
	cat <<EOT
[processes.idle]
command = ["/bin/sleep", "1000"]
resources.memory = "64Mi"
EOT
} >"$T/spec.ini"
vm_start "$T/spec.ini"
expect '^vminit: idle: running, pid' 30 "idle runs"

size_kb=$(( $(stat -c %s "$VMINIT") / 1024 ))
rss_file() { awk '/^RssFile:/ { print $2 }' "/proc/$VM_INIT/status"; }
trimmed() { [ "$(rss_file)" -lt $((size_kb * 3 / 4)) ]; }
until_ok 30 trimmed && ok "RssFile $(rss_file) kB, under 3/4 of the binary's $size_kb kB" ||
	fail "RssFile $(rss_file) kB: the binary ($size_kb kB) is still mapped nearly whole"
log "VmRSS $(awk '/^VmRSS:/ { print $2 }' "/proc/$VM_INIT/status") kB, VmLck $(awk '/^VmLck:/ { print $2 }' "/proc/$VM_INIT/status") kB"

vm_signal TERM
vm_wait 60
expect_poweroff
finish
