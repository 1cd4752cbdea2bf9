# Many clients, and bad ones, on the host channel:
#   - 200 clients at once each get their status reply; 300 requests
#     pipelined on one connection each get theirs, in order
#   - unix clients are local: they hold at most 224 connections (32 are kept
#     for the host's transports); at that limit the longest idle one is closed
#     to make room; when none is idle, the next is refused with a busy error,
#     not queued
#   - 256 clients that make no progress (half requests, log followers that
#     never read under a flood) hold every slot they can: the host agent's
#     status still gets through, at its first try, and they never hold more
#     than 224
#   - a burst of 1000 connects while PID 1 is stopped: none is refused by the
#     listen backlog, each gets its reply or is closed cleanly once PID 1 runs
#     again, and the host agent gets through after it
#   - while clients that never read (a log follower under a flood, a status
#     requester), slow readers, clients that send half a request and wait, clients that
#     send garbage, and one that sends an endless line are all connected, a
#     well-behaved client's status still comes back at once, again and again
#   - garbage, and a key given twice (spelt with an escape), get an error reply
#     and the connection stays; a line over the limit gets too_large and the
#     connection is closed
#   - PID 1's memory stays bounded through it all
. "$(dirname "$0")/lib.sh"
{
	spec_header
	cat <<EOT
[processes.flood]
command = ["$HELPERS/flood"]
resources.memory = "64Mi"
[processes.web]
command = ["/bin/sleep", "1000"]
resources.memory = "64Mi"
EOT
} >"$T/spec.ini"
vm_start "$T/spec.ini" --control "unix:$CTL_SOCK"
wait_ctl || finish

# 200 at once: all connect first, then all ask, then all read.
python3 - "$CTL_SOCK" >"$T/many" <<'PY'
import json, socket, sys
socks = []
for i in range(200):
    s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); socks.append(s)
for i, s in enumerate(socks):
    s.sendall(json.dumps({"id": i, "op": "status"}).encode() + b"\n")
good = 0
for i, s in enumerate(socks):
    s.settimeout(10)
    f = s.makefile("rb")
    r = json.loads(f.readline())
    good += r.get("id") == i and r.get("ok") is True and len(r["result"]["processes"]) == 2
print(good)
PY
[ "$(cat "$T/many")" = 200 ] && ok "200 clients at once: 200 status replies" || fail "200 clients: $(cat "$T/many") good replies"

# Pipelining: 300 requests in one write (replies well over the 64 KiB a
# connection may have unsent) all get their reply, in order.
python3 - "$CTL_SOCK" >"$T/pipe" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(10)
s.sendall(b"".join(json.dumps({"id": i, "op": "status"}).encode() + b"\n" for i in range(300)))
f = s.makefile("rb")
ids = []
try:
    for i in range(300): ids.append(json.loads(f.readline())["id"])
except Exception as e: pass
print(len(ids), ids == list(range(300)))
PY
[ "$(cat "$T/pipe")" = "300 True" ] && ok "300 pipelined status requests: 300 replies, in order" || fail "pipelining: $(cat "$T/pipe")"

# The connection limit for local (unix) clients: 224. An idle connection
# makes room for a new one (the longest idle goes), and one stalled on half a
# request before it; when all 224 are busy streams, the next is refused.
python3 - "$CTL_SOCK" >"$T/limit" <<'PY'
import json, socket, sys, time
path = sys.argv[1]
def conn():
    s = socket.socket(socket.AF_UNIX); s.connect(path); s.settimeout(5); return s
def ask(s, req):
    s.sendall(json.dumps(req).encode() + b"\n"); return json.loads(s.makefile("rb").readline())
idle = []
for i in range(224):
    idle.append(conn()); time.sleep(0.001)
