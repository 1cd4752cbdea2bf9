# vminit in a root with nothing else in it: no libc, no loader, no /proc, /dev
# or /sys (only a static busybox for the workload to look around with). As PID 1
# it mounts the kernel file systems itself, sets the hostname, brings up lo,
# and sleeps while nothing is due: no periodic wake-ups.
. "$(dirname "$0")/lib.sh"
R=$T/root
mkdir -p "$R/bin" "$R/etc"
cp "$VMINIT" "$R/vminit"
cp /bin/busybox "$R/bin/busybox"
cat >"$R/etc/spec.ini" <<'EOT'
schema_version = "v1"
[processes.look]
command = ["/bin/busybox", "sh", "-c", "busybox cat /proc/mounts\u003b echo hostname=$(busybox hostname)\u003b busybox ip -o link show lo\u003b exec busybox sleep 1000"]
resources.memory = "64Mi"
[guest]
hostname = "bare-1"
EOT
unshare --fork --pid --mount --net --uts --root="$R" /vminit --spec /etc/spec.ini >"$CONSOLE" 2>&1 &
VM_PID=$!
for i in $(seq 400); do VM_INIT=$(pgrep -P "$VM_PID" | head -n1); [ -n "$VM_INIT" ] && break; sleep 0.05; done
# The ip line is the workload's last: once it is on the console, so is the rest.
expect '^look \| 1: lo: ' 30 "the workload ran in the bare root"
for m in "proc /proc proc" "sysfs /sys sysfs" "devtmpfs /dev devtmpfs" "devpts /dev/pts devpts" \
	"shm /dev/shm tmpfs" "run /run tmpfs" "tmp /tmp tmpfs" "cgroup2 /sys/fs/cgroup cgroup2"; do
	set -- $m
	expect "^look \| $1 $2 $3 " 1 "PID 1 mounted $3 on $2"
done
expect '^look \| hostname=bare-1$' 1 "PID 1 set the hostname from the spec"
expect '^look \| 1: lo: <LOOPBACK,UP,LOWER_UP>' 1 "PID 1 brought up lo"
file "$VMINIT" | grep -q 'statically linked' && ok "build/vminit is statically linked" || fail "build/vminit is not static"
# Idle: the only process sleeps; PID 1 must not wake up at all. Counted once
# PID 1 has nothing left to do (however long it took to get there): the
# workload's last line printed, and the workload now busybox sleep.
look_sleeps() {
	local p
	for p in $(descendants); do
		[[ "$(tr '\0' ' ' </proc/$p/cmdline 2>/dev/null)" == *"busybox sleep 1000 " ]] && return 0
	done
	return 1
}
until_ok 30 look_sleeps || fail "the workload never got to its sleep"
c0=$(awk '/^voluntary_ctxt_switches/ {print $2}' /proc/$VM_INIT/status)
sleep 3
c1=$(awk '/^voluntary_ctxt_switches/ {print $2}' /proc/$VM_INIT/status)
[ $((c1 - c0)) -le 1 ] && ok "idle PID 1 slept for 3 s ($((c1 - c0)) wake-ups)" || fail "idle PID 1 woke up $((c1 - c0)) times in 3 s"
vm_signal TERM
vm_wait 10
expect_poweroff
finish
