# The host channel, driven through vminitctl over a unix socket:
#   status after start, after a crash and its restarts
#   events, in order, from the beginning
#   logs: the tail of one process, and follow
#   exec: output, exit code, user, timeout, truncation, a missing command
#   signal, stop, start, restart one process; errors for bad requests
. "$(dirname "$0")/lib.sh"
{
	spec_header
	cat <<EOT
[processes.ticker]
command = ["/bin/sh", "-c", "i=0; while :; do i=\$((i+1)); echo tick \$i; sleep 0.2; done"]
prestart = ["/bin/sh", "-c", "echo preparing; printf 'q\\\\042 b\\\\134 t\\\\011 c\\\\001 d\\\\177 e\\\\303\\\\251 f\\\\377 end\\\\n'"]
resources.memory = "64Mi"
[processes.crasher]
command = ["/bin/sh", "-c", "echo crash-run; sleep 0.3; echo going down >&2; exit 3"]
restart.policy = "on-failure"
restart.max_retries = 1
restart.backoff_seconds = 0
resources.memory = "64Mi"
[processes.code137]
command = ["/bin/sh", "-c", "exit 137"]
restart.policy = "never"
resources.memory = "64Mi"
[processes.sleeper]
command = ["/bin/sleep", "1000"]
restart.policy = "always"
restart.backoff_seconds = 1
resources.memory = "64Mi"
EOT
} >"$T/spec.ini"
vm_start "$T/spec.ini" --control "unix:$CTL_SOCK"
wait_ctl || finish

# -- status --
expect '^vminit: crasher: failed$' 30 "the crasher ran twice and failed"
out=$(ctl status)
echo "$out" | grep -Eq '^ticker +running +- +up +[0-9]+ +0 ' && ok "status: ticker running" || fail "status: ticker not running: $out"
echo "$out" | grep -Eq '^crasher +failed +- +up +- +1 +3 ' && ok "status: crasher failed, 1 restart, last exit 3" \
	|| fail "status: crasher: $out"
st=$(ctl --json status)
[ "$(echo "$st" | json "[p['name'] for p in j['result']['processes']]")" = "['code137', 'crasher', 'sleeper', 'ticker']" ] \
	&& ok "status --json lists the four processes" || fail "status --json: $st"
[ "$(echo "$st" | json "[(p['last_exit']['code'], p['last_exit']['signal']) for p in j['result']['processes'] if p['name']=='code137'][0]")" = "(137, None)" ] \
	&& ok "status: exit 137 is code 137, not SIGKILL" || fail "status: code137: $st"
expect '^vminit: code137: exited with code 137$' 1 "the console says so too"
[ "$(echo "$st" | json "[(p['last_exit']['code'], p['last_exit']['signal'], p['starts'], p['failures']) for p in j['result']['processes'] if p['name']=='crasher'][0]")" = "(3, None, 2, 2)" ] \
	&& ok "status: crasher's last exit (code 3), starts and failures" || fail "status: crasher fields: $st"
[ "$(echo "$st" | json "[p['memory_rss_bytes'] > 0 and p['uptime_ms'] >= 0 and p['pid'] > 1 for p in j['result']['processes'] if p['name']=='ticker'][0]")" = True ] \
	&& ok "status: ticker's pid, uptime and memory" || fail "status: ticker fields: $st"
[ "$(echo "$st" | json "j['result']['spec']['ok'], j['result']['shutdown']")" = "True None" ] \
	&& ok "status: the spec is good, no shutdown" || fail "status: spec/shutdown: $st"
ctl status nope 2>"$T/err"; rc=$?
[ $rc = 1 ] && grep -q 'not_found' "$T/err" && ok "status of an unknown process: not_found, exit 1" || fail "status nope: rc $rc, $(cat "$T/err")"

# -- events, from the beginning, in order --
events_until "$T/events" 30 "any(e['type'] == 'process.settled' and e.get('process') == 'crasher' for e in ev) and
	any(e['type'] == 'process.started' and e.get('process') == 'ticker' for e in ev)"