ask(idle[-1], {"op": "ping"})            # all 256 accepted by now
new = conn()
r1 = ask(new, {"op": "ping"})["ok"]
first = idle[0].recv(1) == b""           # the longest idle was closed
# A connection that makes no progress goes before one that is only idle,
# even before the longest idle: one of the newest sends half a request (read
# by PID 1 before the ping sent after it on another connection is answered).
idle[-2].sendall(b'{"op":"sta')
ask(idle[-1], {"op": "ping"})
newer = conn()
ask(newer, {"op": "ping"})
try: stalled_first = idle[-2].recv(1) == b""
except socket.timeout: stalled_first = False
idle[1].setblocking(False)
try: idle[1].recv(1); stalled_first = False
except BlockingIOError: pass
first = first and stalled_first
for s in idle + [new, newer]: s.close()
time.sleep(0.3)
streams = []
for i in range(224):
    s = conn(); s.sendall(b'{"op":"events"}\n'); s.makefile("rb").readline(); streams.append(s)
extra = conn()
r = json.loads(extra.makefile("rb").readline())
print(r1, first, r["error"]["code"], "closed" if extra.recv(1) == b"" else "open", r["error"]["message"])
PY
[ "$(cat "$T/limit")" = "True True busy closed too many local connections (224; 32 more are the host's)" ] \
	&& ok "at 224 local connections: the longest idle one makes room, a half request before it; with 224 streams, the next gets busy and is closed" \
	|| fail "limit: $(cat "$T/limit")"
[ "$(ctl --json status | json "j['result']['counters']['connections_evicted'] >= 1")" = True ] \
	&& ok "the eviction is counted" || fail "connections_evicted"

# 256 clients that make no progress hold every slot they can get: 64 half
# requests, then 192 log followers that never read while the flood fills
# their sockets (and, at 128 KiB each, the 16 MiB output budget). The host
# agent's status gets through anyway, at its first try: it must neither be
# refused a connection nor get busy for its reply (its generous timeout is
# no timing claim).
python3 - "$CTL_SOCK" "$T/stall.ready" <<'PY' &
import socket, sys, time
path = sys.argv[1]
keep = []
for i in range(256):
    s = socket.socket(socket.AF_UNIX); s.connect(path)
    s.sendall(b'{"op":"logs","follow":true,"lines":100000}\n' if i >= 64 else b'{"op":"sta')
    keep.append(s)
time.sleep(1)   # the followers' sockets fill meanwhile
open(sys.argv[2], "w").close()
time.sleep(60)
PY
STALL=$!
wait_file "$T/stall.ready" 30 || fail "the stalled clients did not connect"
"$VMINITCTL" -a "unix:$CTL_SOCK" --timeout 20 --json status >"$T/stall.status" 2>"$T/stall.err"; rc=$?
[ $rc = 0 ] && [ "$(json "j['result']['processes'][0]['name']" <"$T/stall.status")" = flood ] \
	&& ok "256 clients making no progress: the host agent's status got through" \
	|| fail "256 stalled clients locked the host agent out: rc $rc: $(cat "$T/stall.err")"
st=$(ctl --json status)
conns=$(echo "$st" | json "j['result']['counters']['connections']")
evicted=$(echo "$st" | json "j['result']['counters']['connections_evicted']")
busy=$(echo "$st" | json "j['result']['counters']['busy_replies']")
[ "$conns" -le 224 ] && [ "$evicted" -ge 34 ] && [ "$busy" = 0 ] \
	&& ok "local clients hold $conns connections (at most 224); $evicted evictions so far, no busy reply" \
	|| fail "local clients hold $conns connections (at most 224), $evicted evictions (at least 34), $busy busy replies (none)"
kill $STALL 2>/dev/null; wait $STALL 2>/dev/null

