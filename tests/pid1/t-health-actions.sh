# What the health extensions do (docs/health.md section 4): a liveness check
# that goes unhealthy ends the process and its restart policy restarts it; a
# process not healthy within x-startup_timeout_seconds is ended, retried and
# finally failed by its policy; a chain of x-depends_on starts in order
# (healthy, then succeeded, then started), and a waiting process shows what
# it waits for.
# Nothing here depends on timing: db's server waits for the test's word, so
# the chain is held while the test looks at it; each run of live starts with
# the sick flag cleared, so exactly one liveness failure ends it; the checks
# have a grace period far longer than a server takes to listen.
. "$(dirname "$0")/lib.sh"
H=$HELPERS/hserver
# live: every run starts well (the sick flag cleared). db: listens once the
# test says so.
printf 'rm -f %s\nexec %s 19101 file %s\n' "$T/sick" "$H" "$T/sick" >"$T/live.sh"
printf 'while [ ! -e %s ]; do sleep 0.1; done\nexec %s 19103 ok\n' "$T/db-go" "$H" >"$T/db.sh"
{
	spec_header
	cat <<EOT
[processes.live]
command = ["/bin/sh", "$T/live.sh"]
restart.backoff_seconds = 0
resources.memory = "64Mi"
ports.0.internal = 19101
x-liveness.type = "http"
x-liveness.port = 19101
x-liveness.path = "/"
x-liveness.interval_seconds = 1
x-liveness.grace_period_seconds = 5
x-liveness.failure_threshold = 2

[processes.slow]
command = ["$H", "19102", "late", "60", "ok"]
restart.policy = "on-failure"
restart.max_retries = 1
restart.backoff_seconds = 0
resources.memory = "64Mi"
ports.0.internal = 19102
health.port = 19102
health.interval_seconds = 1
x-startup_timeout_seconds = 2

[processes.db]
command = ["/bin/sh", "$T/db.sh"]
resources.memory = "64Mi"
ports.0.internal = 19103
health.port = 19103
health.interval_seconds = 1

[processes.migrate]
command = ["/bin/sh", "-c", "echo migrating; sleep 0.5; echo migrated"]
restart.policy = "never"
resources.memory = "64Mi"
x-depends_on = ["db:healthy"]

[processes.app]
command = ["/bin/sleep", "1000"]
resources.memory = "64Mi"
x-liveness.type = "process"
x-depends_on = ["migrate:succeeded", "db"]

[processes.sidecar]
command = ["/bin/sleep", "1000"]
resources.memory = "64Mi"
x-depends_on = ["app:healthy"]

[guest]
stop_timeout_seconds = 2
EOT
} >"$T/spec.ini"
vm_start "$T/spec.ini" --control "unix:$CTL_SOCK"
wait_ctl || finish

# pexpr NAME EXPR: EXPR over NAME's entry in status (as p).
pexpr() { ctl --json status "$1" | python3 -c "import json,sys; p=json.load(sys.stdin)['result']['processes'][0]; print($2)"; }
prints_true() { [ "$("$@" 2>/dev/null)" = True ]; }
until_true() {   # SECONDS CMD...: until CMD prints True
	local limit=$1
	shift
	until_ok "$limit" prints_true "$@"
}

w=$(pexpr migrate "p['waiting_for']")
[ "$w" = db:healthy ] && ok "status: migrate waits for db:healthy" || fail "migrate's waiting_for: $w"
w=$(pexpr sidecar "p['waiting_for']")
[ "$w" = app:healthy ] && ok "status: sidecar waits for app:healthy" || fail "sidecar's waiting_for: $w"
ctl status | grep -Eq '^migrate +inactive +waits db:healthy ' && ok "vminitctl status shows what migrate waits for" ||
	fail "vminitctl status: $(ctl status)"
touch "$T/db-go"   # db's server may listen now

# Liveness: healthy, then sick -> ended and restarted by policy (always).
pid0=$(pexpr live "p['pid']")
if until_true 30 pexpr live "p['health']['liveness']['state'] == 'healthy'"; then ok "live: liveness healthy"; else fail "live never healthy"; fi
touch "$T/sick"
if until_true 60 pexpr live "p['restarts'] == 1 and p['pid'] not in (None, $pid0)"; then
	ok "live: unhealthy liveness ended the process; restarted by its policy"
else
	fail "live: not restarted: $(ctl --json status live)"
fi
if until_true 30 pexpr live "p['health']['liveness']['state'] == 'healthy' and p['state'] == 'running'"; then
	ok "live: healthy again after the restart"
else
	fail "live: not healthy after the restart"
fi
expect 'live: liveness check unhealthy \(status 500\): ending it' 1 "the console says why live was ended"

# Startup timeout: 2 s, twice (max_retries 1), then failed.
if until_true 60 pexpr slow "p['state'] == 'failed' and p['restarts'] == 1"; then
	ok "slow: ended after x-startup_timeout_seconds, retried once, failed"
else
	fail "slow: $(ctl --json status slow)"
fi
expect 'slow: not healthy within x-startup_timeout_seconds = 2' 1 "the console names the startup timeout"

# The chain: db healthy -> migrate runs and succeeds -> app -> sidecar.
if until_true 60 pexpr sidecar "p['state'] == 'running'"; then ok "the chain started to its end"; else fail "sidecar never ran"; fi
events_until "$T/events" 30 "any(e['type'] == 'process.started' and e['process'] == 'sidecar' for e in ev)"
python3 - "$T/events" <<'PY' && ok "events: the chain in order, give_up events, waiting events" || fail "events: order"
import json, sys
ev = [json.loads(l)["event"] for l in open(sys.argv[1]) if l.startswith('{"event"')]
def at(pred):
    for e in ev:
        if pred(e):
            return e["seq"]
    raise AssertionError("missing")
started = lambda n: at(lambda e: e["type"] == "process.started" and e["process"] == n)
db_healthy = at(lambda e: e["type"] == "health.changed" and e["process"] == "db" and e["state"] == "healthy")
mig_done = at(lambda e: e["type"] == "process.exited" and e["process"] == "migrate" and e["code"] == 0)
assert db_healthy < started("migrate") < mig_done < started("app") < started("sidecar"), (db_healthy, mig_done)
waits = [(e["process"], e["for"], e["condition"]) for e in ev if e["type"] == "process.waiting"]
assert ("migrate", "db", "healthy") in waits and ("app", "migrate", "succeeded") in waits, waits
gu = [e["process"] for e in ev if e["type"] == "health.give_up"]
assert gu.count("live") == 1 and gu.count("slow") == 2, gu
PY
vm_signal TERM
vm_wait 60
finish
