# How PID 1 ends: SIGINT (Ctrl-Alt-Del) and SIGPWR shut down like SIGTERM;
# SIGHUP is ignored; guest.halt = "reboot" ends in a reboot (status 129 for a
# namespace's init); a fatal signal to vminit itself is caught, logged and
# turned into a power-off instead of a crash (a crash would be status 139).
. "$(dirname "$0")/lib.sh"
mkspec() {
	{
		spec_header
		cat <<EOT
[processes.sleeper]
command = ["/bin/sleep", "1000"]
resources.memory = "64Mi"
[guest]
halt = "$1"
stop_timeout_seconds = 2
EOT
	} >"$T/spec.ini"
}
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
mkspec poweroff
vm_start "$T/spec.ini"
expect '^vminit: sleeper: running' 30 "up"
t0=$(now_ms)
vm_signal HUP
expect '^vminit: ignoring signal 1 ' 30 "SIGHUP is ignored"
vm_alive && ok "still up after SIGHUP" || fail "SIGHUP ended PID 1"
# 300 ignored signals, SIGUSR1 and SIGHUP in turn: two kinds, so even if
# they all wait for PID 1 at once, at least two come in and one is held back.
for i in $(seq 150); do kill -USR1 "$VM_INIT"; kill -HUP "$VM_INIT"; done
# Then SIGUSR2 after a quiet spell, until its notice shows (one that came
# within a second of the last notice is held back and counted too).
for i in 1 2 3 4 5; do
	sleep 1.2
	vm_signal USR2
	wait_for '^vminit: ignoring signal 12 ' 3 && break
done
t1=$(now_ms)
# What was held back is counted in the next notice (SIGUSR2's, or one before
# it if the burst outlasted a second).
expect '^vminit: ignoring signal [0-9]+ from pid [0-9]+ \(and [0-9]+ more since the last notice\)$' 1 "a stream of ignored signals is summed up"
# At most one notice a second, all of them between t0 and t1 (one more for
# the rounding of two clocks).
n=$(count '^vminit: ignoring signal')
max=$(( (t1 - t0) / 1000 + 2 ))
[ "$n" -le "$max" ] && ok "300 ignored signals made $n console lines (at most one a second: $max in $((t1 - t0)) ms)" \
	|| fail "300 ignored signals made $n console lines in $((t1 - t0)) ms (at most $max)"
vm_signal INT
vm_wait 60
expect '^vminit: shutting down: SIGINT \(Ctrl-Alt-Del\)$' 1 "SIGINT shuts down"
expect_poweroff

vm_start "$T/spec.ini"
expect '^vminit: sleeper: running' 30 "up again"
vm_signal PWR
vm_wait 60
expect '^vminit: shutting down: SIGPWR$' 1 "SIGPWR shuts down"
expect_poweroff

mkspec reboot
vm_start "$T/spec.ini"
expect '^vminit: sleeper: running' 30 "up with halt = reboot"
vm_signal TERM
vm_wait 60
expect '^vminit: rebooting$' 1 "halt = reboot reboots"
[ "$VM_STATUS" = 129 ] && ok "the namespace's init ended by reboot (status 129)" || fail "status $VM_STATUS, expected 129"

mkspec poweroff
vm_start "$T/spec.ini"
expect '^vminit: sleeper: running' 30 "up for the fatal-signal check"
vm_signal SEGV
vm_wait 60
expect 'fatal signal 11 in vminit itself' 1 "a fatal signal is caught and logged"
expect 'powering off after a fatal error' 1 "and ends in a power-off"
expect_poweroff
finish
