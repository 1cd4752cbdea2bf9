# Capabilities (docs/resources.md): a root process runs with the default set
# of Docker and OCI (CapEff = CapPrm = CapBnd = 00000000a80425fb), nothing
# inheritable or ambient, no_new_privs off; x-capabilities adds and drops by
# name; a process of any other user has no capability in any set, bounding
# included, and no_new_privs; a prestart hook is bound like its process. A
# root workload cannot power the VM off, mount, read PID 1's memory or set
# the clock, nor write /proc/sys, /sys or the cgroups, and PID 1 stays up.
# Those are read-only in PID 1's own mount namespace, which a process shares
# unless it keeps SYS_ADMIN (a namespace of its own, where it may remount
# its copies); the host's `exec` without a process keeps write access.
. "$(dirname "$0")/lib.sh"
cat >"$T/probe.sh" <<'EOT'
echo caps $(grep -E '^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs):' /proc/$$/status | tr -s '\t ' ' ')
echo ns $(readlink /proc/self/ns/mnt)
exec sleep 1000
EOT
chmod 0755 "$T/probe.sh"
mkdir -p "$T/mnt"
cat >"$T/hostile.sh" <<EOT
exec $HELPERS/privop poweroff mount $T/mnt read /proc/1/environ settime \\
	rewrite /proc/sys/kernel/hostname rewrite /proc/sys/vm/swappiness \\
	rewrite /sys/class/net/lo/mtu rewrite $CG2/cgroup.max.depth
EOT
q="$T/probe.sh"
{
	spec_header
	cat <<EOT
[processes.root]
command = ["/bin/sh", "$q"]
resources.memory = "64Mi"
[processes.addrm]
command = ["/bin/sh", "$q"]
resources.memory = "64Mi"
x-capabilities.add = ["NET_ADMIN"]
x-capabilities.drop = ["cap_net_raw"]
[processes.nobody]
command = ["/bin/sh", "$q"]
user = "nobody"
resources.memory = "64Mi"
[processes.hooked]
command = ["/bin/sh", "$q"]
prestart = ["/bin/sh", "-c", "echo hook \$(grep -E '^Cap(Eff|Bnd):' /proc/\$\$/status | tr -s '\\\\t ' ' ')"]
resources.memory = "64Mi"
x-capabilities.drop = ["ALL"]
x-capabilities.add = ["KILL"]
[processes.admin]
command = ["/bin/sh", "$q"]
resources.memory = "64Mi"
x-capabilities.add = ["SYS_ADMIN"]
[processes.hostile]
command = ["/bin/sh", "$T/hostile.sh"]
restart.policy = "never"
resources.memory = "64Mi"
EOT
} >"$T/spec.ini"
vm_start "$T/spec.ini" --control "unix:$CTL_SOCK"
until_ok 30 eval '[ "$(count "^(root|addrm|nobody|hooked) \| caps ")" = 4 ]' || fail "not every probe printed its sets"
z=0000000000000000
expect "^root \| caps CapInh: $z CapPrm: 00000000a80425fb CapEff: 00000000a80425fb CapBnd: 00000000a80425fb CapAmb: $z NoNewPrivs: 0\$" 30 \
	"root: Docker's default set in effective, permitted and bounding; nothing inheritable or ambient"
expect "^addrm \| caps CapInh: $z CapPrm: 00000000a80415fb CapEff: 00000000a80415fb CapBnd: 00000000a80415fb CapAmb: $z NoNewPrivs: 0\$" 30 \
	"x-capabilities: NET_ADMIN added, NET_RAW dropped"
expect "^nobody \| caps CapInh: $z CapPrm: $z CapEff: $z CapBnd: $z CapAmb: $z NoNewPrivs: 1\$" 30 \
	"a non-root user: no capability in any set, no_new_privs"
expect "^hooked \| hook CapEff: 0000000000000020 CapBnd: 0000000000000020\$" 30 \
	"the prestart hook is bound like its process (drop ALL, add KILL)"
expect "^hooked \| caps CapInh: $z CapPrm: 0000000000000020 CapEff: 0000000000000020 CapBnd: 0000000000000020 " 30 \
	"drop ALL, add KILL: only KILL"
expect '^hostile \| poweroff: Operation not permitted$' 30 "a root workload cannot power the VM off (no SYS_BOOT)"
expect '^hostile \| mount: Operation not permitted$' 30 "nor mount (no SYS_ADMIN)"
expect '^hostile \| read: (Permission denied|Operation not permitted)$' 30 "nor read PID 1's environment (no SYS_PTRACE)"
expect '^hostile \| settime: Operation not permitted$' 30 "nor set the clock (no SYS_TIME)"
for f in /proc/sys/kernel/hostname /proc/sys/vm/swappiness /sys/class/net/lo/mtu "$CG2/cgroup.max.depth"; do
	expect "^hostile \\| rewrite $f: Read-only file system\$" 30 "nor write $f (read-only in its view)"
done
expect '^vminit: hostile: exited$' 30 "the hostile process ran to its end"
ns1=$(readlink /proc/$VM_INIT/ns/mnt | sed 's/[][]/\\&/g')   # mnt:[N], as a regex
expect "^root \\| ns $ns1\$" 30 "a root process shares PID 1's mount namespace (the guard is PID 1's)"
expect '^admin \| ns ' 30 "the SYS_ADMIN process printed its namespace"
[ "$(count "^admin \\| ns $ns1\$")" = 0 ] && ok "one that keeps SYS_ADMIN has a namespace of its own" \
	|| fail "admin shares PID 1's mount namespace: it could unmount the guard"
wait_ctl || finish
out=$(ctl exec -- /bin/sh -c 'cat /proc/sys/kernel/hostname >/proc/sys/kernel/hostname && echo written' 2>&1)
[ "$out" = written ] && ok "exec without a process (PID 1's privileges) can write /proc/sys" || fail "exec: $out"
out=$(ctl exec --process root -- /bin/sh -c 'cat /proc/sys/kernel/hostname >/proc/sys/kernel/hostname && echo written' 2>&1)
case $out in *Read-only*) ok "exec --process root cannot" ;; *) fail "exec --process root: $out" ;; esac
if vm_alive && [ "$(count '^root \| caps ')" = 1 ]; then ok "PID 1 is up, the others undisturbed"
else fail "PID 1 or a process went down"; fi
grep -q " $T/mnt " /proc/self/mountinfo && fail "a tmpfs was mounted on $T/mnt"
vm_signal TERM
vm_wait 60
expect_poweroff
finish
