# An image whose /etc/passwd and /etc/group are FIFOs (a hostile or broken
# image): a start reads them between its fork and its exec, and an open of a
# FIFO waits for a writer that never comes. Each process must still start or
# fail with a clear error, and PID 1 must answer the host:
#   no user: it runs as root with HOME=/ (no entry to take it from);
#   a user by name: it fails (126) and says the file is not a regular one.
# (The workload reads no user name either: busybox's id would open the FIFO.)
. "$(dirname "$0")/lib.sh"
R=$T/root
mkdir -p "$R/bin" "$R/etc"
cp "$VMINIT" "$R/vminit"
cp /bin/busybox "$R/bin/busybox"
mkfifo "$R/etc/passwd" "$R/etc/group"
show='echo home=$HOME $(busybox grep ^Uid: /proc/self/status)\u003b exec busybox sleep 1000'
cat >"$R/etc/spec.ini" <<EOT
schema_version = "v1"
[processes.plain]
command = ["/bin/busybox", "sh", "-c", "$show"]
resources.memory = "64Mi"
[processes.named]
command = ["/bin/busybox", "sh", "-c", "$show"]
resources.memory = "64Mi"
user = "nobody"
restart.policy = "never"
EOT
unshare --fork --pid --mount --net --uts --root="$R" /vminit --spec /etc/spec.ini \
	--control unix:/ctl.sock >"$CONSOLE" 2>&1 &
VM_PID=$!
for i in $(seq 400); do VM_INIT=$(pgrep -P "$VM_PID" | head -n1); [ -n "$VM_INIT" ] && break; sleep 0.05; done
expect '^plain \| home=/ Uid: 0 0 0 0$' 30 "no user: it runs as root, HOME=/"
expect '^named \| vminit: user "nobody" not found in /etc/passwd \(not a regular file\)$' 30 \
	"a user by name: a clear error"
CTL_SOCK=$R/ctl.sock
wait_ctl && ctl status >"$T/status" 2>&1
grep -Eq '^named +(exited|failed)' "$T/status" && ok "status: named has ended ($(grep -E '^named ' "$T/status" | tr -s ' '))" \
	|| fail "status: named did not end: $(cat "$T/status")"
vm_signal TERM
vm_wait 10
expect_poweroff
finish
