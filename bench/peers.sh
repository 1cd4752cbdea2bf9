#!/bin/bash
# peers.sh - vminit beside the inits a user would pick instead (Debian's
# tini-static, catatonit, dumb-init, s6-svscan, supervisord), each run as PID 1
# of a fresh PID and mount namespace by build/bench/peerbench, interleaved
# (vminit, tini, ..., then again) so that the machine's load hits each alike.
# Prints per figure the median [min-max] of each and vminit / the best peer,
# then one table of issue 16's targets: figure, target, vminit, best peer,
# ratio, met or missed. Writes build/bench/peers.tsv. Figures only, never a
# pass/fail of the build (bench/README.md, "bench-peers").
#
#   bench/peers.sh [-r RUNS] [-R FLOOD_RUNS] [-f SETS] [-i IDLE_MS] [-s SETTLE_MS] [-o TSV]
#
# -r: runs of each contestant per figure (20). -R: runs of the long ones
# (flood, flood64, rss10; at most 5 by default, never more than -r). -f: a
# comma-separated subset of the sets: size life1 life10 wrap restart orphans
# last burst bulk flood flood64 status status1 rss10 (all). -i: how long PID 1's idle
# wake-ups are counted (1000 ms). -s: the wait after the child's main before
# that count (300 ms). Needs root (namespaces) and the peers
# (bench/peers/install.sh; `make bench-peers` runs both). Environment:
# PEERS_DIR (the run's files, /var/tmp/vminit-peers) and PEERS_PORT_BASE
# (27300) let two runs share a machine; PEERS_VMINIT another vminit binary
# (a before/after comparison).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=20 FLOOD_RUNS='' IDLE_MS=1000 SETTLE_MS=300 TSV=$ROOT/build/bench/peers.tsv SETS=all
# The log figures' volumes: bulk in MiB (64 KiB writes of 1 KiB lines), the
# floods in MB (100-byte lines). The health checks' servers listen on
# 127.0.0.1:PORT_BASE+1... (the namespaces share the machine's network).
BULK_MB=64 FLOOD_MB=200 PORT_BASE=${PEERS_PORT_BASE:-27300}
# Not under /tmp or /run, which vminit as PID 1 mounts over.
DIR=${PEERS_DIR:-/var/tmp/vminit-peers}
PB=$ROOT/build/bench/peerbench
VMINIT=${PEERS_VMINIT:-$ROOT/build/vminit}
PEERS=(tini catatonit dumb-init s6 supervisord)
RAW=$DIR/raw.tsv

usage() { sed -n '2,24s/^# \{0,1\}//p' "$0"; exit 2; }

# ---- the contestants' configurations ----

# The child's command line in mode $1: `peerbench child STAMPS MODE [SIZE]`.
child_args() {
	case $1 in
	bulk) echo "$PB child $DIR/stamps bulk $BULK_MB" ;;
	flood | flood64) echo "$PB child $DIR/stamps $1 $FLOOD_MB" ;;
	*) echo "$PB child $DIR/stamps $1" ;;
	esac
}

# vminit's spec of N children running `peerbench child FILE MODE` (or one
# /bin/true for wrap: N = true), in $DIR/vminit-N-MODE.ini. A crashing child is
# restarted at once (restart.backoff_seconds = 0; the default is 2 s). Mode
# serve: each child serves HTTP on its port, checked every second.
vminit_spec() {
	local n=$1 mode=$2 i count=$1 restart='"never"' cmd a
	cmd=$(for a in $(child_args "$mode"); do printf '"%s", ' "$a"; done)
	cmd=${cmd%, }
	[ "$n" != true ] || cmd='"/bin/true"' count=1
	[ "$mode" != crash ] || restart='"always"\nrestart.backoff_seconds = 0'
	{
		printf 'schema_version = "v1"\n'
		for i in $(seq "$count"); do
			if [ "$mode" = serve ]; then
				printf '[processes.p%s]\ncommand = [%s, "%s"]\nrestart.policy = "never"\n' "$i" "$cmd" $((PORT_BASE + i))
				printf 'resources.memory = "64Mi"\nports.0.internal = %s\nhealth.type = "http"\n' $((PORT_BASE + i))
				printf 'health.port = %s\nhealth.path = "/healthz"\nhealth.interval_seconds = 1\n' $((PORT_BASE + i))
				printf 'health.grace_period_seconds = 0\n'
				continue
			fi
			printf '[processes.p%s]\ncommand = [%s]\nrestart.policy = %b\nresources.memory = "64Mi"\n' \
				"$i" "$cmd" "$restart"
		done
	} >"$DIR/vminit-$n-$mode.ini"
	"$VMINIT" check "$DIR/vminit-$n-$mode.ini" >/dev/null
}

