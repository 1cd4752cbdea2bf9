#!/bin/sh
# tests/manifest/run.sh - qemu/manifest-to-spec and `vminit check` together
# against the manifest schema v1 (shared/seeds/003, docs/spec.md section 3).
#
#   ok/NAME.toml   the schema accepts it: it renders, checks (exit 0), and the
#                  canonical form is ok/NAME.expected, byte for byte.
#   bad/NAME.toml  the schema rejects it: rendering or the check fails, and an
#                  error names the field of its first line, "# expect: FIELD
#                  [FRAGMENT]" (FIELD "-" for none; FRAGMENT must be on the
#                  same error line).
#
# The host agent adds the image's config before it checks; a fixed stand-in
# does here, so a manifest without `command` has something to run.
# UPDATE=1 rewrites the .expected files (review the diff by eye).
set -eu
cd "$(dirname "$0")/../.."
VMINIT=${VMINIT:-build/vminit}
M2S=${M2S:-qemu/manifest-to-spec}
dir=tests/manifest
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
failn=0

ok() { pass=$((pass + 1)); echo "PASS $1"; }
fail() { failn=$((failn + 1)); echo "FAIL $1: $2"; }

# render MANIFEST: the canonical spec in $tmp/out, the errors of both tools in
# $tmp/err; the exit status is that of the first tool that failed.
render() {
	: >"$tmp/err"
	"$M2S" "$1" >"$tmp/spec.ini" 2>>"$tmp/err" || return 1
	printf '\n[guest.image]\nentrypoint = ["/bin/app"]\n' >>"$tmp/spec.ini"
	"$VMINIT" check "$tmp/spec.ini" >"$tmp/out" 2>>"$tmp/err"
}

for t in "$dir"/ok/*.toml; do
	[ -e "$t" ] || continue
	name=ok/$(basename "$t" .toml)
	exp=${t%.toml}.expected
	if ! render "$t"; then
		fail "$name" "rejected: $(cat "$tmp/err")"
	elif [ "${UPDATE:-}" = 1 ]; then
		cp "$tmp/out" "$exp"
		ok "$name (expected output written)"
	elif ! cmp -s "$tmp/out" "$exp"; then
		fail "$name" "canonical form differs from $exp:
$(diff "$exp" "$tmp/out" || true)"
	else
		ok "$name"
	fi
done

for t in "$dir"/bad/*.toml; do
	[ -e "$t" ] || continue
	name=bad/$(basename "$t" .toml)
	expect=$(sed -n '1s/^# expect: *//p' "$t")
	field=${expect%% *}
	frag=${expect#"$field"}
	frag=${frag# }
	if [ -z "$field" ]; then
		fail "$name" "no '# expect: FIELD' on its first line"
		continue
	fi
	if render "$t"; then
		fail "$name" "accepted"
		continue
	fi
	if [ "$field" = - ]; then
		cp "$tmp/err" "$tmp/lines"
	else
		grep -F -e ": $field:" -e ": $field." "$tmp/err" >"$tmp/lines" || true
	fi
	if [ ! -s "$tmp/lines" ]; then
		fail "$name" "no error names $field: $(cat "$tmp/err")"
	elif ! grep -qF -e "$frag" "$tmp/lines"; then
		fail "$name" "no error on $field says \"$frag\": $(cat "$tmp/err")"
	else
		ok "$name"
	fi
done

echo "manifest tests: $pass passed, $failn failed"
[ "$failn" -eq 0 ]