seq_ok=$(python3 - "$T/events" <<'PY'
import json, sys
items = [json.loads(l) for l in open(sys.argv[1])]
evs = [i['event'] for i in items if 'event' in i]
seqs = [e['seq'] for e in evs]
print(seqs == list(range(1, len(seqs) + 1)) and all('at_ms' in e for e in evs))
PY
)
[ "$seq_ok" = True ] && ok "events: seq 1, 2, 3... without gaps, each with at_ms" || fail "events: bad seqs: $(head -3 "$T/events")"
crash_evs=$(python3 - "$T/events" <<'PY'
import json, sys
evs = [json.loads(l)['event'] for l in open(sys.argv[1]) if '"event"' in l]
out = []
for e in evs:
    if e.get('process') != 'crasher':
        continue
    x = e['type']
    if x == 'process.exited': x += ':%s' % e['code']
    if x == 'process.started': x += ':%s' % e['restarts']
    out.append(x)
print(' '.join(out))
PY
)
want="process.started:0 process.exited:3 process.restarting process.started:1 process.exited:3 process.failed process.settled"
[ "$crash_evs" = "$want" ] && ok "events: the crasher's life in order" || fail "events: crasher: '$crash_evs', want '$want'"
tick_evs=$(python3 - "$T/events" <<'PY'
import json, sys
evs = [json.loads(l)['event'] for l in open(sys.argv[1]) if '"event"' in l]
print(' '.join(e['type'] + ':' + e.get('hook', '') for e in evs if e.get('process') == 'ticker'))
PY
)
[ "$tick_evs" = "prestart.started:process prestart.ok:process process.started:" ] \
	&& ok "events: the ticker's prestart hook, its result, then the process" || fail "events: ticker: '$tick_evs'"

# -- logs --
out=$(ctl logs -n 3 ticker)
n=$(echo "$out" | grep -Ec '^ticker \| tick [0-9]+$')
first=$(echo "$out" | head -n1 | sed -E 's/.*tick //'); last=$(echo "$out" | tail -n1 | sed -E 's/.*tick //')
[ "$n" = 3 ] && [ $((last - first)) = 2 ] && ok "logs -n 3 ticker: its last 3 lines" || fail "logs -n 3 ticker: $out"
out=$(ctl logs crasher)
[ "$(echo "$out" | grep -c 'crasher | crash-run')" = 2 ] && [ "$(echo "$out" | grep -c 'crasher | going down')" = 2 ] \
	&& ok "logs crasher: stdout and stderr of both runs" || fail "logs crasher: $out"
# A line with bytes JSON escapes, among plain ones: each as it was written
# (an invalid UTF-8 byte as U+FFFD), and every item JSON.
ctl --json logs ticker >"$T/ticker.json"
[ "$(python3 -c "import json; l=[json.loads(x) for x in open('$T/ticker.json')]; print([i['log']['line'] for i in l if 'log' in i][:2] == ['preparing', 'q\" b\\\\ t\t c\x01 d\x7f e\u00e9 f\ufffd end'])")" = True ] \
	&& ok "logs --json: a line with quotes, controls and UTF-8, escaped" || fail "logs --json: $(head -c 600 "$T/ticker.json")"
[ "$(ctl --json logs -n 1 crasher | json "j['log']['stream']" 2>/dev/null | head -n1)" = stderr ] 2>/dev/null \
	|| true   # one JSON per line: checked below with python
ctl --json logs -n 2 crasher >"$T/logs.json"
[ "$(python3 -c "import json,sys; l=[json.loads(x) for x in open('$T/logs.json')]; print([i['log']['stream'] for i in l if 'log' in i], l[-1])")" = "['stdout', 'stderr'] {'end': {'lines': 2}}" ] \
	&& ok "logs --json: stream names and the end record" || fail "logs --json: $(cat "$T/logs.json")"
# Follow until three new lines came (not for a fixed time): each the next
# tick, the first newer than the last one before the follow started.
before=$(ctl logs -n 1 ticker | sed -nE 's/^ticker \| tick ([0-9]+)$/\1/p')
"$VMINITCTL" -a "unix:$CTL_SOCK" --timeout 30 logs -f -n 0 ticker >"$T/follow" 2>/dev/null &
fpid=$!
until_ok 30 eval '[ "$(grep -Ec "^ticker \| tick [0-9]+$" "$T/follow")" -ge 3 ]'
kill $fpid 2>/dev/null; wait $fpid 2>/dev/null
n=$(grep -Ec '^ticker \| tick [0-9]+$' "$T/follow")
first=$(sed -nE '1s/^ticker \| tick ([0-9]+)$/\1/p' "$T/follow")
[ "$n" -ge 3 ] && [ -n "$before" ] && [ "${first:-0}" -gt "$before" ] &&
	sed -nE 's/^ticker \| tick ([0-9]+)$/\1/p' "$T/follow" | awk 'NR > 1 && $1 != last + 1 { exit 1 } { last = $1 }' \
	&& ok "logs -f -n 0: new lines only (tick $before before, $first first), each the next" \
	|| fail "logs -f: after tick $before: $(cat "$T/follow")"

# -- exec --
out=$(ctl exec -- /bin/sh -c 'echo out; echo err >&2; exit 7' 2>"$T/err"); rc=$?
[ $rc = 7 ] && [ "$out" = out ] && [ "$(cat "$T/err")" = err ] && ok "exec: stdout, stderr and exit code 7" \
	|| fail "exec: rc $rc, out '$out', err '$(cat "$T/err")'"
