#!/usr/bin/env bash
# run.sh [TEST...] - the end-to-end suite (tests/qemu/t-*.sh by default): each
# test boots vminit in QEMU once and runs a group of checks against it. Two
# guests at a time (QEMU_JOBS): more does not help on two cores.
set -u
cd "$(dirname "$0")"
. ../../qemu/lib.sh
tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=(t-*.sh)
out=$QEMU_BUILD/tests
mkdir -p "$out"
ms() { echo $(( $(date +%s%N) / 1000000 )); }
secs() { local d=$1; printf "%d.%ds" $((d / 1000)) $((d % 1000 / 100)); }
start=$(ms)
run_one() {
	local t=$1 t0
	t0=$(ms)
	bash "./$t" >"$out/${t%.sh}.out" 2>&1
	echo "$? $(( $(ms) - t0 ))" >"$out/${t%.sh}.rc"
}
for t in "${tests[@]}"; do
	t=$(basename "$t")
	rm -f "$out/${t%.sh}.rc"
	while [ "$(jobs -rp | wc -l)" -ge "${QEMU_JOBS:-2}" ]; do wait -n; done
	run_one "$t" &
done
wait
pass=0 failed=()
for t in "${tests[@]}"; do
	t=$(basename "$t" .sh)
	echo "== $t"
	cat "$out/$t.out"
	read -r rc dt <"$out/$t.rc" || rc=1 dt=0
	if [ "$rc" = 0 ]; then pass=$((pass + 1)); r=PASS; else r=FAIL; failed+=("$t"); fi
	echo "$r $t ($(secs "$dt"))"
done
if pgrep -f "qemu-system-x86_64.*$QEMU_BUILD/tests/" >/dev/null; then
	echo "FAIL: QEMU processes left behind:"; pgrep -af "qemu-system-x86_64.*$QEMU_BUILD/tests/"
	failed+=("leftovers")
fi
echo "qemu suite: $(secs $(( $(ms) - start )))"
[ ${#failed[@]} -eq 0 ] || echo "failed: ${failed[*]}"
echo "$pass passed, ${#failed[@]} failed"
[ ${#failed[@]} -eq 0 ]