# supervisord's config of N children, in $DIR/supervisord-N-MODE.conf.
supervisord_conf() {
	local n=$1 mode=$2
	cat >"$DIR/supervisord-$n-$mode.conf" <<-EOF
	[supervisord]
	nodaemon=true
	user=root
	logfile=$DIR/supervisord.log
	pidfile=$DIR/supervisord.pid
	[program:child]
	command=$(child_args "$mode")
	process_name=%(program_name)s_%(process_num)02d
	numprocs=$n
	startsecs=0
	autorestart=true
	stdout_logfile=$DIR/child.log
	stdout_logfile_maxbytes=0
	redirect_stderr=true
	EOF
}

# s6's scan directory of N services, made afresh before each run (s6-supervise
# keeps state in it). Each run is a symlink to peerbench, which reads its
# stamp file from PB_STAMP.
s6_scandir() {
	local n=$1 i
	rm -rf "$DIR/s6"
	for i in $(seq "$n"); do
		mkdir -p "$DIR/s6/p$i"
		ln -s "$PB" "$DIR/s6/p$i/run"
	done
}

# The PID 1 command line of contestant $1 with $2 children ("true": wrap),
# the children in mode $3 (peerbench child: wait, crash, orphans, last, burst,
# bulk, flood, flood64). "file": no init, the child itself is PID 1 and writes
# straight to DIR/console.log (the floods' baseline).
pid1_cmd() {
	local who=$1 n=$2 mode=$3 child
	read -r -a child <<<"$(child_args "$mode")"
	[ "$n" != true ] || child=(/bin/true)
	case $who in
	vminit)
		if [ "$n" = true ] && [ "$WRAP" = form ]; then
			echo "$VMINIT" -- /bin/true
		else
			echo "$VMINIT" --spec "$DIR/vminit-$n-$mode.ini" --control "unix:$DIR/ctl.sock"
		fi
		;;
	tini) echo /usr/bin/tini-static -- "${child[@]}" ;;
	catatonit) echo /usr/bin/catatonit -- "${child[@]}" ;;
	dumb-init) echo /usr/bin/dumb-init "${child[@]}" ;;
	s6) s6_scandir "$n"; echo /usr/bin/s6-svscan "$DIR/s6" ;;
	supervisord) echo /usr/bin/supervisord -c "$DIR/supervisord-$n-$mode.conf" ;;
	file) echo "${child[@]}" ;;
	esac
}

# ---- runs ----

# Where contestant $1 delivers its child's output, read by `peerbench watch`:
# vminit's log stream on its unix socket (watch -u: `logs -f -n 0 p1`, as a
# host would follow it, read in 1 MiB reads), supervisord's log file, and for
# tini (no relay: the child writes to PID 1's own stdout, here a file) that
# file: the floor. "-": no reader (file: the writer's own end is the end).
reader() {
	local watch="$PB watch $DIR/stamps"
	case $1 in
	vminit) echo "$PB watch -u $DIR/ctl.sock p1 $DIR/stamps" ;;
	supervisord) echo "tail -F -n +1 $DIR/child.log 2>/dev/null | $watch" ;;
	tini) echo "tail -F -n +1 $DIR/console.log 2>/dev/null | $watch" ;;
	file) echo - ;;
	esac
}

# What runs beside vminit in the sets status and rss10 (`peerbench during`):
# status: ctl-bench, one connection, one request in flight (the round trip),
# `ping` first (its figures as ping_*): the same round trip with the smallest
# reply, the floor that the machine's scheduler sets (bench/README.md: on an
# idle 2-vCPU guest the client and PID 1 run on different vCPUs, and each
# request wakes a halted vCPU twice);
# rss10: 4 clients following `events`, connected while PID 1's RSS is read,
# after 3 s of the 10 health checks at 1 s; `healthy=N` says they passed.
beside() {
	local ctl="$ROOT/build/vminitctl -a unix:$DIR/ctl.sock"
	case $1 in
	status) echo "$CTLBENCH -a $DIR/ctl.sock -o ping -c 1 -d 1 -t 1 -w 0.3 | sed 's/[a-z0-9_]*=/ping_&/g';" \
		"$CTLBENCH -a $DIR/ctl.sock -o status -c 1 -d 1 -t 1 -w 0.3" ;;
	rss10) echo "for i in 1 2 3 4; do $ctl --json events >/dev/null 2>&1 & done; sleep 3;" \
		"echo healthy=\$($ctl --json status | grep -o '\"state\":\"healthy\"' | wc -l)" ;;
	esac
}

