#!/bin/bash
# peers.sh - vminit beside the inits a user would pick instead (Debian's
# tini-static, catatonit, dumb-init, s6-svscan, supervisord), each run as PID 1
# of a fresh PID and mount namespace by build/bench/peerbench, interleaved
# (vminit, tini, ..., then again) so that the machine's load hits each alike.
# Prints per figure the median [min-max] of each and vminit / the best peer
# (lower is better for vminit); writes build/bench/peers.tsv. Figures only,
# never pass/fail (bench/README.md, "bench-peers").
#
#   bench/peers.sh [-r RUNS] [-i IDLE_MS] [-s SETTLE_MS] [-o TSV]
#
# -r: runs of each contestant per figure (20). -i: how long PID 1's idle
# wake-ups are counted (2000 ms). -s: the wait after the child's main before
# that count (300 ms). Needs root (namespaces) and the peers
# (bench/peers/install.sh; `make bench-peers` runs both).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=20 IDLE_MS=2000 SETTLE_MS=300 TSV=$ROOT/build/bench/peers.tsv
# Not under /tmp or /run, which vminit as PID 1 mounts over.
DIR=/var/tmp/vminit-peers
PB=$ROOT/build/bench/peerbench
VMINIT=$ROOT/build/vminit
PEERS=(tini catatonit dumb-init s6 supervisord)
RAW=$DIR/raw.tsv

usage() { sed -n '2,15s/^# \{0,1\}//p' "$0"; exit 2; }

# ---- the contestants' configurations ----

# vminit's spec of N children running `peerbench child FILE MODE` (or one
# /bin/true for wrap: N = true), in $DIR/vminit-N-MODE.ini. A crashing child is
# restarted at once (restart.backoff_seconds = 0; the default is 2 s).
vminit_spec() {
	local n=$1 mode=$2 i count=$1 cmd="\"$PB\", \"child\", \"$DIR/stamps\", \"$2\"" restart='"never"'
	[ "$n" != true ] || cmd='"/bin/true"' count=1
	[ "$mode" != crash ] || restart='"always"\nrestart.backoff_seconds = 0'
	{
		printf 'schema_version = "v1"\n'
		for i in $(seq "$count"); do
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
	command=$PB child $DIR/stamps $mode
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
# the children in mode $3 (peerbench child: wait, crash, orphans).
pid1_cmd() {
	local who=$1 n=$2 mode=$3 child=("$PB" child "$DIR/stamps" "$3")
	[ "$n" != true ] || child=(/bin/true)
	case $who in
	vminit) echo "$VMINIT" --spec "$DIR/vminit-$n-$mode.ini" --control "unix:$DIR/ctl.sock" ;;
	tini) echo /usr/bin/tini-static -- "${child[@]}" ;;
	catatonit) echo /usr/bin/catatonit -- "${child[@]}" ;;
	dumb-init) echo /usr/bin/dumb-init "${child[@]}" ;;
	s6) s6_scandir "$n"; echo /usr/bin/s6-svscan "$DIR/s6" ;;
	supervisord) echo /usr/bin/supervisord -c "$DIR/supervisord-$n-$mode.conf" ;;
	esac
}

# ---- runs ----

# Where contestant $1 delivers its child's output, read into `peerbench watch`:
# vminit's log stream on its unix socket (`vminitctl logs -f`, as a host
# would), supervisord's log file, and for tini (no relay: the child writes to
# PID 1's own stdout, here a file) that file: the floor.
reader() {
	local watch="$PB watch $DIR/stamps"
	case $1 in
	vminit) echo "$ROOT/build/vminitctl -a unix:$DIR/ctl.sock --json logs -f -n 0 p1 | $watch" ;;
	supervisord) echo "tail -F -n +1 $DIR/child.log 2>/dev/null | $watch" ;;
	tini) echo "tail -F -n +1 $DIR/console.log 2>/dev/null | $watch" ;;
	esac
}

# One run: figure set $1 (life1, life10, restart, orphans, wrap, burst, bulk), contestant
# $2, run $3; appends its key=value figures to $RAW as "set who run key value".
run_one() {
	local set=$1 who=$2 r=$3 n=1 mode=wait out kv
	local -a cmd args
	case $set in
	life1) args=(life -s "$SETTLE_MS" -i "$IDLE_MS") ;;
	life10) args=(life -n 10 -s "$SETTLE_MS" -i "$IDLE_MS") n=10 ;;
	restart) args=(restart) mode=crash ;;
	orphans) args=(orphans -s "$SETTLE_MS") mode=orphans ;;
	wrap) args=(wrap) n=true ;;
	burst | bulk) args=(relay -s "$SETTLE_MS" "$DIR" "$(reader "$who")") mode=$set ;;
	esac
	read -r -a cmd <<<"$(pid1_cmd "$who" "$n" "$mode")"
	rm -f "$DIR/stamps" "$DIR/ctl.sock"
	rm -f "$DIR/child.log" "$DIR/console.log"
	touch "$DIR/child.log" "$DIR/console.log"
	case $set in burst | bulk) ;; *) args+=("$DIR") ;; esac
	out=$(PB_MODE=$mode "$PB" "${args[@]}" -- "${cmd[@]}" || true)
	for kv in $out; do
		printf '%s\t%s\t%s\t%s\t%s\n' "$set" "$who" "$r" "${kv%%=*}" "${kv#*=}" >>"$RAW"
	done
}

