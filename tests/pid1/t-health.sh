# Health checks as docs/health.md states them, against real servers in the
# namespace (tests/helpers/hserver.c), all in one boot: a server that comes up
# late, one that flaps, one that hangs after accept, 500, a close in the middle
# of the status line, a 301, garbage, a tcp check on a server that never
# answers, a server on ::1 only, a status line dripped byte by byte followed
# by an endless body. Then PID 1 still answers while a check hangs (slowhang:
# its attempt runs for 600 s, longer than the test; a PID 1 that waited on
# it would not answer).
# Every state is waited for (generous bounds): none is read at a set time.
. "$(dirname "$0")/lib.sh"
H=$HELPERS/hserver
proc() {   # NAME PORT TYPE FAILS TIMEOUT SERVER-ARGS...
	local name=$1 port=$2 type=$3 fails=$4 timeout=$5
	shift 5
	cat <<EOT
[processes.$name]
command = ["$H", "$port"$(printf ', "%s"' "$@")]
resources.memory = "64Mi"
ports.0.internal = $port
health.type = "$type"
health.port = $port
health.path = "/healthz"
health.interval_seconds = 1
health.timeout_seconds = $timeout
health.grace_period_seconds = 0
health.failure_threshold = $fails
EOT
}
{
	spec_header
	proc late 19001 http 5 1 late 4 ok
	proc flap 19002 http 2 1 file "$T/flap"
	proc hang 19003 http 2 1 hang
	proc e500 19004 http 2 1 status 500
	proc halfline 19005 http 2 1 halfline
	proc redirect 19006 http 2 1 redirect
	proc garbage 19007 http 2 1 garbage
	proc tcphang 19008 tcp 2 1 hang
	proc v6 19009 http 2 1 v6-ok
	proc drip 19010 http 2 8 drip
	proc slowhang 19011 http 2 600 hang
	cat <<EOT
[processes.nocheck]
command = ["/bin/sleep", "1000"]
resources.memory = "64Mi"
[guest]
stop_timeout_seconds = 2
EOT
} >"$T/spec.ini"
vm_start "$T/spec.ini" --control "unix:$CTL_SOCK"
wait_ctl || finish

# state NAME: readiness state and last failure of NAME
state() { ctl --json status "$1" | json "j['result']['processes'][0]['health']['readiness']['state']"; }
reason() { ctl --json status "$1" | json "j['result']['processes'][0]['health']['readiness']['last_failure']"; }
until_state() {   # NAME STATE SECONDS
	local i
	for i in $(seq $(($3 * 10))); do
		[ "$(state "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
t_state() {   # NAME STATE SECONDS REASON-REGEX DESCRIPTION
	if until_state "$1" "$2" "$3" && { [ -z "$4" ] || reason "$1" | grep -Eq -- "$4"; }; then
		ok "$5"
	else
		fail "$5: state $(state "$1"), last failure: $(reason "$1")"
	fi
}

t_state late healthy 30 'connection refused \(127.0.0.1 and ::1\)' "a server that comes up late: refused, then healthy"
t_state hang unhealthy 30 'timed out after 1000 ms' "a server that hangs after accept: unhealthy, timed out"
t_state e500 unhealthy 30 '^status 500$' "HTTP 500: unhealthy"
t_state halfline unhealthy 30 'closed before a complete status line' "closed in the middle of the status line: unhealthy"
t_state redirect healthy 30 '' "HTTP 301: healthy (redirects are not followed)"
t_state garbage unhealthy 30 'malformed status line' "garbage instead of HTTP: unhealthy"
t_state tcphang healthy 30 '' "a tcp check passes on connect, even if the server never answers"
t_state v6 healthy 30 '' "a server on ::1 only: healthy"
t_state drip healthy 30 '' "a status line dripped byte by byte, then an endless body: healthy"
n=$(ctl --json status drip | json "j['result']['processes'][0]['health']['readiness']['skipped_rounds']")
[ "$n" -gt 0 ] && ok "drip: rounds while an attempt still runs are skipped and counted ($n)" || fail "drip: skipped_rounds $n"
t_state flap healthy 30 '' "flap: healthy while the file is absent"
touch "$T/flap"
t_state flap unhealthy 30 '^status 500$' "flap: unhealthy after 2 failures in a row"
rm -f "$T/flap"
t_state flap healthy 30 '' "flap: healthy again"
ctl --json status nocheck | json "j['result']['processes'][0]['health']" | grep -qx None &&
	ok "a process without checks has health null" || fail "nocheck's health is not null"

# Events: flap's transitions, in order, with the reason.
events_until "$T/events" 30 "len([e for e in ev if e['type'] == 'health.changed' and e['process'] == 'flap']) >= 3"
python3 - "$T/events" <<'PY' && ok "events: flap healthy -> unhealthy (status 500) -> healthy" || fail "events: flap's transitions"
import json, sys
ev = [json.loads(l)["event"] for l in open(sys.argv[1]) if l.startswith('{"event"')]
f = [(e["state"], e["reason"]) for e in ev if e["type"] == "health.changed" and e["process"] == "flap"]
assert [s for s, _ in f] == ["healthy", "unhealthy", "healthy"], f
assert f[1][1] == "status 500", f
PY

# The hung servers cost PID 1 nothing. slowhang's attempt is in flight: a
# round was skipped and no check has completed (ever, or for 2 s of PID 1's
# clock while rounds come due every second: refused attempts, before its
# server listens, complete at once), and the same number of checks has
# completed before and after ten pings.
# Each ping is answered (20 s each at most: far less than the 600 s attempt).
hung() {   # the completed checks, if an attempt of slowhang's hangs
	ctl --json status slowhang | json "(lambda r: r['checks'] if r['skipped_rounds'] > 0 and (r['last_check_ms'] is None or
		j['result']['uptime_ms'] - r['last_check_ms'] >= 2000) else None)(j['result']['processes'][0]['health']['readiness'])"
}
until_ok 30 eval 'before=$(hung 2>/dev/null); [[ $before =~ ^[0-9]+$ ]]'
t0=$(date +%s%N)
pings=0
for i in 1 2 3 4 5 6 7 8 9 10; do ctl --timeout 20 ping >/dev/null && pings=$((pings + 1)); done
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
after=$(hung)
[ "$pings" = 10 ] && [[ $before =~ ^[0-9]+$ ]] && [ "$after" = "$before" ] && ok "10 pings answered ($ms ms) while a check's attempt hung" \
	|| fail "pings answered: $pings of 10 ($ms ms); slowhang's completed checks before: $before, after: $after"
vm_signal TERM
vm_wait 60
finish
