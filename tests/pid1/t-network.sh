# The guest's network applied by PID 1 (docs/network.md), in a network
# namespace of its own that holds one end of a veth pair; the other end stays
# here, as the host's side of the link. vminit finds the link by its MAC, sets
# its MTU, brings it up, adds IPv4 and IPv6 addresses (IPv6 usable at once: a
# process binds it as it starts) and default routes, and writes resolv.conf
# and hosts: in place on a writable root, bound over the image's files on a
# read-only one. A bad address and a MAC no link has are failures in status
# and events while the rest applies; `required = true` holds processes while
# the network is applied and when it failed, and not otherwise.
. "$(dirname "$0")/lib.sh"
# The VM's network namespace is held by a sleeping process of ours, not
# named with `ip netns` (whose mounts would change the host's mount table).
HOLDER=
HOSTIF=vmt$$
VMMAC=02:00:5e:00:53:01
R=$T/root
mkdir -p "$R/bin" "$R/etc" "$R/www"
cp "$VMINIT" "$R/vminit"
cp /bin/busybox "$R/bin/busybox"
ln -s busybox "$R/bin/sh"
echo "hello from the guest" >"$R/www/index.html"
LOOP=
net_cleanup() {
	cleanup
	[ -n "$HOLDER" ] && kill "$HOLDER" 2>/dev/null
	ip link del "$HOSTIF" 2>/dev/null
	[ -n "$LOOP" ] && losetup -d "$LOOP" 2>/dev/null
}
trap net_cleanup EXIT
# A run killed before its trap left its pair behind, with addresses that
# would shadow ours: gone, when the shell that named it is.
for l in $(ip -o link show | sed -n 's/^[0-9]*: \(vmt[0-9]*\)[@:].*/\1/p'); do
	[ -d "/proc/${l#vmt}" ] || ip link del "$l" 2>/dev/null || true
done

# veth: a fresh pair, the VM's end (VMMAC) moved into the namespace when
# $1 is "in", else left here as vmt$$x for a later link_in.
veth() {
	[ -n "$HOLDER" ] && kill "$HOLDER" 2>/dev/null
	ip link del "$HOSTIF" 2>/dev/null
	unshare --net sleep 100000 &
	HOLDER=$!
	until_ok 10 sh -c "[ \"\$(readlink /proc/$HOLDER/ns/net)\" != \"\$(readlink /proc/self/ns/net)\" ]" ||
		{ fail "no network namespace"; finish; }
	ip link add "${HOSTIF}x" address "$VMMAC" type veth peer name "$HOSTIF" || { fail "no veth"; finish; }
	ip addr add 198.51.100.1/24 dev "$HOSTIF"
	ip addr add 2001:db8::1/64 dev "$HOSTIF" nodad
	ip link set "$HOSTIF" up
	[ "$1" = in ] && link_in
}
link_in() { ip link set "${HOSTIF}x" netns "$HOLDER"; }

# boot_bare: vminit as PID 1 in the namespace, on a plain directory as its
# root (writable: resolv.conf and hosts are written in place, in $R/etc).
boot_bare() {
	{ spec_header; cat; } >"$R/etc/spec.ini"
	rm -f "$R/etc/resolv.conf" "$R/etc/hosts"
	nsenter --net="/proc/$HOLDER/ns/net" unshare --fork --pid --mount --uts --root="$R" \
		/vminit --spec /etc/spec.ini --control unix:/run/ctl.sock >"$CONSOLE" 2>&1 &
	VM_PID=$!
	for i in $(seq 400); do VM_INIT=$(pgrep -P "$VM_PID" | head -n1); [ -n "$VM_INIT" ] && break; sleep 0.05; done
	CTL_SOCK=/proc/$VM_INIT/root/run/ctl.sock
}
net_status() { ctl --json status | json "$1"; }
stop_vm() { vm_signal TERM; vm_wait 30; expect_poweroff; }

IFACES='[guest.network.interfaces.web]
mac = "'$VMMAC'"
mtu = 1400
addresses = ["198.51.100.10/24", "2001:db8::10/64", "ff02::99/64"]
gateway4 = "198.51.100.1"
gateway6 = "2001:db8::1"
[guest.network.interfaces.ghost]
mac = "52:54:00:00:00:99"
addresses = ["203.0.113.2/24"]'

