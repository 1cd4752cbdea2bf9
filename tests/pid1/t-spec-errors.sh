# A spec with errors: PID 1 prints every error (file:line: key: message),
# starts nothing, stays up, reports the errors over the host channel (status
# and events), and still shuts down cleanly when told to. Two of the errors are
# unquoted check ports (`health.port = http`), which once crashed the reader
# and so powered the VM off (issue 10).
. "$(dirname "$0")/lib.sh"
cat >"$T/spec.ini" <<'EOT'
schema_version = "v2"
[processes.web]
command = ["/bin/true"]
resources.memory = "32Mi"
restart.max_retries = 5
colour = "blue"
[processes.Bad]
resources.memory = "64Mi"
[processes.api]
command = ["/bin/true"]
resources.memory = "64Mi"
ports.0.internal = 3000
health.type = "tcp"
health.port = http
x-liveness.port = 1e999
EOT
vm_start "$T/spec.ini" --control "unix:$CTL_SOCK"
expect "spec: $T/spec.ini:1: schema_version: \"v2\" is not supported" 30 "wrong schema_version, with file:line"
expect "spec: $T/spec.ini:4: processes.web.resources.memory: \"32Mi\" is less than the minimum 64Mi" 30 "memory below 64Mi"
expect "spec: $T/spec.ini:5: processes.web.restart.max_retries: only valid when restart.policy is \"on-failure\"" 30 "max_retries without on-failure"
expect "spec: $T/spec.ini:6: processes.web.colour: unknown key" 30 "unknown key"
expect "spec: $T/spec.ini:7: processes.Bad: process name \"Bad\" must match" 30 "bad process name"
expect "spec: $T/spec.ini:7: processes.Bad: nothing to run: no command" 30 "a process with nothing to run"
expect "spec: $T/spec.ini:14: processes.api.health.port: not a value: strings are quoted" 30 "an unquoted health.port"
expect "spec: $T/spec.ini:15: processes.api.x-liveness.port: bad number" 30 "an x-liveness.port out of range"
expect "has 8 errors: no process started; waiting to be shut down" 30 "the error count, and PID 1 waits"
sleep 2
vm_alive && ok "PID 1 is still up 2 s later" || fail "PID 1 is gone"
[ "$(descendants | wc -l)" = 0 ] && ok "no process was started" || fail "processes were started"
st=$(ctl --json status)
[ "$(echo "$st" | json "j['result']['spec']['ok'], len(j['result']['spec']['errors']), j['result']['processes']")" = "False 8 []" ] \
	&& ok "status over the channel: the spec is not ok, 8 errors, no processes" || fail "status: $st"
[ "$(echo "$st" | json "[(e['line'], e['key']) for e in j['result']['spec']['errors']][2:4]")" = "[(5, 'processes.web.restart.max_retries'), (6, 'processes.web.colour')]" ] \
	&& ok "status: each error with its line and key" || fail "status errors: $st"
events_until "$T/events" 30 "len([e for e in ev if e['type'] == 'spec.error']) >= 8"
[ "$(grep -c '"type":"spec.error"' "$T/events")" = 8 ] && ok "events: 8 spec.error events" || fail "events: $(cat "$T/events")"
vm_signal TERM
vm_wait 60
expect_poweroff
finish
