# Firecracker's hybrid vsock, with a stand-in for its host side
# (tests/helpers/fc-standin.c) in front of vminit's control socket:
#   - vminitctl -a fc:UDS:PORT writes CONNECT PORT, gets OK, and talks
#   - started before the guest listens (vminit not booted yet, so the
#     stand-in closes each attempt without OK), it retries until vminit is up
#   - with nobody ever listening it gives up at its deadline with exit 3
#   - the wrong port finds nobody, as on Firecracker
#   - shutdown --reboot reboots, whatever the spec's halt says
. "$(dirname "$0")/lib.sh"
UDS=$T/fc.vsock
{
	spec_header
	cat <<EOT
[processes.web]
command = ["/bin/sleep", "1000"]
resources.memory = "64Mi"
EOT
} >"$T/spec.ini"
"$HELPERS/fc-standin" "$UDS" "$T/guest" 2>"$T/standin.log" &
STANDIN=$!
wait_file "$UDS" 30 || fail "the stand-in did not start"

start=$(date +%s%N)
"$VMINITCTL" -a "fc:$UDS:1024" --timeout 2 ping >/dev/null 2>"$T/err"; rc=$?
took=$(( ($(date +%s%N) - start) / 1000000 ))
# Its own count of the time it tried (a loaded machine only adds to the wall
# time around it): the 2 s deadline, not less; the wall time only catches a hang.
gave_up=$(sed -nE 's/.*gave up after ([0-9]+) ms.*/\1/p' "$T/err")
[ $rc = 3 ] && [ "${gave_up:-0}" -ge 1900 ] && [ $took -lt 30000 ] && ok "nobody listening: exit 3, gave up after the 2 s deadline ($gave_up ms)" \
	|| fail "nobody listening: rc $rc after $took ms: $(cat "$T/err")"
n=$(grep -c . "$T/standin.log")
[ "$n" -ge 2 ] && ok "it retried ($n attempts)" || fail "only $n attempts"

# The guest's vsock port 1024 is played by $T/guest_1024: vminit's unix listener.
"$VMINITCTL" -a "fc:$UDS:1024" --timeout 60 --json status >"$T/early" 2>"$T/err" &
EARLY=$!
sleep 1
vm_start "$T/spec.ini" --control "unix:$T/guest_1024"
wait $EARLY; rc=$?
[ $rc = 0 ] && [ "$(json "j['result']['processes'][0]['name']" <"$T/early")" = web ] \
	&& ok "started before the guest listened, vminitctl got its status once vminit was up" \
	|| fail "early client: rc $rc: $(cat "$T/early" "$T/err")"
[ "$("$VMINITCTL" -a "fc:$UDS:1024" exec -- /bin/echo through firecracker)" = "through firecracker" ] \
	&& ok "exec over fc:" || fail "exec over fc:"
"$VMINITCTL" -a "fc:$UDS:1025" --timeout 1 ping >/dev/null 2>&1; rc=$?
[ $rc = 3 ] && ok "the wrong port: nobody there, exit 3" || fail "wrong port: rc $rc"

"$VMINITCTL" -a "fc:$UDS:1024" shutdown --reboot >/dev/null
vm_wait 20
[ "$VM_STATUS" = 129 ] && ok "shutdown --reboot over fc: rebooted (the spec says power off)" \
	|| fail "shutdown --reboot: status $VM_STATUS, want 129"
kill $STANDIN 2>/dev/null; wait $STANDIN 2>/dev/null
finish