# ---- 1: a writable root, not required: a bad address and a missing link
veth in
boot_bare <<EOT
[processes.web6]
command = ["/bin/busybox", "httpd", "-f", "-p", "[2001:db8::10]:8080", "-h", "/www"]
resources.memory = "64Mi"
[processes.web4]
command = ["/bin/busybox", "httpd", "-f", "-p", "198.51.100.10:8081", "-h", "/www"]
resources.memory = "64Mi"
[guest]
hostname = "net-1"
[guest.network]
dns_servers = ["198.51.100.53", "2001:db8::53"]
dns_search = ["example.test", "test"]
hosts = ["198.51.100.7 db.example.test db"]
$IFACES
EOT
expect 'network: web: address failed: ff02::99/64: ' 30 "a refused address is named on the console"
expect 'network: ghost: link failed: no link with MAC 52:54:00:00:00:99' 30 "a MAC no link has is named, once the wait for it is over"
expect 'network: partial \(2 interfaces, 2 failures\)' 30 "the network settles as partial"
wait_ctl
if events_until "$T/ev1" 30 'any(e["type"] == "network.applied" for e in ev)'; then
	events_hold "$T/ev1" '[(e["interface"], e["step"], e["item"], e["error"][:13]) for e in ev if e["type"] == "network.failed"] == [("web", "address", "ff02::99/64", "ff02::99/64: "), ("ghost", "link", None, "no link with ")]' \
		&& ok "events: network.failed for the address and the link, in order" || fail "network.failed events: $(grep network.failed "$T/ev1")"
	events_hold "$T/ev1" '[(e["state"], e["interfaces"], e["failures"]) for e in ev if e["type"] == "network.applied"] == [("partial", 2, 2)]' \
		&& ok "events: one network.applied, partial, 2 failures" || fail "network.applied: $(grep network.applied "$T/ev1")"
	events_hold "$T/ev1" 'min(e["seq"] for e in ev if e["type"] == "process.started") < [e["seq"] for e in ev if e["type"] == "network.applied"][0]' \
		&& ok "not required: processes started before the network settled" || fail "processes waited for the network: $(grep -E 'process.started|network.applied' "$T/ev1")"
else
	fail "no network.applied event"
fi
st=$(ctl --json status)
echo "$st" >"$T/status1.json"
check() { if python3 -c "import json,sys; n=json.load(open(sys.argv[1]))['result']['network']; sys.exit(0 if ($2) else 1)" "$T/status1.json"; then ok "$1"; else fail "$1: $(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['result']['network'])" "$T/status1.json")"; fi; }
check "status: state partial, not required" 'n["state"] == "partial" and n["required"] is False'
check "status: web found by MAC, mtu 1400, up" 'n["interfaces"][0]["name"] == "web" and n["interfaces"][0]["device"] and n["interfaces"][0]["mac"] == "'$VMMAC'" and n["interfaces"][0]["mtu"] == 1400 and n["interfaces"][0]["up"] and n["interfaces"][0]["error"] is None'
check "status: each address applied or why not" '[(a["address"], a["applied"], (a["error"] or "")[:12]) for a in n["interfaces"][0]["addresses"]] == [("198.51.100.10/24", True, ""), ("2001:db8::10/64", True, ""), ("ff02::99/64", False, "ff02::99/64:")]'
check "status: both default routes applied" '[(r["family"], r["via"], r["applied"], r["error"]) for r in n["interfaces"][0]["routes"]] == [("inet", "198.51.100.1", True, None), ("inet6", "2001:db8::1", True, None)]'
check "status: ghost has no link, its address untried" 'n["interfaces"][1]["device"] is None and n["interfaces"][1]["up"] is False and n["interfaces"][1]["error"] == "no link with MAC 52:54:00:00:00:99" and n["interfaces"][1]["addresses"][0]["applied"] is False'
check "status: dns as given, written in place" 'n["dns"] == {"servers": ["198.51.100.53", "2001:db8::53"], "search": ["example.test", "test"], "resolv_conf": "/etc/resolv.conf", "hosts": "/etc/hosts", "error": None}'
ctl exec -- /bin/busybox ip -o addr show >"$T/addr" 2>&1
grep -q 'inet 198.51.100.10/24' "$T/addr" && ok "the kernel has 198.51.100.10/24" || fail "addresses: $(cat "$T/addr")"
grep 'inet6 2001:db8::10/64' "$T/addr" | grep -qv tentative && ok "the kernel has 2001:db8::10/64, not tentative" || fail "addresses: $(cat "$T/addr")"
ctl exec -- /bin/busybox ip -o link show >"$T/link" 2>&1
grep -q "mtu 1400 .*link/ether $VMMAC" "$T/link" && ok "the link's MTU is 1400" || fail "link: $(cat "$T/link")"
ctl exec -- /bin/sh -c 'busybox ip route; busybox ip -6 route' >"$T/route" 2>&1
grep -q 'default via 198.51.100.1 ' "$T/route" && grep -q 'default via 2001:db8::1 ' "$T/route" \
	&& ok "the default routes are the kernel's" || fail "routes: $(cat "$T/route")"
