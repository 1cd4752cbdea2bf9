#!/usr/bin/env bash
# run.sh [TEST...] - run the PID 1 behaviour tests (all of tests/pid1/t-*.sh by
# default), each as real PID 1 in fresh namespaces. Needs root.
set -u
cd "$(dirname "$0")"
if [ "$(id -u)" != 0 ]; then
	echo "pid1 tests: need root for unshare --pid --mount --net --uts" >&2
	exit 1
fi
tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=(t-*.sh)
pass=0 failn=0 failed=()
mounts_before=$(wc -l </proc/self/mountinfo)
ms() { echo $(( $(date +%s%N) / 1000000 )); }
secs() { local d=$(( $(ms) - $1 )); printf "%d.%ds" $((d / 1000)) $((d % 1000 / 100)); }
start=$(ms)
for t in "${tests[@]}"; do
	t=$(basename "$t")
	t0=$(ms)
	echo "== ${t%.sh}"
	if bash "./$t"; then
		pass=$((pass + 1)); r=PASS
	else
		failn=$((failn + 1)); r=FAIL; failed+=("$t")
	fi
	echo "$r ${t%.sh} ($(secs "$t0"))"
done
# Nothing may be left behind: no vminit, no namespace, no mount.
# vminit itself, not vminitctl (which another suite of this checkout, make
# e2e say, may be running meanwhile).
left="$(cd ../.. && pwd)/build/vminit( |\$)"
if pgrep -f "$left" >/dev/null; then
	echo "FAIL: vminit processes left behind:"; pgrep -af "$left"
	failn=$((failn + 1)); failed+=("leftovers")
fi
if [ "$(wc -l </proc/self/mountinfo)" != "$mounts_before" ]; then
	echo "FAIL: the host's mount table changed during the suite"
	failn=$((failn + 1)); failed+=("mounts")
fi
echo "pid1 suite: $(secs "$start")"
[ ${#failed[@]} -eq 0 ] || echo "failed: ${failed[*]}"
echo "$pass passed, $failn failed"
[ "$failn" -eq 0 ]
