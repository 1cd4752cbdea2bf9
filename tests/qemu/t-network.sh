#!/usr/bin/env bash
# t-network: the guest's network from the spec (docs/network.md) on a real
# kernel with virtio-net. NIC 1 is QEMU's user networking (slirp): the guest
# gets 10.0.2.20/24 (not slirp's default .15), fec0::20/64 and default routes,
# and the host reaches its web server through an IPv4 port forward to that
# address. QEMU 7.2 forwards no IPv6, so NIC 2 is a tap device, moved once
# QEMU holds it into a network namespace of the test's (fd00::1/64 there): the
# guest's fd00::2/64, matched by its MAC, answers at once. DNS: resolv.conf
# names slirp's 10.0.2.3, and a lookup in the guest goes there and comes back
# answered (offline, the host's resolver says NXDOMAIN: an answer all the
# same). A bad address (IPv6 multicast) is reported and the rest works.
. "$(dirname "$0")/lib.sh"
# The test's namespace is held by a sleeping process (no `ip netns`: no
# mounts on the host).
HOLDER=
TAP=vmq$$
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
net_cleanup() { vm_kill; [ -n "$HOLDER" ] && kill "$HOLDER" 2>/dev/null; ip link del "$TAP" 2>/dev/null; }
innet() { nsenter --net="/proc/$HOLDER/ns/net" "$@"; }
ip tuntap add "$TAP" mode tap || { fail "cannot make a tap device"; done_test; }
unshare --net sleep 100000 &
HOLDER=$!
until_ok 10 sh -c "[ \"\$(readlink /proc/$HOLDER/ns/net)\" != \"\$(readlink /proc/self/ns/net)\" ]" ||
	{ fail "no network namespace"; net_cleanup; done_test; }
trap net_cleanup EXIT

mkdir -p "$T/root/www"
echo "hello from the guest" >"$T/root/www/index.html"
cat >"$T/spec.ini" <<'SPEC'
schema_version = "v1"
[processes.web]
command = ["/bin/busybox", "httpd", "-f", "-p", "8080", "-h", "/www"]
resources.memory = "64Mi"
[guest.network]
dns_servers = ["10.0.2.3"]
dns_search = ["example.test"]
[guest.network.interfaces.user]
mac = "52:54:00:12:34:56"
addresses = ["10.0.2.20/24", "fec0::20/64", "ff02::1:5/64"]
gateway4 = "10.0.2.2"
gateway6 = "fec0::2"
[guest.network.interfaces.tap]
mac = "52:54:00:12:34:57"
addresses = ["fd00::2/64"]
SPEC
# vm_boot's, with QEMU arguments of our own after its pidfile.
"$QEMU_ROOT/qemu/run" --ctl "$CTL" --spec "$T/spec.ini" --root "$T/root" --modules "$QEMU_MODULES_DEFAULT virtio_net" \
	-- -pidfile "$T/qemu.pid" \
	-netdev "user,id=n0,ipv4=on,ipv6=on,hostfwd=tcp:127.0.0.1:$PORT-10.0.2.20:8080" \
	-device virtio-net-pci,netdev=n0,mac=52:54:00:12:34:56 \
	-netdev "tap,id=n1,ifname=$TAP,script=no,downscript=no" -device virtio-net-pci,netdev=n1,mac=52:54:00:12:34:57 \
	</dev/null >"$CONSOLE" 2>&1 &
VM_PID=$!
trap net_cleanup EXIT
if ! wait_ctl 180; then
	fail "vminit never answered on the control socket"
	done_test
fi
check "the network settles, partial: one address refused" until_status 60 "j['result']['network']['state'] == 'partial'"
vctl --json status >"$T/status.json"
check "status: both NICs found by MAC, up, with every good address and route" jtrue "$T/status.json" "
[(f['name'], f['mac'], f['up'], [(a['address'], a['applied']) for a in f['addresses']], [(r['via'], r['applied']) for r in f['routes']])
 for f in j['result']['network']['interfaces']] ==
[('user', '52:54:00:12:34:56', True, [('10.0.2.20/24', True), ('fec0::20/64', True), ('ff02::1:5/64', False)], [('10.0.2.2', True), ('fec0::2', True)]),
 ('tap', '52:54:00:12:34:57', True, [('fd00::2/64', True)], [])]"
check "status: the refused address says why" jtrue "$T/status.json" \
	"j['result']['network']['interfaces'][0]['addresses'][2]['error'].startswith('ff02::1:5/64: ')"
check "events: network.failed names the address, network.applied says partial" events_until "$T/events" 60 \
	'[(e["interface"], e["step"], e["item"]) for e in ev if e["type"] == "network.failed"] == [("user", "address", "ff02::1:5/64")] and [e["state"] for e in ev if e["type"] == "network.applied"] == ["partial"]'
# IPv4: the host through slirp's forward to the configured address.
check "the host reaches the web on 10.0.2.20 through the IPv4 forward" until_ok 60 \
	sh -c "[ \"\$(curl -s --max-time 5 http://127.0.0.1:$PORT/)\" = 'hello from the guest' ]"
# IPv6: the tap into the test's namespace, and from there to the guest.
ip link set "$TAP" netns "$HOLDER" && innet ip link set lo up && innet ip link set "$TAP" up &&
	innet ip addr add fd00::1/64 dev "$TAP" nodad || fail "the tap into the test's namespace"
check "the host reaches the web on fd00::2 over IPv6" until_ok 60 \
	sh -c "[ \"\$(nsenter --net=/proc/$HOLDER/ns/net curl -s -g --max-time 5 'http://[fd00::2]:8080/')\" = 'hello from the guest' ]"
vctl exec -- cat /etc/resolv.conf >"$T/resolv" 2>&1
check "resolv.conf is the spec's" sh -c "grep -qx 'nameserver 10.0.2.3' '$T/resolv' && grep -qx 'search example.test' '$T/resolv'"
vctl exec -- nslookup localhost >"$T/nslookup" 2>&1
check "a lookup in the guest goes to 10.0.2.3 and is answered" \
	sh -c "grep -Eq '^Server:[[:space:]]+10.0.2.3' '$T/nslookup' && ! grep -q 'timed out' '$T/nslookup' && grep -Eq 'NXDOMAIN|^Address' '$T/nslookup'"
log "nslookup: $(tr '\n' ' ' <"$T/nslookup")"
vctl status >"$T/status.txt" 2>&1
check "vminitctl status prints the network" grep -q '^tap: eth1 52:54:00:12:34:57 mtu 1500 up$' "$T/status.txt"
vctl shutdown >/dev/null
vm_end 120
done_test
