#!/bin/bash
# t-client.sh - the host side of the channel without vminit: build/vminitctl
# (and so host/client.c) against a fake vminit written in python, reached
# through build/helpers/fc-standin as Firecracker's hybrid vsock, or directly
# as unix: and serial:.
#
#   make build/vminitctl helpers && bash tests/channel/t-client.sh
#
# The fake server answers NDJSON requests with canned replies chosen by op
# and arguments (see fake.py below), echoes the request id, and logs every
# line it receives, so the tests can check what vminitctl sent.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CTL=${VMINITCTL:-$ROOT/build/vminitctl}
STANDIN=$ROOT/build/helpers/fc-standin
PEAKRSS=$ROOT/build/helpers/peakrss
for f in "$CTL" "$STANDIN" "$PEAKRSS"; do
	[ -x "$f" ] || { echo "FAIL: $f is missing: make build/vminitctl helpers"; exit 1; }
done
command -v python3 >/dev/null || { echo "FAIL: python3 is needed"; exit 1; }

# Short paths: sun_path holds 107 bytes.
D=$(mktemp -d /tmp/vmc-test.XXXXXX)
FAILED=0
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$D"
}
trap cleanup EXIT

cat >"$D/fake.py" <<'EOF'
# fake.py SOCKET LOG [greet]: a stand-in for vminit's control listener.
import json, os, socket, socketserver, sys, threading, time

SOCK, LOG = sys.argv[1], sys.argv[2]
GREET = len(sys.argv) > 3 and sys.argv[3] == "greet"
# stale: first what an earlier client of a serial port left, the rest of a
# line cut short and a reply meant for another id, then the usual.
STALE = len(sys.argv) > 3 and sys.argv[3] == "stale"
loglock = threading.Lock()
conn_no = [0]

def dumps(o):
    return json.dumps(o, separators=(",", ":"))

def ok(req, result):
    r = {}
    if "id" in req:
        r["id"] = req["id"]
    r.update(ok=True, result=result)
    return dumps(r)

def err(req, code, msg):
    r = {}
    if "id" in req:
        r["id"] = req["id"]
    r.update(ok=False, error={"code": code, "message": msg})
    return dumps(r)

STATUS = {
    "uptime_ms": 61234, "shutdown": None,
    "spec": {"path": "/etc/vminit/spec.ini", "ok": False,
             "errors": [{"line": 7, "key": "web.restart", "message": "not a policy"},
                        {"line": 0, "key": None, "message": "no processes"},
                        {"line": 9, "key": "x.y", "message": "bad", "text": "spec.ini:9: x.y: bad"}],
             "errors_dropped": 2},
    "processes": [
        {"name": "web", "want": "up", "state": "running", "pid": 31, "starts": 2, "restarts": 1,
         "failures": 1, "uptime_ms": 4120,
         "last_exit": {"status": 137, "code": None, "signal": "SIGKILL", "at_ms": 57114},
         "memory_rss_bytes": 3317760, "cpu_user_ms": 40, "cpu_system_ms": 10, "health": None},
        {"name": "a-much-longer-name", "want": "down", "state": "exited", "pid": None, "starts": 1,
         "restarts": 0, "failures": 0, "uptime_ms": None,
         "last_exit": {"status": 3, "code": 3, "signal": None, "at_ms": 900},
         "memory_rss_bytes": None, "cpu_user_ms": None, "cpu_system_ms": None, "health": None}],
    "counters": {"reaped": 40}}

