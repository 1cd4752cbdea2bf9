#!/usr/bin/env bash
# t-layers.sh - the layer check must bite: a synthetic tree with one breach of
# each rule is refused with the finding named, and a clean tree passes.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d /tmp/vminit-layers-XXXXXX)
trap 'rm -rf "$T"' EXIT
fail=0
mk() { mkdir -p "$T/$1"; rm -rf "${T:?}/$1"/*; }
clean_tree() {
	rm -rf "${T:?}"/*
	mkdir -p "$T/low" "$T/mid" "$T/top" "$T/tests/unit"
	printf '#ifndef L\n#define L\nint low(void);\n#endif\n' >"$T/low/low.h"
	printf '#include "low.h"\nint low(void)\n{\n\treturn 1;\n}\n' >"$T/low/low.c"
	printf '#include "low/low.h"\nint mid(void);\n' >"$T/mid/mid.h"
	printf '#include "mid.h"\nint mid(void)\n{\n\treturn low();\n}\n' >"$T/mid/mid.c"
	printf '#include "mid/mid.h"\n#include "low/low.h"\nint main(void)\n{\n\treturn mid();\n}\n' >"$T/top/main.c"
}
rules="low= mid=low top=low,mid"
expect() {   # expect NAME PATTERN: the check fails and says PATTERN
	local out
	if out=$(cd "$T" && python3 "$here/layers.py" $rules 2>&1); then
		echo "FAIL $1: the check passed"; fail=1
	elif ! grep -q -- "$2" <<<"$out"; then
		echo "FAIL $1: no '$2' in: $out"; fail=1
	else
		echo "  ok: $1"
	fi
	clean_tree
}
clean_tree
(cd "$T" && python3 "$here/layers.py" $rules >/dev/null) || { echo "FAIL: a clean tree is refused"; fail=1; }
echo '#include "top/x.h"' >>"$T/mid/mid.c"; touch "$T/top/x.h"
expect "upward include" 'mid/ may not include "top/x.h"'
echo '#include "../low/low.h"' >>"$T/mid/mid.c"
expect "climbing include" 'never climbing'
echo '#include "mid/mid.h"' >>"$T/low/low.c"
expect "downward only" 'low/ may not include "mid/mid.h"'
printf '#include "b.h"\n' >"$T/low/a.h"; printf '#include "a.h"\n' >"$T/low/b.h"
expect "file cycle" 'include cycle'
rules="low=mid mid=low top=low,mid"
expect "folder cycle" 'folder cycle'
rules="low= mid=low top=low,mid"
{ printf 'int big(void)\n{\n'; for i in $(seq 90); do printf '\t;\n'; done; printf '\treturn 0;\n}\n'; } >>"$T/low/low.c"
expect "long function" 'big(void): 93 lines'
for i in $(seq 801); do echo "/* $i */"; done >>"$T/top/main.c"
expect "long file" 'main.c: 80[0-9] lines'
for i in $(seq 801); do echo "/* $i */"; done >"$T/tests/unit/test_x.c"
expect "long test file" 'test_x.c: 801 lines'
{ printf '/* Long: one flat table reads better whole. */\nint big(void)\n{\n'; for i in $(seq 90); do printf '\t;\n'; done; printf '\treturn 0;\n}\n'; } >>"$T/low/low.c"
if (cd "$T" && python3 "$here/layers.py" $rules >/dev/null); then echo "  ok: a long function with its reason"; else echo "FAIL: a long function with 'Long:' is refused"; fail=1; fi
# The build's views (Makefile, $(BUILD)/view/FOLDER): a folder's files see only
# the folders below it, so the compiler refuses an include the rules forbid.
view=${VIEW_DIR:-build/view}
if [ -d "$view/supervisor" ]; then
	printf '#include "spec/spec.h"\n#include "base/loop.h"\n' >"$T/ok.c"
	printf '#include "health/health.h"\n' >"$T/up.c"
	printf '#include "channel/proto.h"\n' >"$T/wire.c"
	if ${CC:-cc} -std=c11 -fsyntax-only -iquote "$view/supervisor" "$T/ok.c" 2>/dev/null; then
		echo "  ok: supervisor/ compiles against spec/ and base/"
	else echo "FAIL: supervisor/'s view lacks spec/ or base/"; fail=1; fi
	for f in up wire; do
		if ${CC:-cc} -std=c11 -fsyntax-only -iquote "$view/supervisor" "$T/$f.c" 2>/dev/null; then
			echo "FAIL: supervisor/'s view shows $(cat "$T/$f.c")"; fail=1
		else echo "  ok: supervisor/ cannot see $(sed 's/#include //' "$T/$f.c")"; fi
	done
	printf '#include "channel/addr.h"\n' >"$T/addr.c"; printf '#include "channel/json.h"\n' >"$T/json.c"
	${CC:-cc} -std=c11 -fsyntax-only -iquote "$view/spec" "$T/addr.c" 2>/dev/null && ! ${CC:-cc} -std=c11 -fsyntax-only -iquote "$view/spec" "$T/json.c" 2>/dev/null \
		&& echo "  ok: spec/ sees channel/addr.h, not the rest of the wire" || { echo "FAIL: spec/'s view of channel/"; fail=1; }
else
	echo "FAIL: no $view/supervisor (run through make layers)"; fail=1
fi
[ $fail -eq 0 ] && echo "t-layers: the check bites on each rule"
exit $fail
