#!/usr/bin/env python3
"""layers.py - the house's rules, checked (docs/architecture.md, "Layers").

Usage: layers.py RULE... where each RULE is FOLDER=ALLOWED[,ALLOWED...], as
the Makefile's LAYER_* variables give them: ALLOWED is a folder below FOLDER,
or one file of it (channel/addr.h) when only that file may be seen.

Fails (exit 1, one line per finding) when
- a file includes with a path that climbs ("../") or is absolute;
- a file includes a folder's header that its folder may not see;
- a bare include ("x.h") names no file of the same folder;
- the rules themselves, or the files' includes, form a cycle;
- a source file is over MAX_FILE lines, or a function over MAX_FUNC lines
  without a reason written in the comment above it ("Long: ...").
The build enforces the same rules a second way: each folder is compiled
seeing only its allowed folders (Makefile, $(BUILD)/view/FOLDER).
"""
import os
import re
import sys

MAX_FILE = 800
MAX_FUNC = 80
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def parse_rules(args):
    rules = {}
    for a in args:
        folder, _, allowed = a.partition('=')
        rules[folder] = [x for x in allowed.replace(',', ' ').split() if x]
    return rules


def rule_cycles(rules):
    bad, state = [], {}

    def visit(f, path):
        state[f] = 1
        for a in rules.get(f, []):
            d = a.split('/')[0]
            if d not in rules:
                bad.append('rules: %s allows %s, which is not a folder of the rules' % (f, d))
            elif state.get(d) == 1:
                bad.append('rules: folder cycle %s' % ' -> '.join(path + [d]))
            elif not state.get(d):
                visit(d, path + [d])
        state[f] = 2
    for f in rules:
        if not state.get(f):
            visit(f, [f])
    return bad


def sources(rules):
    for folder in sorted(rules):
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            if name.endswith(('.c', '.h')):
                yield folder, os.path.join(folder, name)


def check_includes(rules, files):
    bad, graph = [], {}
    for folder, path in files:
        graph[path] = []
        with open(path, encoding='utf-8') as fh:
            for n, line in enumerate(fh, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                inc, where = m.group(1), '%s:%d' % (path, n)
                if inc.startswith('/') or '..' in inc.split('/'):
                    bad.append('%s: "%s": include by a path from the top ("folder/x.h"), never climbing' % (where, inc))
                    continue
                if '/' not in inc:
                    target = os.path.join(folder, inc)
                    if not os.path.exists(target):
                        bad.append('%s: "%s" is not a file of %s/' % (where, inc, folder))
                        continue
                else:
                    target = inc
                    top = inc.split('/')[0]
                    allowed = rules[folder]
                    if top == folder:
                        bad.append('%s: "%s": a file of the same folder is included bare ("%s")' % (where, inc, os.path.basename(inc)))
                        continue
                    if top not in allowed and inc not in allowed:
                        bad.append('%s: %s/ may not include "%s" (%s/ sees: %s)' % (where, folder, inc, folder, ' '.join(allowed) or 'nothing'))
                        continue
                    if not os.path.exists(target):
                        bad.append('%s: "%s" does not exist' % (where, inc))
                        continue
                graph[path].append(target)
    return bad, graph


def file_cycles(graph):
    bad, state = [], {}

    def visit(f, path):
        state[f] = 1
        for t in graph.get(f, []):
            if state.get(t) == 1:
                bad.append('include cycle: %s' % ' -> '.join(path[path.index(t):] + [t]))
            elif not state.get(t):
                visit(t, path + [t])
        state[f] = 2
    for f in sorted(graph):
        if not state.get(f):
            visit(f, [f])
    return bad


def check_sizes(files):
    """Functions are found by the house's layout: the body's braces at column 0."""
    bad = []
    for _, path in files:
        with open(path, encoding='utf-8') as fh:
            lines = fh.read().split('\n')
        if len(lines) - 1 > MAX_FILE:
            bad.append('%s: %d lines (at most %d: split it along a seam)' % (path, len(lines) - 1, MAX_FILE))
        start = None
        for i, line in enumerate(lines):
            if line.startswith('{'):
                start = i
            elif line.startswith('}') and start is not None:
                body = i - start + 1
                head = start - 1
                while head > 0 and lines[head - 1].strip() and not lines[head - 1].rstrip().endswith(('*/', ';', '}')):
                    head -= 1
                above = '\n'.join(lines[max(0, head - 12):start])
                if body > MAX_FUNC and 'Long:' not in above:
                    bad.append('%s:%d: %s: %d lines (at most %d, or say why with "Long:" in the comment above it)'
                               % (path, head + 1, lines[head].strip(), body, MAX_FUNC))
                start = None
    return bad


def test_sizes():
    """The unit tests mirror the sources: a file per module, of a readable size too."""
    bad = []
    for root, _, names in os.walk(os.path.join('tests', 'unit')):
        for name in sorted(names):
            if name.endswith(('.c', '.h')):
                path = os.path.join(root, name)
                with open(path, encoding='utf-8') as fh:
                    n = sum(1 for _ in fh)
                if n > MAX_FILE:
                    bad.append('%s: %d lines (at most %d: one file per module, split by concern)' % (path, n, MAX_FILE))
    return bad


def main():
    rules = parse_rules(sys.argv[1:])
    files = list(sources(rules))
    bad = rule_cycles(rules)
    inc_bad, graph = check_includes(rules, files)
    bad += inc_bad + file_cycles(graph) + check_sizes(files) + test_sizes()
    for b in bad:
        print('layers: ' + b)
    if bad:
        return 1
    print('layers: %d files in %d folders keep the rules' % (len(files), len(rules)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