def handle(f, send, req, raw):
    op = req.get("op")
    proc = req.get("process")
    if op == "ping":
        send(ok(req, {"uptime_ms": 65432}))
    elif op == "hello":
        send(ok(req, {"protocol": 1, "vminit": "0.1.0", "pid1": True, "features": ["status", "ping"],
                      "boot": {"pid1_ms": 812, "spec_loaded_ms": 815, "first_process_ms": None},
                      "limits": {"request_bytes": 16384}}))
    elif op == "status":
        if proc == "slow":         # later than any client waits here
            time.sleep(120)
        if proc == "nope":
            send(err(req, "not_found", 'no process named "nope"'))
        else:
            send(ok(req, STATUS))
    elif op in ("stop", "start", "restart"):
        if proc == "nope":
            send(err(req, "not_found", 'no process named "nope"'))
        else:
            send(ok(req, {"state": {"stop": "stopping", "start": "starting", "restart": "stopping"}[op]}))
    elif op == "signal":
        send(ok(req, {"pid": 31, "signal": "SIGHUP"}))
    elif op == "shutdown":
        send(ok(req, {}))
    elif op == "events":
        send(ok(req, {"next_seq": 3}))
        n = req.get("since", 0)
        if n >= 1000000:           # n - 1000000 items, then the end of the stream
            ev = dumps({"event": {"seq": 1, "at_ms": 815, "type": "process.started", "process": "web",
                                  "pid": 31, "restarts": 0}})
            for i in range(0, n - 1000000, 1000):
                send("\n".join([ev] * 1000))
            return False
        send(dumps({"event": {"seq": 1, "at_ms": 815, "type": "process.started", "process": "web",
                              "pid": 31, "restarts": 0}}))
        send(dumps({"lost": 5}))
        send(dumps({"event": {"seq": 7, "at_ms": 61002, "type": "spec.error", "line": 3,
                              "key": "web.user", "message": "no user \"bob\""}}))
        send(dumps({"some_new_item": {}}))
        return False               # the stream ends: close
    elif op == "logs":
        send(ok(req, {}))
        send(dumps({"log": {"seq": 310, "at_ms": 60102, "process": "web", "stream": "stdout",
                            "line": "GET / 200"}}))
        send(dumps({"log": {"seq": 312, "at_ms": 60140, "process": "web", "stream": "stderr",
                            "line": "tab\there \u00e9 \\ \"q\""}}))
        if proc != "noend" and not req.get("follow"):
            send(dumps({"end": {"lines": 2}}))
        return False
    elif op == "exec":
        argv = req.get("argv", [])
        res = {"status": 0, "code": 0, "signal": None, "timed_out": False, "duration_ms": 4,
               "stdout": "", "stderr": "", "stdout_bytes": 0, "stderr_bytes": 0,
               "stdout_truncated": False, "stderr_truncated": False}
        cmd = argv[0] if argv else ""
        if cmd == "exit3":
            res.update(status=3, code=3, stdout="three\n")
        elif cmd == "sleepy":
            res.update(status=137, code=None, signal="SIGKILL", timed_out=True)
        elif cmd == "killed":
            res.update(status=143, code=None, signal="SIGTERM")
        elif cmd == "bytes":
            res.update(stdout="a\u0000b\u00e9\n", stderr="err\n", stdout_bytes=99999,
                       stdout_truncated=True)
        elif cmd == "big":
            res.update(stdout="x" * int(argv[1]))
        elif cmd == "echo-request":
            res.update(stdout=raw)
        elif cmd == "garbage":
            send("this is not json")
            return True
        elif cmd == "stale":
            send(dumps({"id": 1, "ok": True, "result": {"status": 9}}))
            send(dumps({"event": {"seq": 1, "at_ms": 1, "type": "x"}}))
            send("")
        send(ok(req, res))
    else:
        send(err(req, "unknown_op", "no operation %r in protocol 1" % op))
    return True

class H(socketserver.StreamRequestHandler):
    def handle(self):
        with loglock:
            conn_no[0] += 1
            me = conn_no[0]
        def send(line):
            self.wfile.write(line.encode() + b"\n")
            self.wfile.flush()
        if GREET:
            # Before any request: a reply without id, which the client takes.
            send(dumps({"ok": True, "result": {"uptime_ms": 777}}))
        if STALE:
            send('rrrr","reboot":false}}')
            send(dumps({"id": 1, "ok": True, "result": {"uptime_ms": 1}}))
        for raw in self.rfile:
            with loglock, open(LOG, "a") as lf:
                lf.write("%d %s\n" % (me, json.dumps(raw.decode("utf-8", "replace"))))
            line = raw.decode().rstrip("\r\n")
            if not line:
                continue
            if GREET:
                send(dumps({"ok": True, "result": {"uptime_ms": 888}}))
                continue
            try:
                req = json.loads(line)
            except ValueError:
                send(err({}, "bad_request", "not JSON"))
                continue
            if not handle(self, send, req, line):
                return