[ "$(ctl exec --user nobody -- /usr/bin/id -u)" = 65534 ] && ok "exec --user nobody" || fail "exec --user nobody"
[ "$(ctl exec --workdir /var -- /bin/pwd)" = /var ] && ok "exec --workdir" || fail "exec --workdir"
[ "$(ctl exec --env FOO=bar -- /bin/sh -c 'echo $FOO')" = bar ] && ok "exec --env" || fail "exec --env"
# 124 is vminit's word that the command timed out (the reply's timed_out),
# not a measure of time here.
start=$(date +%s%N)
ctl exec --timeout 1 -- /bin/sh -c 'sleep 17 & sleep 17' >/dev/null 2>&1; rc=$?
took=$(( ($(date +%s%N) - start) / 1000000 ))
[ $rc = 124 ] && ok "exec --timeout 1: killed, exit 124 (${took} ms)" || fail "exec --timeout: rc $rc after ${took} ms"
sleep17_left() { for p in $(descendants); do tr '\0' ' ' 2>/dev/null </proc/$p/cmdline; echo; done | grep -c '^sleep 17 $'; }
until_ok 30 eval '[ "$(sleep17_left)" = 0 ]'
left=$(sleep17_left)
[ "$left" = 0 ] && ok "exec: the timed-out command's group is gone" || fail "exec: $left of its processes are left"
ctl --json exec -- /bin/sh -c 'head -c 100000 /dev/zero | tr "\0" a; printf "\377\001" >&2' >"$T/big.json"
[ "$(json "j['result']['stdout_bytes'], len(j['result']['stdout']), j['result']['stdout_truncated'], j['result']['stderr'] == chr(0xfffd) + chr(1)" <"$T/big.json")" = "100000 32768 True True" ] \
	&& ok "exec: output kept to 32768 bytes and marked truncated; bad UTF-8 and control bytes encoded" \
	|| fail "exec truncation: $(head -c 300 "$T/big.json")"
ctl exec -- /nonexistent >/dev/null 2>"$T/err"; rc=$?
[ $rc = 127 ] && grep -q nonexistent "$T/err" && ok "exec of a missing command: 127 and why" || fail "exec missing: rc $rc $(cat "$T/err")"

# -- signal, stop, start, restart --
pid1=$(ctl --json status sleeper | json "j['result']['processes'][0]['pid']")
ctl signal sleeper USR1 >/dev/null && ok "signal sleeper USR1" || fail "signal sleeper USR1"
expect '^vminit: sleeper: killed by SIGUSR1 \(status 138\)$' 30 "the sleeper died of it"
expect '^vminit: sleeper: running, pid .* \(restarted\)$' 30 "and restarted by its policy"
ctl stop sleeper >/dev/null && expect '^vminit: sleeper: exited$' 30 "stop: TERM, the sleeper exited"
[ "$(ctl --json status sleeper | json "j['result']['processes'][0]['state'], j['result']['processes'][0]['want']")" = "exited down" ] \
	&& ok "status after stop: exited, want down" || fail "status after stop"
ctl signal sleeper HUP 2>"$T/err"; rc=$?
[ $rc = 1 ] && grep -q invalid_state "$T/err" && ok "signal to a stopped process: invalid_state" || fail "signal stopped: rc $rc"
ctl stop ticker >/dev/null && expect '^vminit: ticker: exited$' 30 "stop ticker too: now no process runs"
sleep 0.5
vm_alive && ok "PID 1 stays up when every process has ended but the host stopped some" || fail "PID 1 went down"
ctl start ticker >/dev/null
ctl start sleeper >/dev/null
# running_pid NAME: its pid while running, else None
running_pid() { ctl --json status "$1" | json "j['result']['processes'][0]['pid'] if j['result']['processes'][0]['state'] == 'running' else None"; }
pid2=None
until_ok 30 eval 'pid2=$(running_pid sleeper); [ "$pid2" != None ]'
[ "$pid2" != None ] && [ "$pid2" != "$pid1" ] && ok "start: running again" || fail "start: not running"
ctl restart sleeper >/dev/null
pid3=None
until_ok 30 eval 'vm_alive && pid3=$(running_pid sleeper) && [ "$pid3" != None ] && [ "$pid3" != "$pid2" ]' 
[ "$pid3" != None ] && [ "$pid3" != "$pid2" ] && ok "restart: a new sleeper ($pid2 -> $pid3)" || fail "restart: $pid2 -> $pid3"
ctl signal sleeper NOPE 2>"$T/err"; rc=$?
[ $rc = 2 ] && ok "a bad signal name: a usage error (2)" || fail "bad signal: rc $rc"

ctl shutdown >/dev/null
vm_wait 60
expect_poweroff
finish