# One run: figure set $1, contestant $2, run $3; appends its key=value figures
# to $RAW as "set who run key value".
run_one() {
	local set=$1 who=$2 r=$3 n=1 mode=wait out kv
	local -a cmd args pin=()
	case $set in
	life1) args=(life -s "$SETTLE_MS" -i "$IDLE_MS") ;;
	life10) args=(life -n 10 -s "$SETTLE_MS" -i "$IDLE_MS") n=10 ;;
	restart) args=(restart) mode=crash ;;
	orphans) args=(orphans -s "$SETTLE_MS") mode=orphans ;;
	last) args=(last -s "$SETTLE_MS") mode=last ;;
	wrap) args=(wrap) n=true ;;
	burst | bulk | flood | flood64) args=(relay -s "$SETTLE_MS" "$DIR" "$(reader "$who")") mode=$set ;;
	# status1: the same on one CPU, PID 1, its processes and the client all
	# on CPU 0, so no request waits for a halted vCPU's wake-up.
	status | status1) args=(during -n 10 -s "$SETTLE_MS" "$DIR" "$(beside status)") n=10
		[ "$set" = status ] || pin=(taskset -c 0) ;;
	rss10) args=(during -n 10 -s "$SETTLE_MS" "$DIR" "$(beside rss10)") n=10 mode=serve ;;
	esac
	read -r -a cmd <<<"$(pid1_cmd "$who" "$n" "$mode")"
	rm -f "$DIR/stamps" "$DIR/ctl.sock"
	rm -f "$DIR/child.log" "$DIR/console.log"
	touch "$DIR/child.log" "$DIR/console.log"
	case $set in burst | bulk | flood | flood64 | status | status1 | rss10) ;; *) args+=("$DIR") ;; esac
	out=$(PB_MODE=$mode "${pin[@]}" "$PB" "${args[@]}" -- "${cmd[@]}" || true)
	for kv in $out; do
		case $kv in *=*) ;; *) continue ;; esac
		printf '%s\t%s\t%s\t%s\t%s\n' "$set" "$who" "$r" "${kv%%=*}" "${kv#*=}" >>"$RAW"
	done
	# The floods leave 200 MB (vminit: its console too): not kept.
	rm -f "$DIR/child.log" "$DIR/console.log"
}

# RUNS rounds of set $1 over the contestants $2...: each round runs them all,
# starting one further along each time, so none always runs first.
run_set() {
	local set=$1 runs=$RUNS r i n
	shift
	wanted "$set" || return 0
	case $set in flood | flood64 | rss10) runs=$FLOOD_RUNS ;; esac
	local -a who=("$@")
	n=${#who[@]}
	for r in $(seq "$runs"); do
		for i in $(seq 0 $((n - 1))); do run_one "$set" "${who[$(((i + r) % n))]}" "$r"; done
		printf '\r%s: round %d of %d' "$set" "$r" "$runs" >&2
	done
	echo >&2
}

# Whether set $1 is among those asked for (-f).
wanted() {
	[ "$SETS" = all ] || [[ ",$SETS," == *",$1,"* ]]
}

# ---- figures ----

# Static binary size: the PID 1 binary's bytes, and whether it is static.
sizes() {
	local who bin kind
	wanted size || return 0
	for who in vminit "${PEERS[@]}"; do
		case $who in
		vminit) bin=$VMINIT ;;
		tini) bin=/usr/bin/tini-static ;;
		s6) bin=/usr/bin/s6-svscan ;;
		*) bin=/usr/bin/$who ;;
		esac
		kind=dynamic
		file -L "$bin" | grep -q 'statically linked' && kind=static
		file -L "$bin" | grep -q 'script' && kind=script
		printf 'size\t%s\t1\tbytes\t%s\n' "$who" "$(stat -L -c %s "$bin")" >>"$RAW"
		printf 'size\t%s\t1\tkind\t%s\n' "$who" "$kind" >>"$RAW"
	done
}

