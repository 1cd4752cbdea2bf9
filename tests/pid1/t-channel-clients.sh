# Many clients, and bad ones, on the host channel:
#   - 200 clients at once each get their status reply; 300 requests
#     pipelined on one connection each get theirs, in order
#   - at 256 connections the longest idle one is closed to make room; when
#     none is idle, the 257th is refused with a busy error, not queued
#   - while clients that never read (a log follower under a flood, a status
#     requester), slow readers, clients that send half a request and wait, clients that
#     send garbage, and one that sends an endless line are all connected, a
#     well-behaved client's status still comes back at once, again and again
#   - garbage gets an error reply and the connection stays; a line over the
#     limit gets too_large and the connection is closed
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

# The connection limit. An idle connection makes room for a new one (the
# longest idle goes); when all 256 are busy streams, the next is refused.
python3 - "$CTL_SOCK" >"$T/limit" <<'PY'
import json, socket, sys, time
path = sys.argv[1]
def conn():
    s = socket.socket(socket.AF_UNIX); s.connect(path); s.settimeout(5); return s
def ask(s, req):
    s.sendall(json.dumps(req).encode() + b"\n"); return json.loads(s.makefile("rb").readline())
idle = []
for i in range(256):
    idle.append(conn()); time.sleep(0.001)
ask(idle[-1], {"op": "ping"})            # all 256 accepted by now
new = conn()
r1 = ask(new, {"op": "ping"})["ok"]
first = idle[0].recv(1) == b""           # the longest idle was closed
for s in idle + [new]: s.close()
time.sleep(0.3)
streams = []
for i in range(256):
    s = conn(); s.sendall(b'{"op":"events"}\n'); s.makefile("rb").readline(); streams.append(s)
extra = conn()
r = json.loads(extra.makefile("rb").readline())
print(r1, first, r["error"]["code"], "closed" if extra.recv(1) == b"" else "open")
PY
[ "$(cat "$T/limit")" = "True True busy closed" ] \
	&& ok "at 256 connections: the longest idle one makes room; with 256 streams, the next gets busy and is closed" \
	|| fail "limit: $(cat "$T/limit")"
[ "$(ctl --json status | json "j['result']['counters']['connections_evicted'] >= 1")" = True ] \
	&& ok "the eviction is counted" || fail "connections_evicted"

# The bad crowd, kept connected in the background.
python3 - "$CTL_SOCK" "$T/crowd.ready" <<'PY' &
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
while time.time() - t0 < 30:
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
	ctl --timeout 2 status >/dev/null 2>&1 || slow=$((slow + 1))
	sleep 0.1
done
[ $slow = 0 ] && ok "a well-behaved client's status came back 20 times out of 20 among the bad crowd" \
	|| fail "$slow of 20 status requests did not come back within 2 s"
st=$(ctl --json status)
bad=$(echo "$st" | json "j['result']['counters']['bad_requests']")
[ "$bad" -gt 10 ] && ok "garbage got error replies ($bad bad requests counted)" || fail "bad_requests: $bad"
conns=$(echo "$st" | json "j['result']['counters']['connections']")
[ "$conns" -ge 95 ] && ok "the bad clients are still connected ($conns), garbage senders included" || fail "connections: $conns"
rss=$(awk '/^VmRSS/ {print $2}' /proc/$VM_INIT/status)
[ "$rss" -lt 65536 ] && ok "PID 1's resident memory: $rss KiB" || fail "PID 1 uses $rss KiB"

# Framing: an error for garbage (the connection stays), too_large and close for an endless line.
python3 - "$CTL_SOCK" >"$T/framing" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(5); f = s.makefile("rb")
s.sendall(b"not json\n"); a = json.loads(f.readline())["error"]["code"]
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
	&& ok "garbage: bad_request and the connection stays; an endless line: too_large, closed" \
	|| fail "framing: $(cat "$T/framing")"

kill $CROWD 2>/dev/null; wait $CROWD 2>/dev/null
sleep 0.5
conns=$(ctl --json status | json "j['result']['counters']['connections']")
[ "$conns" = 1 ] && ok "every connection of the crowd was closed when it went away" || fail "connections left: $conns"
ctl shutdown >/dev/null
vm_wait 20
expect_poweroff
finish
