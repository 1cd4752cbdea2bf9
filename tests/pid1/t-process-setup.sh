# What a process gets: its user and groups (names from the root's /etc/passwd
# and /etc/group, or numeric), HOME, workdir, the merged env (image < env <
# process), stdin from /dev/null, no inherited fds, its own session, a clean
# signal mask and dispositions.
. "$(dirname "$0")/lib.sh"
cat >"$T/probe.sh" <<'EOT'
echo uid=$(id -u) gid=$(id -g) groups=$(id -G | tr " " ,) home=$HOME pwd=$(pwd)
echo env A=$A B=$B C=$C D=$D
echo stdin=$(cat | wc -c)
echo fds=$(ls /proc/self/fd | sort -n | tr "\n" ,)
echo sess=$(( $(cut -d" " -f6 /proc/$$/stat) == $$ ))
echo $(grep -E "^Sig(Blk|Ign)" /proc/$$/status | tr -s "\t " " ")
exec sleep 1000
EOT
chmod 0755 "$T/probe.sh"
q="$T/probe.sh"
{
	spec_header
	cat <<EOT
[env]
vars = ["B=env", "C=env"]
[processes.nobody]
command = ["/bin/sh", "$q"]
user = "nobody"
vars = ["C=proc", "D=proc"]
workdir = "/usr"
resources.memory = "64Mi"
[processes.numeric]
command = ["/bin/sh", "$q"]
user = "1234:5678"
resources.memory = "64Mi"
[processes.named]
command = ["/bin/sh", "$q"]
user = "daemon:nogroup"
resources.memory = "64Mi"
[processes.root]
command = ["/bin/sh", "$q"]
resources.memory = "64Mi"
[guest.image]
env = ["A=image", "B=image", "PATH=/usr/bin:/bin"]
EOT
} >"$T/spec.ini"
vm_start "$T/spec.ini"
# Each probe's last line is its signal state: once all four are on the
# console, everything they print is, whatever the order they ran in.
until_ok 30 eval '[ "$(count "^(nobody|numeric|named|root) \| SigBlk:")" = 4 ]' || fail "not every probe finished"
nob_gid=$(getent passwd nobody | cut -d: -f4)
expect "^nobody \| uid=65534 gid=$nob_gid groups=$nob_gid home=/nonexistent pwd=/usr\$" 30 "user by name: uid, gid, groups, HOME from /etc/passwd; workdir"
expect '^nobody \| env A=image B=env C=proc D=proc$' 30 "env merge: image < env.vars < process vars"
expect '^numeric \| uid=1234 gid=5678 groups=5678 home=/ pwd=/$' 30 "numeric uid:gid without a passwd entry"
expect "^named \| uid=$(id -u daemon) gid=$(getent group nogroup | cut -d: -f3) " 30 "user:group by names"
expect '^root \| uid=0 gid=0 groups=0 home=/root pwd=/$' 30 "no user: stays root, HOME from passwd"
[ "$(count '^(nobody|numeric|named|root) \| stdin=0$')" = 4 ] && ok "stdin is /dev/null for every process" \
	|| fail "stdin: $(grep -E '\| stdin=' "$CONSOLE" | tr '\n' ' ')"
expect '^nobody \| fds=0,1,2,3,$' 30 "no fd leaks into the process (3 is ls's own directory)"
expect '^nobody \| sess=1$' 30 "its own session"
expect '^nobody \| SigBlk: 0000000000000000 SigIgn: 0000000000000000$' 30 "empty signal mask, nothing ignored"
vm_signal TERM
vm_wait 60
expect_poweroff
finish
