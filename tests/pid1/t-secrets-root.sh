# Secrets when every process runs as root and none has a namespace of its
# own (docs/secrets.md §2): /run/secrets is then mounted just after the
# first fork, not before. It must still be there, a tmpfs of its own seen by
# the processes (they share PID 1's mounts), and a bundle must still land in
# it, gated processes included.
. "$(dirname "$0")/lib.sh"
cat >"$T/root.sh" <<'EOT'
while [ ! -f /run/secrets/platform.env ]; do sleep 0.05; done
echo root reads $(cat /run/secrets/platform.env)
grep -c ' /run/secrets tmpfs ' /proc/self/mounts
exec sleep 1000
EOT
{
	spec_header
	cat <<EOT
[processes.gated]
command = ["/bin/sh", "-c", "echo gated sees \$(grep -c = /run/secrets/platform.env) lines\u003b exec sleep 1000"]
resources.memory = "64Mi"
secrets.required = true
[processes.root]
command = ["/bin/sh", "$T/root.sh"]
resources.memory = "64Mi"
EOT
} >"$T/spec.ini"
vm_start "$T/spec.ini" --control "unix:$CTL_SOCK"
wait_ctl
ctl secrets --version v1 A=one >"$T/out1" 2>&1 && grep -q 'secrets version v1 delivered: 1 key$' "$T/out1" \
	&& ok "a bundle is delivered with only root processes" || fail "deliver v1: $(cat "$T/out1")"
expect '^root \| root reads A=one$' 30 "a root process reads it at /run/secrets/platform.env"
expect '^root \| 1$' 30 "... on /run/secrets' own tmpfs, in the mounts it shares with PID 1"
expect '^gated \| gated sees 1 lines$' 30 "a secrets.required process starts once the bundle is there"
vm_signal TERM
vm_wait 60
expect_poweroff
finish
