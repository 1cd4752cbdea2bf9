# The push: vminit connects out to the host and sends its events.
#   - boot does not wait for the host: the listener comes up later, and the
#     push connects on its own retries
#   - the first item is the ready event with the boot timings; then every
#     event from the oldest kept
#   - a shutdown asked over the channel ends with the final event, carrying
#     each process's final status, delivered before the power-off
#   - the listener drops the connection once: the push reconnects, says
#     ready again and goes on without a gap
#   - a VM whose only process ends at once powers off by itself, and the host
#     still gets the final event
#   - with no host at all, the shutdown still ends, after the flush bound
. "$(dirname "$0")/lib.sh"
HOST_SOCK=$T/host.sock
{
	spec_header
	cat <<EOT
[processes.web]
command = ["/bin/sleep", "1000"]
resources.memory = "64Mi"
[processes.job]
command = ["/bin/sh", "-c", "exit 5"]
restart.policy = "never"
resources.memory = "64Mi"
[guest]
push = "unix:$HOST_SOCK"
stop_timeout_seconds = 2
EOT
} >"$T/spec.ini"

# listen: a host that keeps what it receives (one line per item, prefixed
# with the connection's number). It drops the first connection when the file
# $T/drop appears, and writes $T/dropped once it has. The drop is asked for
# while nothing is on its way, so what vminit wrote before it was all read:
# vminit cannot know of items a host took from the socket and threw away.
listen() {
	python3 - "$HOST_SOCK" "$T/pushed" "$T/drop" "$T/dropped" <<'PY' &
import os, select, socket, sys
path, out, drop, dropped = sys.argv[1:5]
if os.path.exists(path): os.unlink(path)
s = socket.socket(socket.AF_UNIX); s.bind(path); s.listen(4)
f = open(out, "a", buffering=1)
conns = 0
while True:
    c, _ = s.accept(); conns += 1
    c.shutdown(socket.SHUT_WR)   # a receive-only host: vminit must keep sending
    buf = b""
    while True:
        if conns == 1 and os.path.exists(drop):
            break
        if not select.select([c], [], [], 0.1)[0]:
            continue
        data = c.recv(65536)
        if not data:
            break
        buf += data
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            f.write("%d %s\n" % (conns, line.decode()))
    c.close()
    if conns == 1:
        open(dropped, "w").close()
PY
	LISTENER=$!
}
pushed() {   # CONN REGEX: the connection brought an item matching REGEX
	grep -Eq "^$1 .*$2" "$T/pushed" 2>/dev/null
}

vm_start "$T/spec.ini" --control "unix:$CTL_SOCK"
wait_ctl || finish
expect '^vminit: job: failed$' 30 "the job ran (and failed: exit 5, restart never)"
sleep 0.5
vm_alive && ok "boot went on with no host listening for the push" || fail "PID 1 is gone"
listen
# The first connection brings every event so far, up to the job's end (the
# push's retries back off up to 5 s: generous bounds). Then the host drops it
# and new events come (web restarted): they must reach the host through a
# second connection, which starts with ready again, without a gap.
until_ok 60 pushed 1 '"type":"process.settled","process":"job"' || fail "the first push connection did not bring the job's end"
touch "$T/drop"
wait_file "$T/dropped" 30 || fail "the host did not drop the connection"
ctl restart web >/dev/null || fail "restart web"
until_ok 60 pushed 2 '"type":"process.started","process":"web"' || fail "the web's restart did not reach the host"
python3 - "$T/pushed" >"$T/check" <<'PY'
import json, sys
lines = [l.split(" ", 1) for l in open(sys.argv[1])]
first = {}
for conn, text in lines:
    first.setdefault(conn, json.loads(text))
ok = []
for conn in ("1", "2"):
    e = first.get(conn, {}).get("event", {})
    b = e.get("boot", {})
    ok.append(e.get("type") == "ready" and e.get("protocol") == 1 and
              0 < b.get("pid1_ms", 0) <= b.get("spec_loaded_ms", 0) <= (b.get("first_process_ms") or 0))