# A burst of 1000 connects while PID 1 is stopped (it accepts nothing): the
# listen backlog (4096, capped by net.core.somaxconn) takes them all, and
# once PID 1 runs again each one is answered, or closed to make room after
# its answer, or refused with busy: none hangs. The host agent gets through.
somax=$(cat /proc/sys/net/core/somaxconn)
vm_signal STOP
python3 - "$CTL_SOCK" "$somax" >"$T/burst" 2>&1 <<'PY' &
import errno, json, os, resource, select, socket, sys, time
resource.setrlimit(resource.RLIMIT_NOFILE, (4096, 4096))
path, somax = sys.argv[1], int(sys.argv[2])
socks, eagain = [], 0
for i in range(1000):
    s = socket.socket(socket.AF_UNIX); s.setblocking(False)
    try:
        s.connect(path)
    except BlockingIOError:
        eagain += 1; s.close(); continue
    s.sendall(json.dumps({"id": i, "op": "ping"}).encode() + b"\n")
    socks.append(s)
open(path + ".burst", "w").close()   # the test resumes PID 1 now
got = {"pong": 0, "busy": 0, "closed": 0, "other": 0}
buf = {s: b"" for s in socks}
left, deadline = set(socks), time.time() + 60
while left and time.time() < deadline:
    r, _, _ = select.select(list(left)[:1000], [], [], 1)
    for s in r:
        try: d = s.recv(4096)
        except ConnectionResetError: d = b""
        if d and b"\n" not in buf[s] + d:
            buf[s] += d; continue
        line = (buf[s] + d).split(b"\n")[0]
        left.discard(s)
        if not line: got["closed"] += 1; continue
        j = json.loads(line)
        if j.get("ok"): got["pong"] += 1
        elif j["error"]["code"] == "busy": got["busy"] += 1
        else: got["other"] += 1
print("eagain=%d want_eagain=%s hung=%d pong=%d busy=%d closed=%d other=%d" %
      (eagain, "0" if somax > 1000 else "any", len(left), got["pong"], got["busy"], got["closed"], got["other"]))
PY
BURST=$!
wait_file "$CTL_SOCK.burst" 60 || fail "the burst did not finish connecting"
vm_signal CONT
wait $BURST
rm -f "$CTL_SOCK.burst"
read -r burst <"$T/burst"
case "$burst" in
"eagain=0 want_eagain=0 hung=0 "*" other=0"|"eagain="*" want_eagain=any hung=0 "*" other=0")
	ok "a burst of 1000 connects (somaxconn $somax): $burst" ;;
*)	fail "a burst of 1000 connects (somaxconn $somax): $(cat "$T/burst")" ;;
esac
ctl --timeout 20 status >/dev/null 2>"$T/burst.err" && ok "after the burst, the host agent's status got through" \
	|| fail "after the burst: $(cat "$T/burst.err")"

# The bad crowd, kept connected in the background.
python3 - "$CTL_SOCK" "$T/crowd.ready" "$T/crowd.stop" <<'PY' &
import json, os, socket, sys, time
path = sys.argv[1]
def conn():
    s = socket.socket(socket.AF_UNIX); s.connect(path); return s
keep = []
for i in range(20):             # follow the flood's logs, never read
    s = conn(); s.sendall(b'{"op":"logs","follow":true,"lines":100000}\n'); keep.append(s)
for i in range(20):             # ask for status over and over, never read
    s = conn(); s.setblocking(False); keep.append(s)
    try:
        for k in range(2000): s.send(b'{"op":"status"}\n')
    except BlockingIOError: pass
slow = []
for i in range(5):              # follow the flood's logs, reading a little now and then
    s = conn(); s.sendall(b'{"op":"logs","follow":true}\n'); s.setblocking(False); slow.append(s); keep.append(s)
for i in range(40):             # half a request, then nothing
    s = conn(); s.sendall(b'{"op":"sta'); keep.append(s)
garbage = [conn() for i in range(10)]
endless = conn(); endless.setblocking(False)
open(sys.argv[2], "w").close()
t0 = time.time()
# Until the test is done with it (a file), 600 s at most: a slow run must not
# outlive the crowd and check a server that no longer has one.
while not os.path.exists(sys.argv[3]) and time.time() - t0 < 600:
    for s in garbage:
        try: s.send(os.urandom(512) + b"\n{\"op\":\n\x00\xff}\n"); s.recv(65536, socket.MSG_DONTWAIT)
        except (BlockingIOError, BrokenPipeError, ConnectionResetError): pass
    try: endless.send(b"x" * 4096)
    except (BlockingIOError, BrokenPipeError, ConnectionResetError): pass
    for s in slow:
        try: s.recv(64)
        except (BlockingIOError, ConnectionResetError): pass
    time.sleep(0.01)
