#!/usr/bin/env bash
# spec-shapes.sh [VMINIT] - what `vminit check` costs on the worst 1 MiB spec
# shapes (issue 10): CPU seconds (user + sys), peak memory and exit status of
# each. Figures, not pass/fail; tests/unit/spec/test_linear.c (`linear`) holds the
# bound. VMINIT defaults to build/vminit; each run is cut at 120 s.
set -euo pipefail
cd "$(dirname "$0")/.."
VMINIT=${1:-build/vminit}
[ $# -gt 0 ] || make -s build/vminit
D=/var/tmp/vminit-bench/spec-shapes
rm -rf "$D" && mkdir -p "$D"
python3 - "$D" <<'PY'
import os, sys
LIM = 1024 * 1024
d = sys.argv[1]
H = 'schema_version = "v1"\n'
P = '[processes.web]\ncommand = ["/bin/a"]\nresources.memory = "64Mi"\n'
def fill(head, unit, tail=''):
    out, n, i = [head], len(head) + len(tail), 0
    while True:
        u = unit(i)
        if n + len(u) > LIM:
            break
        out.append(u); n += len(u); i += 1
    out.append(tail)
    return ''.join(out)
def proc(name):
    return '[processes.%s]\ncommand = ["/a"]\nresources.memory = "64Mi"\n' % name
vols = ''.join('[volumes.%d]\nname = "volume-%04d"\nsize = "1Gi"\n' % (i, i) for i in range(1000))
half = fill('', lambda i: '  "",\n')[: LIM // 2]
shapes = {
    'continued-array': fill(H + P + 'vars = [\n', lambda i: '  "A=b",\n', '  ]\n'),
    'continued-string': fill(H + P + 'workdir = "/"\n', lambda i: '  "aa"\n'),
    'vars': fill(H + P + 'vars = [\n', lambda i: '  "K%d=v",\n' % i, '  ]\n'),
    'sections': fill(H + P, lambda i: '[a%d]\n' % i),
    'process-sections': fill(H, lambda i: '[processes.p%d]\n' % i),
    'keys-after-ports': fill(H + P + ''.join('ports.%d.internal = %d\n' % (i, i + 1) for i in range(1000)),
                             lambda i: 'k%d = 1\n' % i),
    'keys-after-mounts': fill(H + vols + P + ''.join('mounts.%d.volume = "volume-%04d"\nmounts.%d.path = "/m"\n'
                                                      % (i, i, i) for i in range(1000)), lambda i: 'k%d = 1\n' % i),
    'duplicate-key': fill(H + P, lambda i: 'user = "x"\n'),
    'bad-lines': fill(H + P, lambda i: 'x\n'),
    'bad-headers': fill(H + P, lambda i: '[a b]\n'),
    'top-level-keys': fill(H, lambda i: 'k%d = 1\n' % i),
    'depends-on-list': fill(H + ''.join(proc('p%d' % i) for i in range(127)) + P + 'x-depends_on = [\n',
                            lambda i: '  "p%d",\n' % (i % 127), '  ]\n'),
    'depends-on-chain': fill(H, lambda i: '[processes.p%d]\nx-depends_on = ["p%d"]\n' % (i, i + 1)),
    'ports-many-processes': fill(H, lambda i: (proc('q%d' % (i // 999)) if i % 999 == 0 else '')
                                 + 'ports.%d.internal = %d\n' % (i % 999, i % 999 + 1)),
    'ports-named-alike': fill(H, lambda i: (proc('q%d' % (i // 1000)) if i % 1000 == 0 else '')
                              + 'ports.%d.internal = 80\n' % (i % 1000)),
    'image-cmd-many-processes': fill(H + '[guest.image]\ncmd = ["/a",\n' + half + '  ]\n',
                                     lambda i: '[processes.p%d]\nresources.memory = "64Mi"\n' % i),
    'guest-volumes': fill(H + P + vols, lambda i: '[guest.volumes.x%d]\ndevice = "/dev/x"\n' % i),
}
for k, v in shapes.items():
    assert len(v) <= LIM, k
    with open(os.path.join(d, k + '.ini'), 'w') as f:
        f.write(v)
PY
printf '%-26s %10s %10s %6s\n' shape 'CPU s' 'max RSS' exit
for f in "$D"/*.ini; do
	rc=0
	/usr/bin/time -o "$D/time" -f '%U %S %M' timeout 120 "$VMINIT" check "$f" >/dev/null 2>&1 || rc=$?
	tail -n 1 "$D/time" | awk -v n="$(basename "$f" .ini)" -v rc="$rc" \
		'{ printf "%-26s %10.2f %8d MB %6s\n", n, $1 + $2, $3 / 1024, rc }'
done
