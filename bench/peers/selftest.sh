#!/bin/bash
# selftest.sh - checks peerbench's log tally (`peerbench watch`) on made-up
# streams: numbered lines with gaps, lines out of order, `lost` items where
# the gaps are, an end marker. The flood and bulk figures rest on these counts
# (bench/README.md, "bench-peers"). No root, no timing; exits 1 on a mismatch.
#
#   bench/peers/selftest.sh        (after `make build/bench/peerbench`)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PB=$ROOT/build/bench/peerbench
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0

# A numbered line as the children write it.
line() { printf 'pb %010d aaaa\n' "$1"; }

# check NAME EXPECTED: feeds stdin to watch and compares its counts
# ("lines L lost N gaps G disorder D missing M written W").
check() {
	local name=$1 want=$2 got
	rm -f "$TMP/stamps"
	"$PB" watch "$TMP/stamps"
	got=$(awk '$1 ~ /^(lines|lost|gaps|disorder|missing|written)$/ { printf "%s%s %s", sep, $1, $2; sep = " " }' \
		"$TMP/stamps" | sed 's/bytes [0-9]* //')
	if [ "$got" = "$want" ]; then
		echo "ok   $name"
	else
		echo "FAIL $name: got '$got', want '$want'"
		fails=$((fails + 1))
	fi
}

{ line 0; line 1; line 2; echo '{"id":1,"ok":true,"result":{}}'; echo '@@end 3'; } |
	check "every line, a reply skipped" "lines 3 lost 0 gaps 0 disorder 0 written 3 missing 0"
{ line 0; line 1; echo '{"lost":2,"process":"p1","reason":"budget"}'; line 4; echo '@@end 5'; } |
	check "a gap counted lost where it is" "lines 3 lost 2 gaps 2 disorder 0 written 5 missing 0"
{ line 0; line 3; echo '@@end 4'; } |
	check "a gap nobody counted" "lines 2 lost 0 gaps 2 disorder 0 written 4 missing 2"
{ line 0; echo '{"lost":1}'; line 3; echo '@@end 4'; } |
	check "a gap counted short" "lines 2 lost 1 gaps 2 disorder 0 written 4 missing 1"
{ line 0; line 2; line 1; echo '@@end 3'; } |
	check "out of order" "lines 3 lost 0 gaps 1 disorder 1 written 3 missing 0"
{ line 0; echo '{"lost":3}'; echo '@@end 4'; } |
	check "lost at the end" "lines 1 lost 3 gaps 3 disorder 0 written 4 missing 0"
{ line 0; line 1; echo '{"lost":1}'; echo '@@end 2'; } |
	check "a dropped end marker counted lost" "lines 2 lost 1 gaps 0 disorder 0 written 2 missing 0"
{ line 0; line 1; echo '@@end 4'; } |
	check "the tail never came" "lines 2 lost 0 gaps 2 disorder 0 written 4 missing 2"
[ "$fails" = 0 ] || exit 1