[ "$(cat "$R/etc/resolv.conf")" = "$(printf '# written by vminit from the spec'"'"'s [guest.network]\nnameserver 198.51.100.53\nnameserver 2001:db8::53\nsearch example.test test')" ] \
	&& ok "resolv.conf written in place" || fail "resolv.conf: $(cat "$R/etc/resolv.conf")"
grep -qx '198.51.100.7 db.example.test db' "$R/etc/hosts" && grep -qx "$(printf '198.51.100.10\tnet-1')" "$R/etc/hosts" \
	&& ok "hosts written in place, with the hostname and the spec's lines" || fail "hosts: $(cat "$R/etc/hosts")"
# Reachability from this side of the link, on both families.
[ "$(curl -s --max-time 20 http://198.51.100.10:8081/)" = "hello from the guest" ] \
	&& ok "the host reaches the guest's IPv4 address" || fail "no answer on 198.51.100.10:8081"
[ "$(curl -s -g --max-time 20 'http://[2001:db8::10]:8080/')" = "hello from the guest" ] \
	&& ok "the host reaches the guest's IPv6 address" || fail "no answer on [2001:db8::10]:8080"
# The IPv6 server bound its address as it started: once, no failed try.
[ "$(net_status "[p['starts'] for p in j['result']['processes'] if p['name'] == 'web6'][0]")" = 1 ] && [ "$(count '^web6 \| .*bind')" = 0 ] \
	&& ok "a process binds its static IPv6 address at start (no DAD wait)" || fail "web6 did not bind at once: $(grep '^web6' "$CONSOLE")"
stop_vm

# ---- 2: required = true, the link late: processes wait, then start
veth out
boot_bare <<EOT
[processes.look]
command = ["/bin/busybox", "sh", "-c", "echo UP\u003b exec busybox sleep 1000"]
resources.memory = "64Mi"
[guest.network]
required = true
# Long: the link comes when the test says, never after the wait by chance.
link_wait_seconds = 300
[guest.network.interfaces.web]
mac = "$VMMAC"
addresses = ["198.51.100.10/24"]
EOT
expect 'look: not started: network: applying' 30 "required: the process waits while the network is applied"
wait_ctl
[ "$(net_status "[p['waiting_for'] for p in j['result']['processes']][0] + ' ' + j['result']['network']['state']")" = "network applying" ] \
	&& ok "status: waiting for the network, applying" || fail "status while applying: $(ctl --json status)"
# The link arrives as a driver's would, later: found on a retry.
link_in
expect 'network: applied \(1 interfaces, 0 failures\)' 30 "a link that came late is found and applied"
expect '^look \| UP$' 30 "... and the waiting process starts"
stop_vm

# ---- 3: a read-only root (strict), required = true, the image has no /etc/hosts
IMG=$T/image
mkdir -p "$IMG"/{bin,etc,dev,proc,sys,run,tmp}
cp /bin/busybox "$IMG/bin/busybox"
ln -s busybox "$IMG/bin/sh"
echo "# the image's own" >"$IMG/etc/resolv.conf"
mksquashfs "$IMG" "$T/root.sqfs" -quiet -noappend >/dev/null
LOOP=$(losetup -f --show -r "$T/root.sqfs") || { fail "no loop device"; finish; }
INITRD=$T/initrd
mkdir -p "$INITRD"
veth in
cat >"$T/spec3.ini" <<EOT
$(spec_header)
[processes.look]
command = ["/bin/sh", "-c", "echo UP"]
resources.memory = "64Mi"
[guest.root]
device = "$LOOP"
filesystem = "squashfs"
writable = ["/tmp"]
[guest.network]
required = true
dns_servers = ["198.51.100.53"]
[guest.network.interfaces.web]
mac = "$VMMAC"
addresses = ["198.51.100.10/24"]
EOT
nsenter --net="/proc/$HOLDER/ns/net" unshare --mount sh -c 'mount -t tmpfs initrd "$1" && cp "$2" "$1/init" && cp "$3" "$1/spec.ini" &&
	exec unshare --fork --pid --uts --root="$1" /init --spec /spec.ini --control unix:/run/ctl.sock' \
	sh "$INITRD" "$VMINIT" "$T/spec3.ini" >"$CONSOLE" 2>&1 &
VM_PID=$!
for i in $(seq 400); do VM_INIT=$(pgrep -P "$VM_PID" -f '^/init --spec' | head -n1); [ -n "$VM_INIT" ] && break; sleep 0.05; done
CTL_SOCK=/proc/$VM_INIT/root/run/ctl.sock
expect 'network: files: hosts failed: /etc/hosts: the root is read-only and has no such file to bind over' 30 \
	"read-only root: a file the image lacks cannot be bound over, and it says so"
expect 'look: not started: network: partial: /etc/hosts: ' 30 "required: a failed network holds the process, saying why"
wait_ctl
[ "$(net_status "j['result']['network']['dns']['resolv_conf'] + ' ' + str(j['result']['network']['dns']['hosts'])")" = "/run/vminit/net/resolv.conf None" ] \
	&& ok "status: resolv.conf written under /run/vminit/net, hosts not" || fail "dns: $(net_status "j['result']['network']['dns']")"
ctl exec -- /bin/busybox cat /etc/resolv.conf >"$T/ro" 2>&1
grep -qx 'nameserver 198.51.100.53' "$T/ro" && ! grep -q "image's own" "$T/ro" \
	&& ok "read-only root: processes see the spec's resolv.conf over the image's" || fail "resolv.conf seen: $(cat "$T/ro")"
[ "$(net_status "[p['blocked'] for p in j['result']['processes']][0][:24]")" = "network: partial: /etc/h" ] \
	&& ok "status: the process is blocked by the network's failure" || fail "blocked: $(net_status "j['result']['processes']")"
[ "$(count '^look \| UP')" = 0 ] && ok "the held process never ran" || fail "it ran"
stop_vm
finish
