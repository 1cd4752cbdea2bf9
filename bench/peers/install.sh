#!/bin/bash
# install.sh - install the init systems bench/peers.sh measures vminit against,
# from Debian, only when missing (as tests/deps.sh does for the build).
#
# Debian 12 (bookworm) gives them all:
#   tini        /usr/bin/tini, /usr/bin/tini-static (the static one is measured)
#   catatonit   /usr/bin/catatonit (static-pie)
#   dumb-init   /usr/bin/dumb-init (static)
#   s6          /usr/bin/s6-svscan, s6-supervise, s6-svc, ... (dynamic, skalibs)
#   supervisor  /usr/bin/supervisord (Python 3)
# Prints the path of each PID 1 binary it checked, or what is missing.
set -euo pipefail

PKGS=(tini catatonit dumb-init s6 supervisor)
BINS=(/usr/bin/tini-static /usr/bin/catatonit /usr/bin/dumb-init /usr/bin/s6-svscan /usr/bin/supervisord)

missing_pkgs() {
	local p
	for p in "${PKGS[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
	done
}

install_pkgs() {
	local sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	echo "peers: installing $*"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@"
}

check_bins() {
	local b bad=0
	for b in "${BINS[@]}"; do
		[ -x "$b" ] || { echo "peers: $b is missing" >&2; bad=1; }
	done
	return "$bad"
}

main() {
	local missing
	missing=$(missing_pkgs)
	# shellcheck disable=SC2086 # one package name a word
	[ -z "$missing" ] || install_pkgs $missing
	check_bins
}

main "$@"
