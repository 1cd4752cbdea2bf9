# PID 1's CPU priority (docs/resources.md, "PID 1 gets the CPU first"): PID 1
# runs at nice -10 and leads a session of its own whose autogroup has nice
# -10 too; every process it starts, the first and a restarted one alike,
# runs at the nice PID 1 started with (0 here), and at its oom_score_adj
# (123 here), not PID 1's -1000. Without CAP_SYS_NICE that is
# a warning and everything runs as before. `vminit run` changes no nice.
# Fails when PID 1 does not renice itself, or a process keeps PID 1's -10.
. "$(dirname "$0")/lib.sh"

# record.sh FILE [PARENT]: append this run's nice (field 19 of its stat),
# and its parent's with PARENT; exit 1 on the first run, stay up after.
cat >"$T/record.sh" <<'EOT'
#!/bin/sh
cut -d' ' -f19 /proc/$$/stat >>"$1"
cat /proc/$$/oom_score_adj >>"$1.oom"
[ -n "${2:-}" ] && { cut -d' ' -f19 /proc/$PPID/stat >>"$1"; exit 0; }
[ "$(wc -l <"$1")" -ge 2 ] && exec sleep 1000
exit 1
EOT
spec() {
	spec_header
	cat <<EOT
[processes.first]
command = ["/bin/sh", "$T/record.sh", "$1/first"]
restart.policy = "always"
restart.backoff_seconds = 0
resources.memory = "64Mi"
[processes.again]
command = ["/bin/sh", "$T/record.sh", "$1/again"]
restart.policy = "always"
restart.backoff_seconds = 0
resources.memory = "64Mi"
EOT
}
two_runs() { [ "$(wc -l <"$1" 2>/dev/null)" = 2 ]; }
stat_field() { cut -d' ' -f"$2" "/proc/$1/stat"; }

# 1. As PID 1, with every capability. It starts at oom_score_adj 123 (a
# raise needs no privilege), as it starts at nice 0.
echo 123 >/proc/self/oom_score_adj
mkdir -p "$T/a"
spec "$T/a" >"$T/spec.ini"
vm_start "$T/spec.ini"
until_ok 30 two_runs "$T/a/first" && until_ok 30 two_runs "$T/a/again" \
	&& ok "both processes ran twice (a restart each)" || fail "runs: $(cat "$T"/a/* 2>/dev/null | tr '\n' ' ')"
n=$(cat "$T/a/first" "$T/a/again" | sort -u | tr '\n' ' ')
[ "$n" = "0 " ] && ok "every run of both processes, first and restarted, at nice 0" || fail "the processes' nice: $n"
n=$(cat "$T/a/first.oom" "$T/a/again.oom" | sort -u | tr '\n' ' ')
[ "$n" = "123 " ] && ok "and at the oom_score_adj PID 1 started with (123; PID 1's own: $(cat /proc/$VM_INIT/oom_score_adj))" \
	|| fail "the processes' oom_score_adj: $n"
n=$(stat_field "$VM_INIT" 19)
[ "$n" = -10 ] && ok "PID 1 at nice -10" || fail "PID 1's nice is $n"
s=$(stat_field "$VM_INIT" 6)
[ "$s" = "$VM_INIT" ] && ok "PID 1 leads a session of its own" || fail "PID 1's session is $s"
if [ -e "/proc/$VM_INIT/autogroup" ]; then
	grep -q ' nice -10$' "/proc/$VM_INIT/autogroup" && ok "its autogroup at nice -10" \
		|| fail "PID 1's autogroup: $(cat "/proc/$VM_INIT/autogroup")"
fi
# (This host may lack CAP_SYS_RESOURCE: a warning about oom_score_adj only.)
[ "$(count 'protecting PID 1.*(nice|autogroup)')" = 0 ] && ok "no warning about the nice with CAP_SYS_NICE" \
	|| fail "a warning: $(grep 'protecting PID 1' "$CONSOLE")"
vm_signal TERM
vm_wait 60
expect_poweroff

# 2. Without CAP_SYS_NICE (gone from the bounding set, so from PID 1's exec).
mkdir -p "$T/b"
spec "$T/b" >"$T/spec.ini"
printf '#!/bin/sh\nexec setpriv --bounding-set -sys_nice -- "%s" "$@"\n' "$VMINIT" >"$T/no-nice.sh"
chmod +x "$T/no-nice.sh"
VMINIT=$T/no-nice.sh vm_start "$T/spec.ini"
until_ok 30 two_runs "$T/b/first" && until_ok 30 two_runs "$T/b/again" \
	&& ok "without CAP_SYS_NICE the processes run and restart" || fail "runs: $(cat "$T"/b/* 2>/dev/null | tr '\n' ' ')"
expect '^vminit: warning: protecting PID 1: .*nice -10: Permission denied' 10 "the console says PID 1 could not renice itself"
n=$(stat_field "$VM_INIT" 19)
[ "$n" = 0 ] && ok "PID 1 left at nice 0" || fail "PID 1's nice is $n"
vm_signal TERM
vm_wait 60
expect_poweroff

# 3. `vminit run` (not PID 1), itself started at nice 3: nothing changes.
printf 'schema_version = "v1"\n[processes.once]\ncommand = ["/bin/sh", "%s", "%s", "parent"]\nrestart.policy = "never"\nresources.memory = "64Mi"\n' \
	"$T/record.sh" "$T/run" >"$T/run.ini"
nice -n 3 "$VMINIT" run "$T/run.ini" >"$CONSOLE" 2>&1
rc=$?
[ "$rc" = 0 ] && ok "vminit run ended 0" || fail "vminit run: $rc"
n=$(tr '\n' ' ' <"$T/run" 2>/dev/null)
[ "$n" = "3 3 " ] && ok "vminit run and its process keep nice 3" || fail "process, vminit run: $n"
[ "$(count 'protecting PID 1')" = 0 ] && ok "vminit run does not try" || fail "a warning under vminit run"
finish
