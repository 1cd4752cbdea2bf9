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
mkspec poweroff
vm_start "$T/spec.ini"
expect '^vminit: sleeper: running' 5 "up"
vm_signal HUP
expect '^vminit: ignoring signal 1 ' 5 "SIGHUP is ignored"
vm_alive && ok "still up after SIGHUP" || fail "SIGHUP ended PID 1"
for i in $(seq 300); do kill -USR1 "$VM_INIT"; done
sleep 1.2
vm_signal USR2
expect '^vminit: ignoring signal 12 from pid [0-9]+ \(and [0-9]+ more since the last notice\)$' 5 "a stream of ignored signals is summed up"
n=$(count '^vminit: ignoring signal')
[ "$n" -le 3 ] && ok "300 ignored signals made $n console lines" || fail "300 ignored signals made $n console lines"
vm_signal INT
vm_wait 10
expect '^vminit: shutting down: SIGINT \(Ctrl-Alt-Del\)$' 1 "SIGINT shuts down"
expect_poweroff

vm_start "$T/spec.ini"
expect '^vminit: sleeper: running' 5 "up again"
vm_signal PWR
vm_wait 10
expect '^vminit: shutting down: SIGPWR$' 1 "SIGPWR shuts down"
expect_poweroff

mkspec reboot
vm_start "$T/spec.ini"
expect '^vminit: sleeper: running' 5 "up with halt = reboot"
vm_signal TERM
vm_wait 10
expect '^vminit: rebooting$' 1 "halt = reboot reboots"
[ "$VM_STATUS" = 129 ] && ok "the namespace's init ended by reboot (status 129)" || fail "status $VM_STATUS, expected 129"

mkspec poweroff
vm_start "$T/spec.ini"
expect '^vminit: sleeper: running' 5 "up for the fatal-signal check"
vm_signal SEGV
vm_wait 10
expect 'fatal signal 11 in vminit itself' 1 "a fatal signal is caught and logged"
expect 'powering off after a fatal error' 1 "and ends in a power-off"
expect_poweroff
finish