# The keys where more is better (the best peer is the highest median).
HIGHER='^(mbps|lines|rps|healthy|requests)$'

# Per (set, key, contestant): median, min, max, n; then vminit / the best
# peer's median (the lowest; the highest for HIGHER keys). Writes the TSV and
# prints the figures.
report() {
	awk -F'\t' -v tsv="$TSV" -v HIGHER="$HIGHER" '
	function median(list, n,   a, i, j, t) {
		n = split(list, a, " ")
		for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
		lo = a[1]; hi = a[n]
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	$4 == "ok" || $4 == "error" { next }
	$5 == "-" { miss[$1 SUBSEP $4 SUBSEP $2]++; next }
	$4 == "kind" { kind[$2] = $5; next }
	$5 !~ /^-?[0-9.]+$/ { next }  # a word (ctl-bench op=status): not a figure
	{ k = $1 SUBSEP $4 SUBSEP $2; vals[k] = vals[k] " " $5; if (!(($1 SUBSEP $4) in seen)) { seen[$1 SUBSEP $4] = 1; order[++nf] = $1 SUBSEP $4 } ; if (!(($1 SUBSEP $4 SUBSEP "w" $2) in who)) { who[$1 SUBSEP $4 SUBSEP "w" $2] = 1; names[$1 SUBSEP $4] = $2 == "vminit" ? $2 names[$1 SUBSEP $4] : names[$1 SUBSEP $4] " " $2 } }
	END {
		print "figure\tcontestant\tmedian\tmin\tmax\tn\tmissing" > tsv
		for (f = 1; f <= nf; f++) {
			split(order[f], fk, SUBSEP)
			printf "\n%s %s\n", fk[1], fk[2]
			best = ""; bestwho = ""; vm = ""
			nn = split(names[order[f]], ws, " ")
			for (w = 1; w <= nn; w++) {
				k = order[f] SUBSEP ws[w]
				m = median(vals[k]); c = split(vals[k], tmp, " ")
				note = (fk[1] == "size" && ws[w] in kind) ? " (" kind[ws[w]] ")" : ""
				ms = miss[k] ? sprintf("  %d runs without this figure", miss[k]) : ""
				printf "  %-12s %12.1f  [%.1f-%.1f]  n=%d%s%s\n", ws[w], m, lo, hi, c, note, ms
				printf "%s.%s\t%s\t%s\t%s\t%s\t%d\t%d\n", fk[1], fk[2], ws[w], m, lo, hi, c, miss[k] + 0 > tsv
				if (ws[w] == "vminit") vm = m
				# A binary size is compared with the static ones only: a
				# dynamic one needs its libraries, a script its interpreter.
				else if (fk[1] == "size" && kind[ws[w]] != "static") continue
				else if (best == "" || (fk[2] ~ HIGHER ? m > best : m < best)) { best = m; bestwho = ws[w] }
			}
			if (vm != "" && best != "") {
				r = best > 0 ? sprintf(vm / best < 0.1 ? "%.4f" : "%.2f", vm / best) : (vm > 0 ? "inf" : "1.00 (both 0)")
				printf "  vminit / best peer (%s): %s\n", bestwho, r
				printf "%s.%s\tratio\t%s\t%s\n", fk[1], fk[2], r, bestwho > tsv
			}
		}
	}' "$RAW"
}

# ctl-bench (bench/ctl-bench.c) as bench/ctl.sh builds it: the status round trip.
build_ctlbench() {
	CTLBENCH=$ROOT/build/bench/ctl-bench
	[ -x "$CTLBENCH" ] && [ "$CTLBENCH" -nt "$ROOT/bench/ctl-bench.c" ] && return 0
	mkdir -p "$(dirname "$CTLBENCH")"
	${CC:-cc} -std=c11 -O2 -Wall -Wextra -Werror -o "$CTLBENCH" "$ROOT/bench/ctl-bench.c"
}

# Issue 16's targets, one a line: figure (set.key), test, peer, target, what.
# Tests: rle: vminit / peer <= target (peer "best": the best peer's median);
# rge: vminit / peer >= target (more is better); rlt: vminit / peer < target;
# le, ge: vminit's own median against the target. A peer or a target of "-":
# shown, not judged. The size is compared with the static peers only.
TARGETS='size.bytes	le	best	262144	static binary <= 256 KiB
life1.spawn_us	rle	best	0.8	spawn: exec of PID 1 -> child main (spec read included) <= 0.8x
life1.term_us	rle	best	1.0	SIGTERM to PID 1 -> child handler <= 1.0x
life1.gone_us	rle	best	-	PID 1 gone after SIGTERM (no target)
last.last_us	rle	tini	1.5	PID 1 gone after its last child <= 1.5x tini-static
wrap.wall_us	rle	best	1.0	wrap PID1 -- true, wall <= 1.0x
wrap.cpu_us	rle	best	1.0	wrap PID1 -- true, CPU <= 1.0x
orphans.cpu_us	rle	best	1.0	orphan storm: PID 1 CPU <= 1.0x
orphans.lag_p99_us	le	best	1000	orphan storm: reap lag, 99th percentile <= 1 ms (us)
orphans.lag_p50_us	le	best	-	orphan storm: reap lag, median (us; no target)
orphans.lag_max_us	le	best	-	orphan storm: reap lag, the longest (us; no target)
orphans.peak	le	best	64	orphan storm: peak zombie backlog <= 64
orphans.zombies	le	best	0	orphan storm: zombies left = 0
life1.rss_kb	le	best	400	RSS, one child <= 400 kB
rss10.rss_kb	le	-	1024	RSS, 10 processes + 10 http checks + 4 clients <= 1 MB (kB)
status.p50_us	le	-	50	status round trip p50 <= 50 us (1 connection, unpinned)
status.rps	ge	-	20000	status requests/s >= 20,000 (1 connection, unpinned)
status.ping_p50_us	le	-	-	ping round trip p50, the floor of the two above (no target)
status1.p50_us	le	-	-	status round trip p50 on one CPU (no target)
status1.rps	ge	-	-	status requests/s on one CPU (no target)
status1.ping_p50_us	le	-	-	ping round trip p50 on one CPU (no target)
flood.mbps	rge	file	0.9	200 MB flood, a write a line: MB/s to logs -f >= 0.9x a file
flood.missing	le	-	0	200 MB flood: lines neither delivered nor counted lost = 0
flood64.mbps	rge	file	-	200 MB in 64 KiB writes: MB/s to logs -f vs a file (no target)
bulk.mbps	rge	supervisord	1.5	64 KiB writes: MB/s to the reader >= 1.5x supervisord
bulk.cpu_us	rlt	supervisord	1.0	64 KiB writes: PID 1 CPU < supervisord
bulk.lost	le	-	0	64 KiB writes: lines lost on logs -f = 0
bulk.missing	le	-	0	64 KiB writes: lines neither delivered nor counted lost = 0'

# The targets table: for each target its figure, vminit's median, the peer's
# (the best peer's, or the one named), the ratio, and met / missed / `-`
# (not judged, or not measured in this run).
targets() {
	echo
	echo "issue 16 targets (medians; ratio = vminit / peer)"
	awk -F'\t' -v HIGHER="$HIGHER" -v targets="$TARGETS" -v tsv="$TSV" '
	FILENAME == ARGV[1] { if ($4 == "kind") kind[$2] = $5; next }
	$2 != "ratio" { med[$1, $2] = $3; if ($2 != "vminit") peers[$1] = peers[$1] " " $2 }
	END {
		fmt = "%-74s %12s %22s %8s  %s\n"
		printf fmt, "figure", "vminit", "peer", "ratio", "verdict"
		nt = split(targets, tl, "\n")
		for (t = 1; t <= nt; t++) {
			split(tl[t], f, "\t"); fig = f[1]; test = f[2]; peer = f[3]; want = f[4]; what = f[5]
			if (!((fig, "vminit") in med)) { printf fmt, what, "-", "-", "-", "not run"; continue }
			vm = med[fig, "vminit"]; pv = ""; pw = ""
			if (peer == "best") {
				n = split(peers[fig], ws, " ")
				for (w = 1; w <= n; w++) {
					if (fig == "size.bytes" && kind[ws[w]] != "static") continue
					m = med[fig, ws[w]]
					split(fig, fk, ".")
					if (pv == "" || (fk[2] ~ HIGHER ? m > pv : m < pv)) { pv = m; pw = ws[w] }
				}
			} else if (peer != "-" && (fig, peer) in med) { pv = med[fig, peer]; pw = peer }
			r = (pv != "" && pv > 0) ? vm / pv : ""
			v = "-"
			if (want != "-") {
				if (test == "le") v = vm <= want + 0 ? "met" : "MISSED"
				else if (test == "ge") v = vm >= want + 0 ? "met" : "MISSED"
				else if (r == "") v = (pv != "" && pv == 0 && vm == 0) ? "met" : "-"
				else if (test == "rle") v = r <= want + 0 ? "met" : "MISSED"
				else if (test == "rge") v = r >= want + 0 ? "met" : "MISSED"
				else if (test == "rlt") v = r < want + 0 ? "met" : "MISSED"
			}
			printf fmt, what, sprintf("%.1f", vm), pw == "" ? "-" : sprintf("%s %.1f", pw, pv), r == "" ? "-" : sprintf("%.2f", r), v
			printf "target\t%s\t%s\t%s\t%s\t%s\t%s\n", fig, vm, pw, pv, r, v >> tsv
		}
	}' "$RAW" "$TSV"
}

machine() {
	echo "$(nproc) CPUs, kernel $(uname -r), Debian $(cat /etc/debian_version), $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $RUNS runs each ($FLOOD_RUNS of flood, flood64, rss10), interleaved; idle count over $IDLE_MS ms"
	echo "sets: $SETS; wrap: vminit $([ "$WRAP" = form ] && echo "-- /bin/true (its wrap form)" || echo "--spec of one /bin/true (no wrap form in --help)")"
	busy
}

# Anything else using over 20 % of a CPU skews every figure: say so.
busy() {
	ps -eo pcpu=,pid=,comm= --sort=-pcpu | awk '$1 >= 20 { printf "note: %s (pid %s) is using %s%% CPU\n", $3, $2, $1 }'
}

main() {
	local o n m
	while getopts "r:R:f:i:s:o:h" o; do
		case $o in
		r) RUNS=$OPTARG ;;
		R) FLOOD_RUNS=$OPTARG ;;
		f) SETS=$OPTARG ;;
		i) IDLE_MS=$OPTARG ;;
		s) SETTLE_MS=$OPTARG ;;
		o) TSV=$OPTARG ;;
		*) usage ;;
		esac
	done
	[ -n "$FLOOD_RUNS" ] || FLOOD_RUNS=$((RUNS < 5 ? RUNS : 5))
	[ "$FLOOD_RUNS" -le "$RUNS" ] || FLOOD_RUNS=$RUNS
	make -s -C "$ROOT" build/vminit build/vminitctl build/bench/peerbench
	build_ctlbench
	rm -rf "$DIR" && mkdir -p "$DIR" "$(dirname "$TSV")"
	: >"$RAW"
	for n in 1 10; do vminit_spec "$n" wait; supervisord_conf "$n" wait; done
	for m in crash orphans last burst bulk flood flood64; do vminit_spec 1 "$m"; supervisord_conf 1 "$m"; done
	vminit_spec 10 serve
	# The wrap form when this vminit has one (its --help shows `-- CMD`),
	# else a spec of one /bin/true.
	WRAP=spec
	! "$VMINIT" --help 2>&1 | grep -q -- ' -- CMD' || WRAP=form
	vminit_spec true wait
	# s6's run (a symlink to peerbench) takes its stamp file and mode from here.
	export PB_STAMP=$DIR/stamps
	machine
	START=$(date +%s)
	sizes
	run_set life1 vminit "${PEERS[@]}"
	# Ten children: only where PID 1 supervises (tini and the like run one).
	run_set life10 vminit s6 supervisord
	# `PID1 -- true`.
	run_set wrap vminit tini catatonit dumb-init
	# The child runs 1.1 s, exits 1; the time to its next main.
	run_set restart vminit s6 supervisord
	run_set orphans vminit "${PEERS[@]}"
	# PID 1's own end after its last child's: where PID 1 ends with it.
	run_set last vminit tini catatonit dumb-init
	# 9000 lines, one write each; BULK_MB MiB in 64 KiB writes of 1 KiB lines;
	# FLOOD_MB MB of 100-byte lines, one write a line, and in 64 KiB writes,
	# against the same writer writing to a file.
	run_set burst vminit supervisord tini
	run_set bulk vminit supervisord tini
	run_set flood vminit file
	run_set flood64 vminit file
	# vminit alone: no peer has a control socket or health checks.
	run_set status vminit
	run_set status1 vminit
	run_set rss10 vminit
	echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg); $(($(date +%s) - START)) s of runs"
	busy
	report
	targets
	echo
	echo "raw runs: $RAW; figures: $TSV"
}

main "$@"
