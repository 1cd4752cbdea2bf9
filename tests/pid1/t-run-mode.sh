# `vminit run FILE` outside PID 1: a child subreaper that reaps re-parented
# orphans too, and exits with the first failed process's status.
. "$(dirname "$0")/lib.sh"
{
	spec_header
	cat <<EOT
[processes.storm]
command = ["$HELPERS/orphans", "500"]
restart.policy = "never"
resources.memory = "64Mi"
[processes.seven]
command = ["/bin/sh", "-c", "sleep 0.5; exit 7"]
restart.policy = "never"
resources.memory = "64Mi"
EOT
} >"$T/spec.ini"
"$VMINIT" run "$T/spec.ini" >"$CONSOLE" 2>&1
rc=$?
[ "$rc" = 7 ] && ok "vminit run exits with the failed process's status (7)" || fail "exit status $rc, expected 7"
expect 'reaped [0-9]+ children, (5[0-9]{2}|[6-9][0-9]{2}|[0-9]{4,}) of them orphans' 1 "the subreaper reaped the 500 orphans"
printf 'schema_version = "v1"\n' >"$T/bad.ini"
"$VMINIT" run "$T/bad.ini" >"$CONSOLE" 2>&1
rc=$?
[ "$rc" = 1 ] && ok "a spec with errors: vminit run exits 1" || fail "exit status $rc for a bad spec"
expect 'at least one \[processes.NAME\] section is required' 1 "and says why"
finish