# RUNS rounds of set $1 over the contestants $2...: each round runs them all,
# starting one further along each time, so none always runs first.
run_set() {
	local set=$1 r i n
	shift
	local -a who=("$@")
	n=${#who[@]}
	for r in $(seq "$RUNS"); do
		for i in $(seq 0 $((n - 1))); do run_one "$set" "${who[$(((i + r) % n))]}" "$r"; done
		printf '\r%s: round %d of %d' "$set" "$r" "$RUNS" >&2
	done
	echo >&2
}

# ---- figures ----

# Static binary size: the PID 1 binary's bytes, and whether it is static.
sizes() {
	local who bin kind
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

# Per (set, key, contestant): median, min, max, n; then vminit / the lowest
# median among the peers. Writes the TSV and prints the table.
report() {
	awk -F'\t' -v tsv="$TSV" '
	function median(list, n,   a, i, j, t) {
		n = split(list, a, " ")
		for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
		lo = a[1]; hi = a[n]
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	$4 == "ok" || $4 == "error" { next }
	$5 == "-" { miss[$1 SUBSEP $4 SUBSEP $2]++; next }
	$4 == "kind" { kind[$2] = $5; next }
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
				else if (best == "" || m < best) { best = m; bestwho = ws[w] }
			}
			if (vm != "" && best != "") {
				r = best > 0 ? sprintf(vm / best < 0.1 ? "%.4f" : "%.2f", vm / best) : (vm > 0 ? "inf" : "1.00 (both 0)")
				printf "  vminit / best peer (%s): %s\n", bestwho, r
				printf "%s.%s\tratio\t%s\t%s\n", fk[1], fk[2], r, bestwho > tsv
			}
		}
	}' "$RAW"
}

machine() {
	echo "$(nproc) CPUs, kernel $(uname -r), Debian $(cat /etc/debian_version), $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $RUNS runs each, interleaved; idle count over $IDLE_MS ms"
	busy
}

# Anything else using over 20 % of a CPU skews every figure: say so.
busy() {
	ps -eo pcpu=,pid=,comm= --sort=-pcpu | awk '$1 >= 20 { printf "note: %s (pid %s) is using %s%% CPU\n", $3, $2, $1 }'
}

main() {
	local o n m
	while getopts "r:i:s:o:h" o; do
		case $o in
		r) RUNS=$OPTARG ;;
		i) IDLE_MS=$OPTARG ;;
		s) SETTLE_MS=$OPTARG ;;
		o) TSV=$OPTARG ;;
		*) usage ;;
		esac
	done
	make -s -C "$ROOT" build/vminit build/vminitctl build/bench/peerbench
	rm -rf "$DIR" && mkdir -p "$DIR" "$(dirname "$TSV")"
	: >"$RAW"
	for n in 1 10; do vminit_spec "$n" wait; supervisord_conf "$n" wait; done
	for m in crash orphans burst bulk; do vminit_spec 1 "$m"; supervisord_conf 1 "$m"; done
	vminit_spec true wait
	# s6's run (a symlink to peerbench) takes its stamp file and mode from here.
	export PB_STAMP=$DIR/stamps
	machine
	sizes
	run_set life1 vminit "${PEERS[@]}"
	# Ten children: only where PID 1 supervises (tini and the like run one).
	run_set life10 vminit s6 supervisord
	# `PID1 -- true`; vminit has no wrap form: a spec of one /bin/true.
	run_set wrap vminit tini catatonit dumb-init
	# The child runs 1.1 s, exits 1; the time to its next main.
	run_set restart vminit s6 supervisord
	run_set orphans vminit "${PEERS[@]}"
	# 9000 lines, one write each; then 8 MiB in 64 KiB writes of 1 KiB lines
	# (both within vminit's 10 000-line burst budget).
	run_set burst vminit supervisord tini
	run_set bulk vminit supervisord tini
	echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
	busy
	report
	echo
	echo "raw runs: $RAW; figures: $TSV"
}

main "$@"