print("ready-first" if all(ok) else "no-ready %s" % first)
seqs = [json.loads(t)["event"]["seq"] for c, t in lines if '"seq"' in t]
on2 = [json.loads(t)["event"]["seq"] for c, t in lines if c == "2" and '"seq"' in t]
print("seqs-ok" if on2 and sorted(set(seqs)) == list(range(1, max(seqs) + 1)) else "seqs-gap %s" % seqs)
PY
grep -q '^ready-first$' "$T/check" && ok "each push connection starts with ready and the boot timings" || fail "ready: $(cat "$T/check")"
grep -q '^seqs-ok$' "$T/check" && ok "a dropped push reconnects and goes on without a gap" || fail "seqs: $(cat "$T/check")"
n=$(ctl --json status | json "j['result']['counters']['push_connects']")
[ "$n" -ge 2 ] && [ "$n" -le 3 ] && ok "status counts the push connections ($n): a receive-only host is no reason to reconnect" \
	|| fail "push_connects: $n"

ctl shutdown >/dev/null || fail "shutdown request"
vm_wait 60
expect_poweroff
final=$(grep '"final"' "$T/pushed" | tail -n1 | cut -d' ' -f2-)
[ "$(echo "$final" | json "[(p['name'], p['state'], p['status']) for p in j['event']['processes']]")" = "[('job', 'failed', 5), ('web', 'exited', 143)]" ] \
	&& ok "the final event reached the host: job failed with 5, web 143 (SIGTERM)" || fail "final: '$final'"
grep -q '"type":"shutdown","reason":"requested by the host"' "$T/pushed" && ok "the shutdown event says why" || fail "no shutdown event"
kill $LISTENER 2>/dev/null; wait $LISTENER 2>/dev/null

# A VM whose only process ends at once (no such command, restart never)
# powers off by itself, maybe while PID 1's own start-up still waits for the
# first exec (docs/architecture.md): that start-up comes before the stop, so
# the push is up and the host gets the final event.
{
	spec_header
	cat <<EOT
[processes.gone]
command = ["/nonexistent/cmd"]
restart.policy = "never"
resources.memory = "64Mi"
[guest]
push = "unix:$HOST_SOCK"
EOT
} >"$T/spec-gone.ini"
rm -f "$HOST_SOCK" "$T/pushed" "$T/drop" "$T/dropped"
listen
until_ok 30 test -S "$HOST_SOCK" || fail "the host's listener did not come up"
vm_start "$T/spec-gone.ini"
vm_wait 60
expect_poweroff
final=$(grep '"final"' "$T/pushed" | tail -n1 | cut -d' ' -f2-)
[ "$(echo "$final" | json "[(p['name'], p['state'], p['status']) for p in j['event']['processes']]")" = "[('gone', 'failed', 127)]" ] \
	&& ok "a VM that ends at once: the final event reached the host (gone failed with 127)" || fail "final: '$final'"
kill $LISTENER 2>/dev/null; wait $LISTENER 2>/dev/null

# No host at all: the shutdown waits for it CTL_FLUSH_MS (vminit says so),
# then powers off by itself. Only the lower bound is timed: the wait is
# vminit's own, and how late the power-off comes after it is the machine's.
rm -f "$HOST_SOCK" "$T/pushed"
vm_start "$T/spec.ini"
wait_for '^vminit: job: failed$' 30
start=$(date +%s%N)
vm_signal TERM
vm_wait 60
took=$(( ($(date +%s%N) - start) / 1000000 ))
expect_poweroff
expect 'did not take the last events within 2000 ms' 1 "the console says the host missed the last events"
[ $took -ge 2000 ] && ok "powered off by itself, $took ms after SIGTERM, having waited the 2 s for the host" \
	|| fail "powered off $took ms after SIGTERM: before the 2 s wait for the host"
finish