class S(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

if os.path.exists(SOCK):
    os.unlink(SOCK)
S(SOCK, H).serve_forever()
EOF

pass() { echo "PASS: $*"; }
fail() {
	echo "FAIL: $*"
	echo "    exit $RC after ${ELAPSED}ms"
	echo "    stdout: $(head -c 400 "$D/out" | tr '\0' '@')"
	echo "    stderr: $(head -c 400 "$D/err")"
	FAILED=1
}
# t NAME CONDITION: CONDITION is bash, evaluated after the last run.
t() { if eval "$2"; then pass "$1"; else fail "$1"; fi; }

now_ms() { local t=${EPOCHREALTIME/[.,]/}; echo $((t / 1000)); }
# run ARGS...: vminitctl ARGS, with RC, ELAPSED (ms), $D/out and $D/err.
run() {
	local t0
	t0=$(now_ms)
	timeout 30 "$CTL" "$@" >"$D/out" 2>"$D/err"
	RC=$?
	ELAPSED=$(($(now_ms) - t0))
	OUT=$(tr '\0' '@' <"$D/out")
	ERR=$(cat "$D/err")
}
wait_sock() {
	local i
	for i in $(seq 600); do [ -S "$1" ] && return 0; sleep 0.05; done
	echo "FAIL: $1 did not appear"; exit 1
}
start_fake() {   # SOCKET LOG [greet|stale]
	python3 "$D/fake.py" "$@" 2>>"$D/fake.err" &
	PIDS+=($!)
	FAKE_PID=$!
	wait_sock "$1"
}

FC=$D/fc.sock
GUEST=$D/guest.sock
"$STANDIN" "$FC" "$GUEST" 2>"$D/standin.log" &
PIDS+=($!)
wait_sock "$FC"
A=fc:$FC:1024

echo "== connecting"
# Nothing listens in the "guest": the stand-in closes each try, as
# Firecracker does, and vminitctl gives up at its --timeout.
# No check here has an upper bound on elapsed time: a loaded machine only
# makes things later. That it gave up at --timeout and not at the default
# (10 s) is what vminitctl says it waited, on its own clock.
run -a "$A" --timeout 1.5 ping
t "nobody listening: exit 3" '[ $RC = 3 ]'
GAVE_UP=$(sed -nE 's/.*gave up after ([0-9]+) ms.*/\1/p' "$D/err")
t "nobody listening: gives up at --timeout, not before, not at the default (${GAVE_UP:-?} ms, ${ELAPSED} ms seen)" \
	'[ -n "$GAVE_UP" ] && [ "$GAVE_UP" -ge 1500 ] && [ "$GAVE_UP" -lt 10000 ] && [ $ELAPSED -ge 1400 ]'
t "nobody listening: says why" '[[ $ERR == *"gave up after"*"nothing listens on guest port 1024"* ]]'
t "nobody listening: it retried (more than one CONNECT refused)" \
	'[ "$(grep -c "CONNECT 1024: .*closed" "$D/standin.log")" -ge 2 ]'

# vminitctl first, the server once vminitctl has been refused: the retries
# reach it. Its deadline is generous: the server's start may be slow.
n0=$(wc -l <"$D/standin.log")
since_n0() { tail -n +$((n0 + 1)) "$D/standin.log"; }
t0=$(now_ms)
timeout 60 "$CTL" -a "$A" --timeout 40 ping >"$D/late.out" 2>"$D/late.err" &
late=$!
for i in $(seq 400); do since_n0 | grep -q "CONNECT 1024: .*closed" && break; sleep 0.05; done
sleep 0.5
start_fake "${GUEST}_1024" "$D/server.log"
wait $late
RC=$?
ELAPSED=$(($(now_ms) - t0))
cp "$D/late.out" "$D/out"; cp "$D/late.err" "$D/err"
t "server appears later: exit 0" '[ $RC = 0 ]'
t "server appears later: refused first, then connected (${ELAPSED}ms)" \
	'since_n0 | grep -q "CONNECT 1024: .*closed" && since_n0 | grep -q "CONNECT 1024: OK" && [ $ELAPSED -ge 400 ]'
t "server appears later: pong" 'grep -q "^pong (up 1m05s)$" "$D/out"'

run -a "$A" ping
t "fc: ping exit 0" '[ $RC = 0 ] && [ "$OUT" = "pong (up 1m05s)" ]'
t "fc: the stand-in was asked for port 1024" 'grep -q "CONNECT 1024: OK" "$D/standin.log"'

run -a "fc:$FC:1025" --timeout 0.5 ping
t "fc: another port is another listener (none here): exit 3" '[ $RC = 3 ]'

run -a "unix:${GUEST}_1024" ping
t "unix: ping" '[ $RC = 0 ] && [ "$OUT" = "pong (up 1m05s)" ]'

VMINITCTL_ADDR="unix:${GUEST}_1024" run ping
t "VMINITCTL_ADDR is the default address" '[ $RC = 0 ]'

run -a "unix:$D/nothing-here" --timeout 0.3 ping
t "unix: no socket: exit 3 after the timeout" '[ $RC = 3 ] && [ $ELAPSED -ge 250 ] && [[ $ERR == *"No such file"* ]]'

: >"$D/server.log"
run -a "serial:${GUEST}_1024" ping
t "serial: ping" '[ $RC = 0 ]'
t "serial: an empty line comes first" '[ "$(head -n1 "$D/server.log" | cut -d" " -f2-)" = "\"\\n\"" ]'
: >"$D/server.log"
run -a "unix:${GUEST}_1024" ping
t "unix: no empty line first" '! grep -q " \"\\\\n\"$" "$D/server.log" && [ -s "$D/server.log" ]'

run -a "vsock:1024" ping
t "vsock without a CID: exit 3, says so" '[ $RC = 3 ] && [[ $ERR == *"CID"* ]]'

# What an earlier client of a serial port did not take (the rest of a line
# and a reply to another id) comes before the reply: skipped on a serial
# port, where it can happen, and an error elsewhere.
start_fake "$D/stale.sock" "$D/stale.log" stale
run -a "serial:$D/stale.sock" ping
t "serial: an earlier client's leftovers are skipped" '[ $RC = 0 ] && [[ $OUT == "pong (up "* ]] && [ "$OUT" != "pong (up 1ms)" ]'
run -a "unix:$D/stale.sock" ping
t "unix: a line that is not JSON is an error" '[ $RC = 3 ] && [[ $ERR == *"malformed reply"* ]]'

# The guest's first bytes in the same read as OK must not be lost. The
# stand-in holds the OK until the guest's greeting is there (up to 20 s, so
# a slow server still greets in time).
start_fake "$D/greet.sock_1024" "$D/greet.log" greet
FC_STANDIN_OK_DELAY_MS=20000 "$STANDIN" "$D/fc2.sock" "$D/greet.sock" 2>"$D/standin2.log" &
PIDS+=($!)
wait_sock "$D/fc2.sock"
run -a "fc:$D/fc2.sock:1024" ping
t "fc: bytes right after OK are kept" '[ $RC = 0 ] && [ "$OUT" = "pong (up 777ms)" ]'

echo "== replies"
run -a "$A" --json ping
t "--json: the raw reply, our pid as id" '[ $RC = 0 ] && [[ $OUT =~ ^\{\"id\":[0-9]+,\"ok\":true,\"result\":\{\"uptime_ms\":65432\}\}$ ]]'

run -a "$A" stop nope
t "ok:false: exit 1" '[ $RC = 1 ]'
t "ok:false: code and message on stderr" '[ "$ERR" = "vminitctl: not_found: no process named \"nope\"" ]'
run -a "$A" --json stop nope
t "ok:false --json: exit 1, raw reply on stdout" '[ $RC = 1 ] && [[ $OUT == *"\"ok\":false"* ]]'

run -a "$A" stop web
t "stop: exit 0, state" '[ $RC = 0 ] && [ "$OUT" = "web: stopping" ]'
run -a "$A" restart web
t "restart" '[ $RC = 0 ] && [ "$OUT" = "web: stopping" ]'
run -a "$A" start web
t "start" '[ $RC = 0 ] && [ "$OUT" = "web: starting" ]'
: >"$D/server.log"
run -a "$A" signal web hup
t "signal: exit 0" '[ $RC = 0 ] && [ "$OUT" = "web: SIGHUP sent to pid 31" ]'
t "signal: sent by name" 'grep -q "\\\\\"signal\\\\\":\\\\\"hup\\\\\"" "$D/server.log"'
: >"$D/server.log"
run -a "$A" signal web 9
t "signal: a number is sent as a number" '[ $RC = 0 ] && grep -q "\\\\\"signal\\\\\":9}" "$D/server.log"'
run -a "$A" shutdown --reboot
t "shutdown --reboot" '[ $RC = 0 ] && [ "$OUT" = "reboot started" ]'

run -a "$A" hello
t "hello" '[ $RC = 0 ] && [[ $OUT == "vminit 0.1.0, protocol 1, PID 1"* ]] && [[ $OUT == *"first_process_ms=null"* ]]'

run -a "$A" status
t "status: exit 0" '[ $RC = 0 ]'
t "status: a header" '[ "$(head -n1 "$D/out" | tr -s " ")" = "NAME STATE HEALTH WANT PID RESTARTS LAST-EXIT UPTIME RSS CPU" ]'
t "status: web's row" 'grep -Eq "^web +running +- +up +31 +1 +SIGKILL +4\.1s +3\.2M +50ms$" "$D/out"'
t "status: the exited one" 'grep -Eq "^a-much-longer-name +exited +- +down +- +0 +3 +- +- +-$" "$D/out"'
t "status: columns line up" '[ "$(sed -n 1p "$D/out" | grep -bo STATE | cut -d: -f1)" = "$(sed -n 2p "$D/out" | grep -bo running | cut -d: -f1)" ]'
t "status: spec errors" 'grep -q "^spec /etc/vminit/spec.ini: 5 errors$" "$D/out" && grep -q "^  line 7: web.restart: not a policy$" "$D/out" &&
	grep -q "^  no processes$" "$D/out" && grep -q "^  spec.ini:9: x.y: bad$" "$D/out" && grep -q "^  \.\.\. and 2 more$" "$D/out"'
run -a "$A" status nope
t "status of a process that is not there: exit 1" '[ $RC = 1 ] && [[ $ERR == "vminitctl: not_found:"* ]]'

# The reply would come 120 s later: exit 3 with "no reply" shows vminitctl
# gave up at its deadline; how much later than 1 s it did is the machine's.
run -a "$A" --timeout 1 status slow
t "no reply within --timeout: exit 3, not before 1 s (${ELAPSED}ms)" '[ $RC = 3 ] && [ $ELAPSED -ge 900 ] && [[ $ERR == *"no reply"* ]]'

run -a "$A" exec garbage
t "malformed reply: exit 3" '[ $RC = 3 ] && [[ $ERR == *"malformed reply"* ]]'

run -a "$A" exec stale
t "a stale reply (another id) and stale items are skipped" '[ $RC = 0 ]'

echo "== exec"
run -a "$A" exec exit3
t "exec: status 3 -> exit 3, stdout passed" '[ $RC = 3 ] && [ "$OUT" = "three" ]'
run -a "$A" exec -- killed
t "exec: signalled -> 128+n" '[ $RC = 143 ]'
run -a "$A" exec sleepy
t "exec: timed_out -> 124" '[ $RC = 124 ] && [[ $ERR == *"timed out"* ]]'
run -a "$A" --json exec sleepy
t "exec --json: raw reply, still 124" '[ $RC = 124 ] && [[ $OUT == "{\"id\":"*"\"timed_out\":true"* ]]'
run -a "$A" exec true
t "exec: status 0 -> exit 0" '[ $RC = 0 ] && [ -z "$OUT" ]'
run -a "$A" exec bytes
t "exec: output bytes exactly (NUL, UTF-8)" '[ $RC = 0 ] && cmp -s "$D/out" <(printf "a\0b\303\251\n")'
t "exec: stderr to stderr, truncation said" '[[ $ERR == "err"*"stdout truncated: the command wrote 99999 bytes"* ]]'
run -a "$A" exec --user nobody --workdir /tmp --env A=1 -e "B=x y" --timeout 7 -- echo-request "a b" '"q"'
t "exec: the request" '[ $RC = 0 ] && python3 -c "
import json, sys
r = json.loads(open(sys.argv[1]).read())
assert r[\"op\"] == \"exec\" and isinstance(r[\"id\"], int), r
assert r[\"argv\"] == [\"echo-request\", \"a b\", \"\\\"q\\\"\"], r
assert r[\"env\"] == [\"A=1\", \"B=x y\"], r
assert r[\"user\"] == \"nobody\" and r[\"workdir\"] == \"/tmp\" and r[\"timeout_ms\"] == 7000, r
" "$D/out"'
run -a "$A" exec big 1000000
t "exec: a reply of almost 1 MiB" '[ $RC = 0 ] && [ "$(wc -c <"$D/out")" = 1000000 ]'
run -a "$A" exec big 1100000
t "exec: a reply over 1 MiB: exit 3" '[ $RC = 3 ] && [[ $ERR == *"over"* ]]'

echo "== streams"
run -a "$A" events --since 0
t "events: exit 0 at the end of the stream" '[ $RC = 0 ]'
t "events: one line each" '[ "$(sed -n 1p "$D/out")" = "[    0.815] process.started web pid=31 restarts=0" ] &&
	[ "$(sed -n 2p "$D/out")" = "[   61.002] spec.error line=3 key=web.user message=\"no user \\\"bob\\\"\"" ] &&
	[ "$(wc -l <"$D/out")" = 2 ]'
t "events: lost items said on stderr" '[[ $ERR == *"5 events lost"* ]]'
run -a "$A" --json events
t "events --json: every line raw" '[ $RC = 0 ] && [ "$(wc -l <"$D/out")" = 5 ] && [ "$(sed -n 3p "$D/out")" = "{\"lost\":5}" ]'

run -a "$A" logs -n 2 web
t "logs: NAME | line, exit 0 at the end" '[ $RC = 0 ] && [ "$(sed -n 1p "$D/out")" = "web | GET / 200" ] &&
	[ "$(sed -n 2p "$D/out")" = "web | $(printf "tab\there \303\251 \\\\ \"q\"")" ]'
run -a "$A" logs noend
t "logs: the stream ends before its end item: exit 3" '[ $RC = 3 ]'
run -a "$A" logs -f
t "logs -f: exit 0 when the stream ends" '[ $RC = 0 ] && [ "$(wc -l <"$D/out")" = 2 ]'
: >"$D/server.log"
run -a "$A" logs -n5 -f web
t "logs: the request" 'grep -q "\\\\\"process\\\\\":\\\\\"web\\\\\",\\\\\"lines\\\\\":5,\\\\\"follow\\\\\":true" "$D/server.log"'

# No memory growth per item: the peak RSS of a stream of 400000 items is that
# of one of 1000. build/helpers/peakrss measures vminitctl's peak over the
# whole run, whatever the machine's speed (sampling /proc from outside missed
# the end of a short run, and a zombie has no VmHWM).
hwm() {   # ITEMS: the peak RSS (kB) of `vminitctl events` over ITEMS items, "rc N" if it failed
	local rc
	rm -f "$D/hwm"
	"$PEAKRSS" "$D/hwm" "$CTL" -a "$A" --timeout 60 events --since "$1" >/dev/null 2>"$D/hwm.err"
	rc=$?
	if [ $rc = 0 ]; then cat "$D/hwm"; else echo "rc $rc"; fi
}
small=$(hwm 1001000)
big=$(hwm 1400000)
RC=0 ELAPSED=0; : >"$D/out"; cp "$D/hwm.err" "$D/err"
t "events: no memory growth per item (${small} kB vs ${big} kB)" \
	'[[ $small =~ ^[0-9]+$ ]] && [[ $big =~ ^[0-9]+$ ]] && [ "$small" -gt 0 ] && [ "$big" -le $((small + 256)) ]'

echo "== usage"
run nonsense
t "unknown command: exit 2" '[ $RC = 2 ]'
run -a "$A" signal web BOGUS
t "bad signal: exit 2" '[ $RC = 2 ]'
run -a "$A" signal web
t "missing argument: exit 2" '[ $RC = 2 ]'
run --timeout 0 ping
t "--timeout 0: exit 2" '[ $RC = 2 ]'
run -a "$A" exec
t "exec without a command: exit 2" '[ $RC = 2 ]'
run -a "$A" exec --env NOEQUALS true
t "exec --env without =: exit 2" '[ $RC = 2 ]'
run -a "$A" exec echo "$(head -c 17000 /dev/zero | tr '\0' a)"
t "exec: a request over 16 KiB: exit 2" '[ $RC = 2 ] && [[ $ERR == *"over 16383 bytes"* ]]'
run -a "$A" logs -n many
t "logs -n many: exit 2" '[ $RC = 2 ]'
run -a "bogus:addr" ping
t "a bad address: exit 3" '[ $RC = 3 ]'
run --help
t "--help: exit 0, exit codes listed" '[ $RC = 0 ] && [[ $OUT == *"124 if it timed out"* ]]'

if [ $FAILED = 0 ]; then echo "t-client: all passed"; else echo "t-client: FAILED"; fi
exit $FAILED