PY
CROWD=$!
wait_file "$T/crowd.ready" 20 || fail "the crowd did not connect"
sleep 1
slow=0
for i in $(seq 20); do
	ctl --timeout 30 status >/dev/null 2>&1 || slow=$((slow + 1))
	sleep 0.1
done
[ $slow = 0 ] && ok "a well-behaved client's status came back 20 times out of 20 among the bad crowd" \
	|| fail "$slow of 20 status requests got no reply (30 s bound)"
st=$(ctl --json status)
bad=$(echo "$st" | json "j['result']['counters']['bad_requests']")
[ "$bad" -gt 10 ] && ok "garbage got error replies ($bad bad requests counted)" || fail "bad_requests: $bad"
conns=$(echo "$st" | json "j['result']['counters']['connections']")
[ "$conns" -ge 95 ] && ok "the bad clients are still connected ($conns), garbage senders included" || fail "connections: $conns"
rss=$(awk '/^VmRSS/ {print $2}' /proc/$VM_INIT/status)
[ "$rss" -lt 65536 ] && ok "PID 1's resident memory: $rss KiB" || fail "PID 1 uses $rss KiB"

# Framing: an error for garbage and for a key given twice (the connection
# stays), too_large and close for an endless line.
python3 - "$CTL_SOCK" >"$T/framing" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(5); f = s.makefile("rb")
s.sendall(b"not json\n"); a = json.loads(f.readline())["error"]["code"]
# a key twice (docs/protocol.md §1): bad_request, that message, no id; the connection stays
s.sendall(b'{"id":3,"op":"ping","o\\u0070":"shutdown"}\n')
dup = f.readline() == b'{"ok":false,"error":{"code":"bad_request","message":"a key appears twice in one object"}}\n'
a = a if dup else "duplicate-key reply"
s.sendall(b'{"id":7,"op":"signal","process":"web","signal":"NOPE"}\n'); b = json.loads(f.readline())
s.sendall(b'{"id":8,"op":"ping"}\n'); c = json.loads(f.readline())["ok"]
# a long name of control characters: an error reply (escaped, 6 bytes each), not a close
s.sendall(json.dumps({"id": 9, "op": "stop", "process": "\x01" * 250}).encode() + b"\n")
c = c and json.loads(f.readline())["error"]["code"] == "not_found"
# a logs stream that ends, then the next request on the same connection
s.sendall(b'{"id":10,"op":"logs","lines":5}\n{"id":11,"op":"ping"}\n')
while True:
    item = json.loads(f.readline())
    if "end" in item: break
c = c and json.loads(f.readline()).get("id") == 11
s.sendall(b"y" * 20000)
d = json.loads(f.readline())["error"]["code"]
e = f.readline()
print(a, b["id"], b["error"]["code"], c, d, "closed" if e == b"" else e)
PY
[ "$(cat "$T/framing")" = "bad_request 7 bad_request True too_large closed" ] \
	&& ok "garbage and a key given twice: bad_request and the connection stays; an endless line: too_large, closed" \
	|| fail "framing: $(cat "$T/framing")"

touch "$T/crowd.stop"
kill $CROWD 2>/dev/null; wait $CROWD 2>/dev/null
# The server sees each close when it gets to it: wait for it, bounded.
for i in $(seq 300); do
	conns=$(ctl --json status | json "j['result']['counters']['connections']")
	[ "$conns" = 1 ] && break
	sleep 0.1
done
[ "$conns" = 1 ] && ok "every connection of the crowd was closed when it went away" || fail "connections left: $conns"
ctl shutdown >/dev/null
vm_wait 20
expect_poweroff
finish
