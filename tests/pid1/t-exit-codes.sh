# Exit statuses as a shell reports them: the code, or 128 + the signal.
. "$(dirname "$0")/lib.sh"
{
	spec_header
	for c in 0 1 42 255; do
		cat <<EOT
[processes.code$c]
command = ["/bin/sh", "-c", "exit $c"]
restart.policy = "never"
resources.memory = "64Mi"
EOT
	done
	for s in KILL SEGV TERM; do
		lc=$(echo $s | tr A-Z a-z)
		cat <<EOT
[processes.sig$lc]
command = ["/bin/sh", "-c", "kill -$s \$\$"]
restart.policy = "never"
resources.memory = "64Mi"
EOT
	done
} >"$T/spec.ini"
vm_start "$T/spec.ini"
for c in 0 1 42 255; do
	expect "^vminit: code$c: exited with code $c\$" 30 "exit $c is reported as code $c"
done
expect '^vminit: sigkill: killed by SIGKILL \(status 137\)$' 30 "SIGKILL is 128+9"
expect '^vminit: sigsegv: killed by SIGSEGV \(status 139\)$' 30 "SIGSEGV is 128+11"
expect '^vminit: sigterm: killed by SIGTERM \(status 143\)$' 30 "SIGTERM is 128+15"
expect '^vminit: code0: exited$' 30 "exit 0 under policy never: exited"
expect '^vminit: code42: failed$' 30 "exit 42 under policy never: failed"
# Every process has ended and none will restart: the work is done.
expect 'shutting down: every process has exited' 30 "PID 1 shuts down when the work is done"
vm_wait 60
expect '^vminit: final: code42 failed, exited with code 42, 0 restarts$' 1 "final status of code42"
expect '^vminit: final: sigkill failed, killed by SIGKILL \(status 137\)' 1 "final status of sigkill"
expect_poweroff
finish
