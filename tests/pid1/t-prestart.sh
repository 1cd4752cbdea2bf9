# Prestart hooks: env prestart, then the process's prestart, then the process;
# a failing hook is a failed start (the restart policy applies, the process
# does not run); a hook over its timeout is killed with its children.
. "$(dirname "$0")/lib.sh"
{
	spec_header
	cat <<EOT
[env]
vars = ["WHO=env-level"]
prestart = ["/bin/sh", "-c", "echo env-prestart \$WHO \$PNAME >> $T/order.\$PNAME"]
prestart_timeout_seconds = 5
[processes.order]
command = ["/bin/sh", "-c", "echo main >> $T/order.order; exec sleep 1000"]
prestart = ["/bin/sh", "-c", "echo proc-prestart >> $T/order.order"]
vars = ["PNAME=order"]
resources.memory = "64Mi"
[processes.hookfail]
command = ["/bin/sh", "-c", "echo main >> $T/hookfail.main"]
prestart = ["/bin/sh", "-c", "echo try >> $T/hookfail.tries; exit 3"]
vars = ["PNAME=hookfail"]
restart.policy = "on-failure"
restart.max_retries = 1
restart.backoff_seconds = 0
resources.memory = "64Mi"
[processes.hookslow]
command = ["/bin/sh", "-c", "echo main >> $T/hookslow.main"]
prestart = ["/bin/sh", "-c", "sleep 1000 & echo \$! > $T/hookslow.child; sleep 1000"]
prestart_timeout_seconds = 1
vars = ["PNAME=hookslow"]
restart.policy = "never"
resources.memory = "64Mi"
EOT
} >"$T/spec.ini"
vm_start "$T/spec.ini"
expect '^vminit: order: running, pid' 30 "order: the main process started"
# The process writes its line some time after it started: wait for it.
until_ok 30 grep -qsx main "$T/order.order"
order=$(grep -v env-prestart "$T/order.order" | tr '\n' ' '; true)
first=$(head -n1 "$T/order.order")
[ "$first" = "env-prestart env-level order" ] && ok "env prestart runs first, with the process's env" \
	|| fail "first line of order was '$first'"
[ "$order" = "proc-prestart main " ] && ok "then the process prestart, then the process" \
	|| fail "order after env prestart was '$order'"
expect '^vminit: error: hookfail: prestart failed: exited with code 3$' 30 "a failing prestart is reported"
expect '^vminit: hookfail: failed$' 30 "a failing prestart is a failed start: on-failure gives up after max_retries"
[ "$(wc -l <"$T/hookfail.tries")" = 2 ] && ok "hookfail: tried 1 + max_retries times" || fail "hookfail tries: $(wc -l <"$T/hookfail.tries")"
[ ! -e "$T/hookfail.main" ] && ok "hookfail: the process never ran" || fail "hookfail: the process ran after a failed prestart"
expect '^vminit: error: hookslow: prestart timed out after 1s: killing it$' 30 "a prestart over its timeout is killed"
expect '^vminit: hookslow: failed$' 30 "a timed-out prestart is a failed start"
[ ! -e "$T/hookslow.main" ] && ok "hookslow: the process never ran" || fail "hookslow: the process ran"
# Everything in the namespace in the end: the order process's sleep only; the
# slow hook's background child must go with it (killed children may take a
# moment to be gone: wait for it).
until_ok 30 eval '[ "$(descendants | wc -l)" = 1 ]'
left=$(descendants | xargs -r -n1 -I{} cat /proc/{}/cmdline 2>/dev/null | tr '\0' ' ' ; true)
n=$(descendants | wc -l)
[ "$n" = 1 ] && ok "the timed-out hook's children were killed too" || fail "$n processes left: $left"
vm_signal TERM
vm_wait 60
expect_poweroff
finish
