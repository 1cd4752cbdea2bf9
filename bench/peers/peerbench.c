/*
 * peerbench.c - one run of one init as PID 1 of a fresh PID and mount
 * namespace, for bench/peers.sh: the stamps and /proc figures that the shell
 * cannot take without adding its own fork and exec to what it measures.
 *
 *   peerbench life [-n CHILDREN] [-s SETTLE_MS] [-i IDLE_MS] DIR -- PID1 [ARGS]
 *       PID 1 starts CHILDREN (1) `peerbench child`ren; once each has stamped
 *       its main, wait SETTLE_MS, count PID 1's context switches over IDLE_MS,
 *       read its VmRSS, send it SIGTERM and reap it. Prints one line:
 *       spawn_us term_us gone_us rss_kb wakeups (key=value; `-` for a figure
 *       that did not happen, as a TERM the child never saw).
 *   peerbench restart DIR -- PID1 [ARGS]
 *       PID 1 restarts a child that crashes (`child FILE crash`): prints
 *       restart_us, from the child's last stamp before exit(1) to its next main.
 *   peerbench orphans [-s SETTLE_MS] [-S 1] DIR -- PID1 [ARGS]
 *       the child (`child FILE orphans`) waits on DIR/go, then makes PB_ORPHANS
 *       (2000) orphans as fast as it can: prints PID 1's CPU time from the go
 *       until every orphan is reaped or 2 s after the last one exited (cpu_us,
 *       from /proc/PID/schedstat), the storm's wall time, and the observer's
 *       figures: each orphan's reap lag, from its own stamp just before its
 *       _exit to its reap (lag_p50_us, lag_p99_us, lag_max_us), peak (most
 *       orphans exited and not yet reaped at once), zombies (never reaped),
 *       unseen (reaped before the observer had their pidfd: lag counted to
 *       when it learnt of them, an upper bound), missing (no record). The
 *       observer is a process in the namespace at a real-time priority that
 *       holds each orphan's pidfd (the orphan sends its pid through DIR/exits
 *       as it exits) and sleeps in epoll_wait: the kernel wakes it with
 *       EPOLLHUP at each reap. So a lag is one orphan's own, to within the
 *       observer's wake-up, and the observer takes no CPU but a few µs an
 *       orphan. Why not the old /proc scanner: it took one of the two CPUs
 *       from the storm and PID 1, and its resolution was a scan's time (~100
 *       µs, more under load), so it measured itself as much as PID 1. With
 *       -S 1 it runs too, beside the observer: scan_lag_us (the longest a
 *       zombie stayed visible), scan_peak, scan_zombies, scan_us (a scan).
 *   peerbench last [-s SETTLE_MS] DIR -- PID1 [ARGS]
 *       the child (`child FILE last`) exits 0 on the go: prints last_us, from
 *       its last stamp to PID 1 reaped (PID 1's end after its last child).
 *   peerbench relay [-s SETTLE_MS] DIR READER -- PID1 [ARGS]
 *       the child (`child FILE burst|bulk|flood|flood64 [MB]`) waits on
 *       DIR/go, then writes its output; READER (a shell command, started before
 *       the go; for `watch -u` the go waits until it is attached; `-`: none)
 *       reads where PID 1 delivers it. Prints delivered_us (the child's first
 *       write to the end marker seen by the reader, or with no reader to the
 *       child's last write), write_us, PID 1's CPU over it (cpu_us), mbps (MB/s
 *       of the lines that arrived), and as the reader counted them: lines,
 *       lost, bytes, gaps, disorder, missing (see watch).
 *   peerbench watch [-u SOCKET PROC] STAMPFILE
 *       reads stdin, or with -u follows PROC's log stream on vminit's control
 *       socket (stamps "attached" at its reply); counts lines and bytes,
 *       `lost` items, and checks numbered lines: gaps (numbers skipped),
 *       disorder (a number lower than the last), missing (lines of a gap that
 *       no `lost` item before it counts). At "@@end N" stamps "seen" and notes
 *       the counts.
 *   peerbench during [-n CHILDREN] [-s SETTLE_MS] DIR CMD -- PID1 [ARGS]
 *       once PID 1's CHILDREN have stamped main, runs `sh -c CMD` (its output
 *       ours) to its end, then reads PID 1's VmRSS and VmHWM (rss_kb, hwm_kb)
 *       before stopping what CMD left running and PID 1.
 *   peerbench wrap DIR -- PID1 [ARGS]
 *       PID 1 runs to its end (e.g. `tini -- true`); prints wall_us, cpu_us
 *       (PID 1 and everything it reaped: RUSAGE_CHILDREN).
 *   peerbench child STAMPFILE [wait|exit|crash|orphans|last|burst|bulk|flood|flood64 [MB]|serve PORT]
 *       the contestants' child: appends "main NS" (CLOCK_MONOTONIC), then exits
 *       (exit) or waits for SIGTERM, whose handler appends "term NS" and
 *       exits 0; crash: runs 1.1 s (past s6-supervise's 1 s between starts),
 *       stamps "exit" and exits 1; orphans, last: as above; burst: 9000 lines
 *       of 80 bytes, one write each; bulk: MB (64) MiB in 64 KiB writes of 64
 *       numbered 1 KiB lines; flood: MB (200) MB of numbered 100-byte lines,
 *       one write each; flood64: the same in 64 KiB writes; all end with
 *       "@@end N"; serve: answers HTTP on 127.0.0.1:PORT with a 200. Called as
 *       `run` (an s6 service directory's run is a symlink here), it takes
 *       PB_STAMP and PB_MODE from the environment.
 *
 * Stamps: "exec" is taken in the namespace's first process just before it
 * execs the init under test; "kill" just before kill(SIGTERM); "gone" just
 * after waitpid returns it. All are CLOCK_MONOTONIC, which every process of
 * the machine shares, so the differences are valid across processes.
 * Never a pass/fail: a figure that did not happen is printed as `-`.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* "NAME NS\n" appended with one write, async-signal-safe (no stdio). */
static void stamp(const char *file, const char *name)
{
	char buf[64], digits[24];
	long long ns = now_ns();
	size_t n = 0, d = 0;
	int fd;

	while (*name && n < 32)
		buf[n++] = *name++;
	buf[n++] = ' ';
	do {
		digits[d++] = (char)('0' + ns % 10);
		ns /= 10;
	} while (ns > 0);
	while (d > 0)
		buf[n++] = digits[--d];
	buf[n++] = '\n';
	fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (write(fd, buf, n) < 0) {
		/* nothing to do: the harness reports the missing stamp */
	}
	close(fd);
}

/* "NAME N\n" appended to FILE (counts, not stamps). */
static void note(const char *file, const char *name, long long v)
{
	FILE *f = fopen(file, "a");

	if (f) {
		fprintf(f, "%s %lld\n", name, v);
		fclose(f);
	}
}

/* The first stamp NAME in FILE (the Nth with nth > 1), or -1. */
static long long read_stamp(const char *file, const char *name, int nth)
{
	char line[128], key[40];
	long long ns, found = -1;
	FILE *f = fopen(file, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%39s %lld", key, &ns) == 2 && strcmp(key, name) == 0 && --nth == 0) {
			found = ns;
			break;
		}
	fclose(f);
	return found;
}

/* ---- the child ---- */

static const char *child_stamps;

static void child_on_term(int sig)
{
	(void)sig;
	stamp(child_stamps, "term");
	_exit(0);
}

/* DIR/NAME for the stamp file FILE (DIR/stamps) into buf. */
static void beside(char buf[PATH_MAX], const char *file, const char *name)
{
	const char *slash = strrchr(file, '/');

	snprintf(buf, PATH_MAX, "%.*s/%s", slash ? (int)(slash - file) : 1, slash ? file : ".", name);
}

/* Blocks until the harness opens DIR/go (a FIFO beside FILE) for writing. */
static void wait_go(const char *file)
{
	char go[PATH_MAX];
	int fd;

	beside(go, file, "go");
	fd = open(go, O_RDONLY);
	if (fd >= 0)
		close(fd);
}

/* An orphan's report to the observer: its pid and when it exits. */
struct orphan_rec {
	int32_t pid, pad;
	int64_t exit_ns;
};

/* The orphan's end: its record into DIR/exits (the observer's FIFO; one
 * write of 16 bytes is atomic), stamped just before _exit, then _exit. */
static void orphan_exit(int fd)
{
	struct orphan_rec r = { .pid = (int32_t)getpid() };

	r.exit_ns = now_ns();
	if (fd >= 0 && write(fd, &r, sizeof(r)) < 0) {
		/* a full or closed FIFO: the observer counts it missing */
	}
	_exit(0);
}

/* Wait for the harness's go (it opens DIR/go, beside FILE, for writing), then
 * make PB_ORPHANS orphans: each fork forks a grandchild and exits at once, so
 * the grandchild is PID 1's to reap; the grandchild reports its pid and exit
 * time to the observer (DIR/exits, when open) and exits. Stamps "done" after
 * the last fork. */
static void child_orphans(const char *file)
{
	const char *env = getenv("PB_ORPHANS");
	char exits[PATH_MAX];
	int n = env ? atoi(env) : 2000, i, fd;
	pid_t pid, g;

	wait_go(file);
	beside(exits, file, "exits");
	/* Non-blocking: no observer (ENXIO) costs the storm nothing. */
	fd = open(exits, O_WRONLY | O_NONBLOCK);
	for (i = 0; i < n; i++) {
		pid = fork();
		if (pid == 0) {
			g = fork();
			if (g == 0)
				orphan_exit(fd);
			_exit(g < 0);
		}
		if (pid > 0)
			waitpid(pid, NULL, 0);
	}
	stamp(file, "done");
}

/* Writes all of BUF to stdout (a pipe to PID 1, or a file), or gives up. */
static void write_all(const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(1, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

/* A numbered line of LEN bytes ("pb NNNNNNNNNN " then filler, '\n' last)
 * in BUF: the reader checks order and gaps by the number. */
static void numbered(char *buf, size_t len, long n)
{
	int d;

	memcpy(buf, "pb ", 3);
	for (d = 12; d >= 3; d--) {
		buf[d] = (char)('0' + n % 10);
		n /= 10;
	}
	buf[13] = ' ';
	memset(buf + 14, 'a' + (int)(n % 26), len - 15);
	buf[len - 1] = '\n';
}

/* After the go (and a "first" stamp just before the first write):
 * burst: 9000 lines of 80 bytes, one write each (as a line-buffered program
 * writes); bulk: PB_BULK_MB (64) MiB in 64 KiB writes of 64 numbered 1 KiB
 * lines; flood: PB_FLOOD_MB (200) MB of numbered 100-byte lines, one write
 * each (a logger's records); flood64: the same lines in 64 KiB writes (a
 * line may straddle two). Then "@@end N" (N: the numbered lines written) and
 * the stamp "done". */
static void child_output(const char *file, const char *mode, const char *size)
{
	static char block[65536];
	long mb = size ? atol(size) : strcmp(mode, "bulk") == 0 ? 64 : 200, i, lines = 0;
	char line[128];
	size_t fill = 0, k;
	int n;

	wait_go(file);
	stamp(file, "first");
	if (strcmp(mode, "burst") == 0) {
		for (i = 0; i < 9000; i++) {
			n = snprintf(line, sizeof(line), "burst line %05ld %060d\n", i, 0);
			write_all(line, (size_t)n);
		}
	} else if (strcmp(mode, "bulk") == 0) {
		for (i = 0; i < mb * 16; i++) {
			for (k = 0; k < 64; k++)
				numbered(block + k * 1024, 1024, lines++);
			write_all(block, sizeof(block));
		}
	} else if (strcmp(mode, "flood") == 0) {
		for (lines = 0; lines < mb * 10000; lines++) {
			numbered(line, 100, lines);
			write_all(line, 100);
		}
	} else {
		for (lines = 0; lines < mb * 10000; lines++) {
			numbered(line, 100, lines);
			for (k = 0; k < 100; k++) {
				block[fill++] = line[k];
				if (fill == sizeof(block)) {
					write_all(block, fill);
					fill = 0;
				}
			}
		}
		write_all(block, fill);
	}
	/* The counts first: once the end marker is seen, they are there. */
	note(file, "wrote", strcmp(mode, "burst") == 0 ? 9000 : lines);
	note(file, "linesize", strcmp(mode, "burst") == 0 ? 80 : strcmp(mode, "bulk") == 0 ? 1024 : 100);
	n = snprintf(line, sizeof(line), "@@end %ld\n", lines);
	write_all(line, (size_t)n);
	stamp(file, "done");
	/* An init that drops lines over a budget may drop the marker too: say
	 * it again every 10 ms (the reader takes the first) until the reader
	 * has seen it, for 5 s at most. */
	for (i = 0; i < 500 && read_stamp(file, "seen", 1) < 0; i++) {
		sleep_ms(10);
		write_all(line, (size_t)n);
	}
}

/* The last child: on the go, stamps "last" and exits 0 (PID 1's end after
 * its last child). */
static void child_last(const char *file)
{
	wait_go(file);
	stamp(file, "last");
	_exit(0);
}

/* A health check's server: listens on 127.0.0.1:PORT and answers each
 * connection with one HTTP 200 and a close. Stamps "main" once listening. */
static void child_serve(const char *file, int port)
{
	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	char req[2048];
	int one = 1, s, c;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 64) < 0) {
		perror("peerbench serve");
		_exit(1);
	}
	stamp(file, "main");
	for (;;) {
		c = accept(s, NULL, NULL);
		if (c < 0)
			continue;
		if (read(c, req, sizeof(req)) > 0)
			write(c, ok, sizeof(ok) - 1);
		close(c);
	}
}

/* PORT: serve's port, or the MB (MiB for bulk) of burst, bulk, flood */
static int child_main(const char *file, const char *mode, const char *port)
{
	struct sigaction sa = { .sa_handler = child_on_term };

	if (!file) {
		fprintf(stderr, "peerbench child: no stamp file\n");
		return 2;
	}
	child_stamps = file;
	/* The handler before the stamp: once "main" is seen, a TERM is caught. */
	sigaction(SIGTERM, &sa, NULL);
	if (mode && strcmp(mode, "serve") == 0)
		child_serve(file, port ? atoi(port) : 0);
	stamp(file, "main");
	if (mode && strcmp(mode, "last") == 0)
		child_last(file);
	if (mode && strcmp(mode, "exit") == 0)
		return 0;
	if (mode && strcmp(mode, "crash") == 0) {
		sleep_ms(1100);
		stamp(file, "exit");
		return 1;
	}
	if (mode && strcmp(mode, "orphans") == 0)
		child_orphans(file);
	if (mode && (strcmp(mode, "burst") == 0 || strcmp(mode, "bulk") == 0 || strcmp(mode, "flood") == 0 ||
		     strcmp(mode, "flood64") == 0))
		child_output(file, mode, port);
	for (;;)
		pause();
}

/* ---- the namespace's first process ---- */

/* Fork PID 1 of a new PID namespace with its own mount namespace and /proc,
 * as `unshare --fork --pid --mount --mount-proc` does; its output goes to
 * DIR/console.log. Returns its pid as the caller sees it. */
static pid_t start_pid1(const char *dir, char **argv)
{
	char path[PATH_MAX];
	pid_t pid;
	int fd;

	if (unshare(CLONE_NEWPID) < 0) {
		perror("peerbench: unshare(CLONE_NEWPID)");
		exit(1);
	}
	pid = fork();
	if (pid < 0) {
		perror("peerbench: fork");
		exit(1);
	}
	if (pid > 0)
		return pid;
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
		perror("peerbench: mount namespace");
		_exit(1);
	}
	snprintf(path, sizeof(path), "%s/console.log", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
	}
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0) {
		dup2(fd, 0);
		close(fd);
	}
	snprintf(path, sizeof(path), "%s/stamps", dir);
	stamp(path, "exec");
	execv(argv[0], argv);
	perror("peerbench: exec of PID 1");
	_exit(127);
}

/* A number after KEY in /proc/PID/status (kB for VmRSS), or -1. */
static long proc_status(pid_t pid, const char *key)
{
	char path[64], line[256];
	size_t len = strlen(key);
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, len) == 0 && line[len] == ':') {
			v = strtol(line + len + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

static long switches(pid_t pid)
{
	return proc_status(pid, "voluntary_ctxt_switches") + proc_status(pid, "nonvoluntary_ctxt_switches");
}

/* Wait until PATH holds N stamps NAME, or PID has ended, or 30 s. */
static int wait_stamps(const char *path, const char *name, int n, pid_t pid)
{
	long long deadline = now_ns() + 30000000000LL;

	while (read_stamp(path, name, n) < 0) {
		if (now_ns() > deadline || waitpid(pid, NULL, WNOHANG) != 0)
			return -1;
		sleep_ms(1);
	}
	return 0;
}

static void print_us(const char *key, long long a, long long b)
{
	if (a < 0 || b < 0)
		printf(" %s=-", key);
	else
		printf(" %s=%.1f", key, (double)(b - a) / 1000.0);
}

/* Reap PID within 10 s, else SIGKILL it; the time it was reaped, or -1. */
static long long reap(pid_t pid)
{
	long long deadline = now_ns() + 10000000000LL;
	pid_t r;

	while ((r = waitpid(pid, NULL, WNOHANG)) == 0 && now_ns() < deadline)
		usleep(100);
	if (r == pid)
		return now_ns();
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

static int life(int children, long settle_ms, long idle_ms, const char *dir, char **argv)
{
	char stamps[PATH_MAX];
	long long t_kill, t_gone;
	long sw0, sw1, rss;
	pid_t pid;

	snprintf(stamps, sizeof(stamps), "%s/stamps", dir);
	unlink(stamps);
	pid = start_pid1(dir, argv);
	if (wait_stamps(stamps, "main", children, pid) < 0) {
		printf("error=no-child-main\n");
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return 1;
	}
	sleep_ms(settle_ms);
	sw0 = switches(pid);
	sleep_ms(idle_ms);
	sw1 = switches(pid);
	rss = proc_status(pid, "VmRSS");
	stamp(stamps, "kill");
	t_kill = read_stamp(stamps, "kill", 1);
	kill(pid, SIGTERM);
	t_gone = reap(pid);
	printf("ok=1");
	print_us("spawn_us", read_stamp(stamps, "exec", 1), read_stamp(stamps, "main", 1));
	print_us("term_us", t_kill, read_stamp(stamps, "term", 1));
	print_us("gone_us", t_kill, t_gone);
	printf(" rss_kb=%ld wakeups=%ld\n", rss, sw1 - sw0);
	return 0;
}

static long long cpu_ns(pid_t pid)
{
	char path[64];
	long long ns = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%lld", &ns) != 1)
		ns = -1;
	fclose(f);
	return ns;
}

/* The zombie watch of the orphan storm. The namespace's own /proc (seen from
 * outside as /proc/PID1/root/proc) lists its processes only, so a scan is
 * short; each scan notes every zombie whose parent is PID 1 (ns pid 1):
 * when it was first and last seen. A zombie's lag (how long it waited for its
 * reap) is at least last - first and at most that plus two scans. */
#define ZMAX 65536
static long long z_first[ZMAX], z_last[ZMAX];

struct zwatch {
	char proc[64];
	long long scans, scan_ns, lag_ns;
	int peak, now;
};

static void zscan(struct zwatch *w)
{
	char path[96], buf[512], *p, state;
	int n = 0, ppid, zp;
	long long t0 = now_ns(), t;
	DIR *d = opendir(w->proc);
	struct dirent *e;
	int fd;
	ssize_t len;

	if (!d) {
		w->now = -1;
		return;
	}
	while ((e = readdir(d)))
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9') {
			snprintf(path, sizeof(path), "%s/%.20s/stat", w->proc, e->d_name);
			fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				continue;
			len = read(fd, buf, sizeof(buf) - 1);
			close(fd);
			if (len <= 0)
				continue;
			buf[len] = 0;
			if (!(p = strrchr(buf, ')')) || sscanf(p + 1, " %c %d", &state, &ppid) != 2 ||
			    state != 'Z' || ppid != 1)
				continue;
			n++;
			zp = atoi(e->d_name);
			if (zp <= 0 || zp >= ZMAX)
				continue;
			t = now_ns();
			if (!z_first[zp])
				z_first[zp] = t;
			z_last[zp] = t;
			if (t - z_first[zp] > w->lag_ns)
				w->lag_ns = t - z_first[zp];
		}
	closedir(d);
	w->now = n;
	if (n > w->peak)
		w->peak = n;
	w->scans++;
	w->scan_ns += now_ns() - t0;
}

static void stop(const char *stamps, pid_t pid)
{
	stamp(stamps, "kill");
	kill(pid, SIGTERM);
	reap(pid);
}

/* Forks `sh -c CMD` in its own process group before the new PID namespace
 * exists (a child forked after unshare(CLONE_NEWPID) would be in it, and PID
 * 1's end would wait for us to reap it while we wait for PID 1). It waits
 * for a byte on the returned pipe (*go) before the exec. */
static pid_t fork_waiting(const char *cmd, int *go)
{
	int p[2];
	pid_t pid;

	if (pipe(p) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		char c;

		close(p[1]);
		setpgid(0, 0);
		if (read(p[0], &c, 1) != 1)
			_exit(0);
		close(p[0]);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	*go = p[1];
	return pid;
}

static void release(int go)
{
	if (write(go, "g", 1) != 1) {
		/* the command is gone: its figures will be missing */
	}
	close(go);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* A run's stamp file and go fifo under DIR, fresh: 0, or -1 (said). */
static int run_files(const char *dir, char stamps[PATH_MAX], char go[PATH_MAX])
{
	snprintf(stamps, PATH_MAX, "%s/stamps", dir);
	snprintf(go, PATH_MAX, "%s/go", dir);
	unlink(stamps);
	unlink(go);
	if (mkfifo(go, 0600) < 0) {
		perror("peerbench: mkfifo");
		return -1;
	}
	return 0;
}

/* PID 1's end after its last child: the child (`child FILE last`) waits for
 * the go, stamps "last" and exits 0; PID 1 should then end by itself. Prints
 * last_us, from that stamp to waitpid returning PID 1 (a blocking waitpid, so
 * no polling step is in the figure; 10 s at most, then SIGKILL: `-`). */
static int last(long settle_ms, const char *dir, char **argv)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	char stamps[PATH_MAX], go[PATH_MAX];
	long long t_gone = -1;
	int fd;
	pid_t pid;

	if (run_files(dir, stamps, go) < 0)
		return 1;
	pid = start_pid1(dir, argv);
	if (wait_stamps(stamps, "main", 1, pid) < 0) {
		printf("error=no-child-main\n");
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return 1;
	}
	sleep_ms(settle_ms);
	fd = open(go, O_WRONLY);
	if (fd >= 0)
		close(fd);
	sigaction(SIGALRM, &sa, NULL);
	alarm(10);
	if (waitpid(pid, NULL, 0) == pid)
		t_gone = now_ns();
	alarm(0);
	if (t_gone < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	printf("ok=1");
	print_us("last_us", read_stamp(stamps, "last", 1), t_gone);
	printf("\n");
	return 0;
}

/* `during`: PID 1 runs N children; once each has stamped its main and
 * SETTLE_MS have passed, CMD (`sh -c`, forked before the namespace, its
 * output ours: key=value figures) runs to its end; then PID 1's VmRSS is
 * read, with whatever CMD left running in its process group (clients still
 * connected), before that group and PID 1 are stopped. Prints rss_kb and
 * hwm_kb (VmHWM, the peak). */
static int during(int children, long settle_ms, const char *dir, const char *cmd, char **argv)
{
	char stamps[PATH_MAX];
	long rss, hwm;
	int start;
	pid_t pid, c;

	snprintf(stamps, sizeof(stamps), "%s/stamps", dir);
	unlink(stamps);
	if ((c = fork_waiting(cmd, &start)) < 0)
		return 1;
	pid = start_pid1(dir, argv);
	if (wait_stamps(stamps, "main", children, pid) < 0) {
		printf("error=no-child-main\n");
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		kill(-c, SIGKILL);
		waitpid(c, NULL, 0);
		return 1;
	}
	sleep_ms(settle_ms);
	release(start);
	waitpid(c, NULL, 0);
	rss = proc_status(pid, "VmRSS");
	hwm = proc_status(pid, "VmHWM");
	kill(-c, SIGTERM);
	stop(stamps, pid);
	printf("ok=1 rss_kb=%ld hwm_kb=%ld\n", rss, hwm);
	return 0;
}

static int restart(const char *dir, char **argv)
{
	char stamps[PATH_MAX];
	pid_t pid;

	snprintf(stamps, sizeof(stamps), "%s/stamps", dir);
	unlink(stamps);
	pid = start_pid1(dir, argv);
	if (wait_stamps(stamps, "main", 2, pid) < 0) {
		printf("error=no-restart\n");
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return 1;
	}
	stop(stamps, pid);
	printf("ok=1");
	print_us("restart_us", read_stamp(stamps, "exit", 1), read_stamp(stamps, "main", 2));
	printf("\n");
	return 0;
}

/* ---- the orphan storm's observer ---- */

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#define OBS_MAX 65536

/* Each orphan as the observer saw it: its pidfd while it waits for its
 * reap, its exit stamp, when its reap was seen (0: not yet). */
struct obs_orphan {
	long long exit_ns, reap_ns;
	int fd;
};

static struct obs_orphan obs[OBS_MAX];

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/* An orphan's record from the FIFO: a pidfd for its pid (in the namespace:
 * the observer lives there), watched edge-triggered. The kernel reports
 * EPOLLIN at its exit and EPOLLIN|EPOLLHUP once it is reaped. Already
 * reaped (ESRCH): its reap is counted now, an upper bound (unseen). */
static void obs_add(int ep, const struct orphan_rec *r, int i, long long now, int *reaped, int *unseen)
{
	struct epoll_event e = { .events = EPOLLIN | EPOLLET, .data.u32 = (uint32_t)i + 1 };

	obs[i].exit_ns = r->exit_ns;
	obs[i].fd = (int)syscall(SYS_pidfd_open, r->pid, 0);
	if (obs[i].fd < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, obs[i].fd, &e) < 0) {
		if (obs[i].fd >= 0)
			close(obs[i].fd);
		obs[i].fd = -1;
		obs[i].reap_ns = now;
		(*reaped)++;
		(*unseen)++;
	}
}

/* Most orphans exited and not yet reaped at once: exits and reaps merged
 * in time order (a reap at the same ns as an exit after it). */
static int obs_peak(int n)
{
	static long long ex[OBS_MAX], re[OBS_MAX];
	int ne = 0, nr = 0, i = 0, j = 0, cur = 0, peak = 0;

	for (int k = 0; k < n; k++) {
		ex[ne++] = obs[k].exit_ns;
		if (obs[k].reap_ns)
			re[nr++] = obs[k].reap_ns;
	}
	qsort(ex, (size_t)ne, sizeof(ex[0]), cmp_ll);
	qsort(re, (size_t)nr, sizeof(re[0]), cmp_ll);
	while (i < ne) {
		if (j < nr && re[j] < ex[i]) {
			cur--;
			j++;
			continue;
		}
		cur++;
		i++;
		if (cur > peak)
			peak = cur;
	}
	return peak;
}

/* The observer, a process in the namespace (pidfd_open takes the pids the
 * orphans see): reads the orphans' records from FIFO, watches each one's
 * pidfd until it is reaped, and writes to out one line: lag_p50_us,
 * lag_p99_us, lag_max_us (exit stamp to reap seen), peak (most orphans
 * waiting for their reap at once), zombies (not reaped 2 s after the last
 * record came, or 30 s after the start), unseen (already reaped when their
 * record was read: lag counted to then), missing (records that never came).
 * It sleeps in epoll_wait between events, at a real-time priority
 * (SCHED_FIFO), so that it runs the moment a record or a reap comes
 * instead of when the storm leaves it a CPU: it reads an orphan's record
 * (and holds its pidfd) before the orphan has even exited, and sees each
 * reap within its wake-up (an upper bound by that). It costs the storm a
 * few µs of CPU an orphan, and none of PID 1's time. Writes "r" to ready
 * once the FIFO is open. */
static void observe(const char *fifo, int n, int ready, int out)
{
	static long long lag[OBS_MAX];
	struct epoll_event evs[256];
	struct orphan_rec r[256];
	long long end = now_ns() + 30000000000LL, last = 0, t;
	int ep = epoll_create1(EPOLL_CLOEXEC), fd = open(fifo, O_RDONLY | O_NONBLOCK);
	int got = 0, reaped = 0, unseen = 0, k, m, nl = 0;
	struct epoll_event fe = { .events = EPOLLIN, .data.u32 = 0 };
	char line[256];
	ssize_t len;

	struct sched_param sp = { .sched_priority = 50 };

	if (n > OBS_MAX)
		n = OBS_MAX;
	/* The system call: musl's sched_setscheduler is ENOSYS by design. */
	if (syscall(SYS_sched_setscheduler, 0, SCHED_FIFO, &sp) < 0)
		perror("peerbench observer: SCHED_FIFO (lags are the scheduler's too)");
	if (ep < 0 || fd < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &fe) < 0)
		_exit(1);
	if (write(ready, "r", 1) != 1)
		_exit(1);
	/* Until every orphan is reaped, or 2 s after the last record came. */
	while (reaped < n && (t = now_ns()) < end) {
		if (last && t > last + 2000000000LL)
			break;
		k = epoll_wait(ep, evs, 256, 50);
		t = now_ns();
		for (int e = 0; e < k; e++) {
			uint32_t id = evs[e].data.u32;
			if (id == 0) {
				while ((len = read(fd, r, sizeof(r))) > 0)
					for (m = 0; m < (int)(len / (ssize_t)sizeof(r[0])) && got < n; m++)
						obs_add(ep, &r[m], got++, t, &reaped, &unseen);
				last = t;
				continue;
			}
			if ((evs[e].events & EPOLLHUP) && !obs[id - 1].reap_ns) {
				obs[id - 1].reap_ns = t;
				close(obs[id - 1].fd);
				obs[id - 1].fd = -1;
				reaped++;
			}
		}
	}
	for (k = 0; k < got; k++)
		if (obs[k].reap_ns)
			lag[nl++] = obs[k].reap_ns - obs[k].exit_ns;
	qsort(lag, (size_t)nl, sizeof(lag[0]), cmp_ll);
	if (nl)
		snprintf(line, sizeof(line), " lag_p50_us=%.1f lag_p99_us=%.1f lag_max_us=%.1f", lag[nl / 2] / 1000.0,
			 lag[(nl * 99) / 100 < nl ? (nl * 99) / 100 : nl - 1] / 1000.0, lag[nl - 1] / 1000.0);
	else
		snprintf(line, sizeof(line), " lag_p50_us=- lag_p99_us=- lag_max_us=-");
	len = (ssize_t)strlen(line);
	len += snprintf(line + len, sizeof(line) - (size_t)len, " peak=%d zombies=%d unseen=%d missing=%d\n",
			obs_peak(got), got - reaped, unseen, n - got);
	if (write(out, line, (size_t)len) != len)
		_exit(1);
	_exit(0);
}

/* The observer, forked into PID 1's namespace (we unshared it: our forks
 * go there); returns its pid once its FIFO is open, and the read end of its
 * figures in *out. */
static pid_t start_observer(const char *fifo, int n, int *out)
{
	int ready[2], fig[2];
	char c;
	pid_t pid;

	if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(fig, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		close(ready[0]);
		close(fig[0]);
		observe(fifo, n, ready[1], fig[1]);
	}
	close(ready[1]);
	close(fig[1]);
	if (pid < 0 || read(ready[0], &c, 1) != 1) {
		close(ready[0]);
		close(fig[0]);
		return -1;
	}
	close(ready[0]);
	*out = fig[0];
	return pid;
}

/* The orphan storm: PID 1's CPU from the go to the observer's end (every
 * orphan reaped, or 2 s after the last exit), the storm's time, and the
 * observer's figures. With scan: the old /proc scanner too, without a
 * pause meanwhile (scan_lag_us, scan_peak, scan_us: it takes a CPU). */
static int orphans(long settle_ms, int scan, const char *dir, char **argv)
{
	char stamps[PATH_MAX], go[PATH_MAX], exits[PATH_MAX], figs[256] = "";
	const char *env = getenv("PB_ORPHANS");
	long long cpu0, cpu1, t0, t_done;
	struct zwatch w = { 0 };
	int fd, out = -1, n = env ? atoi(env) : 2000;
	ssize_t len;
	pid_t pid, ob;

	if (run_files(dir, stamps, go) < 0)
		return 1;
	snprintf(exits, sizeof(exits), "%s/exits", dir);
	unlink(exits);
	if (mkfifo(exits, 0600) < 0) {
		perror("peerbench: mkfifo");
		return 1;
	}
	memset(z_first, 0, sizeof(z_first));
	memset(obs, 0, sizeof(obs));
	pid = start_pid1(dir, argv);
	snprintf(w.proc, sizeof(w.proc), "/proc/%d/root/proc", (int)pid);
	if (wait_stamps(stamps, "main", 1, pid) < 0) {
		printf("error=no-child-main\n");
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return 1;
	}
	sleep_ms(settle_ms);
	if ((ob = start_observer(exits, n, &out)) < 0) {
		printf("error=no-observer\n");
		stop(stamps, pid);
		return 1;
	}
	cpu0 = cpu_ns(pid);
	t0 = now_ns();
	fd = open(go, O_WRONLY);
	if (fd >= 0)
		close(fd);
	/* The scanner, when asked, until the observer is done. */
	while (scan && waitpid(ob, NULL, WNOHANG) == 0)
		zscan(&w);
	if (!scan)
		waitpid(ob, NULL, 0);
	cpu1 = cpu_ns(pid);
	len = read(out, figs, sizeof(figs) - 1);
	figs[len > 0 ? len : 0] = '\0';
	if (len > 0 && figs[len - 1] == '\n')
		figs[len - 1] = '\0';
	close(out);
	t_done = read_stamp(stamps, "done", 1);
	stop(stamps, pid);
	printf("ok=1 cpu_us=%.1f", (double)(cpu1 - cpu0) / 1000.0);
	print_us("storm_us", t0, t_done);
	printf("%s", figs[0] ? figs : " error=observer");
	if (scan)
		printf(" scan_zombies=%d scan_peak=%d scan_lag_us=%.1f scan_us=%.1f", w.now, w.peak,
		       (double)w.lag_ns / 1000.0, w.scans ? (double)w.scan_ns / (double)w.scans / 1000.0 : -1.0);
	printf("\n");
	return 0;
}

/* The reader's tally: numbered lines ("pb N ...") in order, gaps (a number
 * skipped, the lines never arrived nor were counted lost), lines out of
 * order, and `lost` items. */
struct tally {
	long long lines, lost, bytes, next, gaps, disorder, written, pending, missing;
	int done;
};

/* A gap of N numbers where `lost` items counted PENDING lines: the ones
 * neither delivered nor counted are missing (extra lost counts, as a
 * dropped end marker's, are not carried over). */
static void tally_gap(struct tally *t, long long n)
{
	if (n > t->pending)
		t->missing += n - t->pending;
	t->pending = 0;
}

/* One line LINE[0..LEN) (without its '\n'): a stream reply (skipped), a
 * `lost` item, the end marker (sets done), or a line: counted, and its
 * number checked against the one expected. */
static void tally_line(struct tally *t, const char *line, size_t len)
{
	const char *p;
	long long n;
	int d;

	if (len >= 5 && memcmp(line, "{\"id\"", 5) == 0)
		return;
	if (len >= 8 && memcmp(line, "{\"lost\":", 8) == 0) {
		n = strtoll(line + 8, NULL, 10);
		t->lost += n;
		t->pending += n;
		return;
	}
	/* A numbered line's "pb " is near its start; only a line without one
	 * is looked through for the end marker (memmem over every 1 KiB line
	 * made the reader the slow end). */
	p = memmem(line, len, "pb ", 3);
	if (!p && (p = memmem(line, len, "@@end", 5))) {
		t->written = strtoll(p + 5, NULL, 10);
		if (t->written > t->next) {
			t->gaps += t->written - t->next;
			tally_gap(t, t->written - t->next);
		}
		t->done = 1;
		return;
	}
	t->lines++;
	t->bytes += (long long)len + 1;
	if (!p || p + 13 > line + len)
		return;
	for (n = 0, d = 3; d < 13; d++)
		n = n * 10 + (p[d] - '0');
	if (n < t->next) {
		/* Late: it did arrive, so a gap it was counted missing in has
		 * one fewer (a gap covered by `lost` stays as it is). */
		t->disorder++;
		if (t->missing > 0)
			t->missing--;
		return;
	}
	t->gaps += n - t->next;
	tally_gap(t, n - t->next);
	t->next = n + 1;
}

/* Connects to vminit's control socket PATH and follows PROC's log stream
 * from now (`logs -f -n 0`, as vminitctl sends it). Returns the socket. */
static int follow(const char *path, const char *proc)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char req[256];
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), n;

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("peerbench watch: connect");
		exit(1);
	}
	n = snprintf(req, sizeof(req), "{\"id\":1,\"op\":\"logs\",\"process\":\"%s\",\"lines\":0,\"follow\":true}\n",
		     proc);
	if (write(fd, req, (size_t)n) != n) {
		perror("peerbench watch: write");
		exit(1);
	}
	return fd;
}

/* Reads FD in 1 MiB reads and tallies each line, so that the reader is never
 * the slow end; once the stream's reply (a socket) has come, stamps
 * "attached". At the end marker stamps "seen", then the tally. */
static int watch(const char *file, const char *sock, const char *proc)
{
	static char buf[1 << 20];
	struct tally t = { 0 };
	size_t have = 0, start, i;
	int fd = sock ? follow(sock, proc) : 0, attached = !sock;
	ssize_t n;

	while (!t.done && (n = read(fd, buf + have, sizeof(buf) - have)) > 0) {
		have += (size_t)n;
		for (start = 0; start < have && !t.done; start = i + 1) {
			const char *nl = memchr(buf + start, '\n', have - start);
			if (!nl)
				break;
			i = (size_t)(nl - buf);
			if (!attached && memmem(buf + start, i - start, "\"ok\":true", 9)) {
				attached = 1;
				stamp(file, "attached");
			}
			tally_line(&t, buf + start, i - start);
		}
		if (t.done)
			stamp(file, "seen");
		if (start == 0 && have == sizeof(buf))
			start = have; /* a line over 1 MiB: dropped */
		memmove(buf, buf + start, have - start);
		have -= start;
	}
	if (!t.done)
		stamp(file, "eof"); /* the stream ended before the end marker */
	note(file, "lines", t.lines);
	note(file, "lost", t.lost);
	note(file, "bytes", t.bytes);
	note(file, "gaps", t.gaps);
	note(file, "disorder", t.disorder);
	note(file, "written", t.done ? t.written : -1);
	note(file, "missing", t.done ? t.missing : -1);
	/* Keep reading: a reader that stops would push back on PID 1. */
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	return 0;
}

static int relay(long settle_ms, const char *dir, const char *reader, char **argv)
{
	char stamps[PATH_MAX], go[PATH_MAX];
	long long cpu0, cpu1, t_first, t_end, lines;
	int fd, start = -1, has_reader = strcmp(reader, "-") != 0;
	pid_t pid, rd = -1;

	if (run_files(dir, stamps, go) < 0)
		return 1;
	if (has_reader && (rd = fork_waiting(reader, &start)) < 0)
		return 1;
	pid = start_pid1(dir, argv);
	if (wait_stamps(stamps, "main", 1, pid) < 0) {
		printf("error=no-child-main\n");
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		if (rd > 0) {
			kill(-rd, SIGKILL);
			waitpid(rd, NULL, 0);
		}
		return 1;
	}
	sleep_ms(settle_ms);
	if (has_reader) {
		release(start);
		/* A follower on the socket says when its stream has begun; a
		 * `tail -F` cannot: it gets 300 ms to open the file. */
		if (strstr(reader, "watch -u"))
			wait_stamps(stamps, "attached", 1, pid);
		else
			sleep_ms(300);
	}
	cpu0 = cpu_ns(pid);
	fd = open(go, O_WRONLY);
	if (fd >= 0)
		close(fd);
	if (has_reader) /* the end marker seen, or the stream cut, or 60 s */
		for (t_end = now_ns() + 60000000000LL; read_stamp(stamps, "seen", 1) < 0 &&
						       read_stamp(stamps, "eof", 1) < 0 && now_ns() < t_end;)
			sleep_ms(1);
	else
		wait_stamps(stamps, "done", 1, pid);
	cpu1 = cpu_ns(pid);
	wait_stamps(stamps, "done", 1, pid);
	stop(stamps, pid);
	if (rd > 0) {
		kill(-rd, SIGTERM);
		waitpid(rd, NULL, 0);
	}
	t_first = read_stamp(stamps, "first", 1);
	t_end = read_stamp(stamps, has_reader ? "seen" : "done", 1);
	printf("ok=1");
	print_us("delivered_us", t_first, t_end);
	print_us("write_us", t_first, read_stamp(stamps, "done", 1));
	printf(" cpu_us=%.1f", (double)(cpu1 - cpu0) / 1000.0);
	/* MB/s (10^6 bytes) of the lines that arrived: the reader's count, or
	 * with no reader (a file) all that were written. */
	lines = has_reader ? read_stamp(stamps, "lines", 1) : read_stamp(stamps, "wrote", 1);
	if (t_first > 0 && t_end > t_first && lines >= 0)
		printf(" mbps=%.1f", (double)lines * (double)read_stamp(stamps, "linesize", 1) * 1000.0 /
					     (double)(t_end - t_first));
	if (!has_reader) {
		printf("\n");
		return 0;
	}
	/* A stream cut before its end: nothing more arrives, so what was not
	 * delivered nor counted lost is missing. */
	if (t_end < 0 && read_stamp(stamps, "eof", 1) > 0) {
		printf(" mbps=0 cut=1 lines=%lld lost=%lld missing=%lld\n", lines, read_stamp(stamps, "lost", 1),
		       read_stamp(stamps, "wrote", 1) - lines - read_stamp(stamps, "lost", 1));
		return 0;
	}
	printf(" lines=%lld lost=%lld bytes=%lld gaps=%lld disorder=%lld", lines, read_stamp(stamps, "lost", 1),
	       read_stamp(stamps, "bytes", 1), read_stamp(stamps, "gaps", 1), read_stamp(stamps, "disorder", 1));
	if (read_stamp(stamps, "written", 1) > 0)
		printf(" missing=%lld", read_stamp(stamps, "missing", 1));
	printf("\n");
	return 0;
}

static int wrap(const char *dir, char **argv)
{
	struct rusage r0, r1;
	long long t0, t1;
	pid_t pid;

	getrusage(RUSAGE_CHILDREN, &r0);
	t0 = now_ns();
	pid = start_pid1(dir, argv);
	waitpid(pid, NULL, 0);
	t1 = now_ns();
	getrusage(RUSAGE_CHILDREN, &r1);
	printf("ok=1 wall_us=%.1f cpu_us=%ld\n", (double)(t1 - t0) / 1000.0,
	       (r1.ru_utime.tv_sec - r0.ru_utime.tv_sec + r1.ru_stime.tv_sec - r0.ru_stime.tv_sec) * 1000000L +
		       (r1.ru_utime.tv_usec - r0.ru_utime.tv_usec) + (r1.ru_stime.tv_usec - r0.ru_stime.tv_usec));
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: peerbench life [-n N] [-s MS] [-i MS] DIR -- PID1 [ARGS]\n"
			"       peerbench wrap|restart DIR -- PID1 [ARGS]\n"
			"       peerbench orphans [-s MS] [-S 1] DIR -- PID1 [ARGS]\n"
			"       peerbench last [-s MS] DIR -- PID1 [ARGS]\n"
			"       peerbench relay [-s MS] DIR READER -- PID1 [ARGS]\n"
			"       peerbench during [-n N] [-s MS] DIR CMD -- PID1 [ARGS]\n"
			"       peerbench watch [-u SOCKET PROC] STAMPFILE\n"
			"       peerbench child STAMPFILE [wait|exit|crash|orphans|last|burst|bulk|flood|flood64 [MB]|serve PORT]\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/');
	int children = 1, scan = 0, i;
	long settle_ms = 300, idle_ms = 1000;

	base = base ? base + 1 : argv[0];
	if (strcmp(base, "run") == 0)
		return child_main(getenv("PB_STAMP"), getenv("PB_MODE"), NULL);
	if (argc < 2)
		return usage();
	if (strcmp(argv[1], "watch") == 0 && argc == 3)
		return watch(argv[2], NULL, NULL);
	if (strcmp(argv[1], "watch") == 0 && argc == 6 && strcmp(argv[2], "-u") == 0)
		return watch(argv[5], argv[3], argv[4]);
	if (strcmp(argv[1], "child") == 0)
		return child_main(argc > 2 ? argv[2] : NULL, argc > 3 ? argv[3] : NULL, argc > 4 ? argv[4] : NULL);
	for (i = 2; i + 1 < argc && argv[i][0] == '-' && strcmp(argv[i], "--") != 0; i += 2) {
		if (strcmp(argv[i], "-n") == 0)
			children = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "-s") == 0)
			settle_ms = atol(argv[i + 1]);
		else if (strcmp(argv[i], "-i") == 0)
			idle_ms = atol(argv[i + 1]);
		else if (strcmp(argv[i], "-S") == 0)
			scan = atoi(argv[i + 1]);
		else
			return usage();
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(argv[1], "relay") == 0 && i + 3 < argc && strcmp(argv[i + 2], "--") == 0)
		return relay(settle_ms, argv[i], argv[i + 1], argv + i + 3);
	if (strcmp(argv[1], "during") == 0 && i + 3 < argc && strcmp(argv[i + 2], "--") == 0)
		return during(children, settle_ms, argv[i], argv[i + 1], argv + i + 3);
	if (i + 2 >= argc || strcmp(argv[i + 1], "--") != 0)
		return usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(argv[1], "life") == 0)
		return life(children, settle_ms, idle_ms, argv[i], argv + i + 2);
	if (strcmp(argv[1], "wrap") == 0)
		return wrap(argv[i], argv + i + 2);
	if (strcmp(argv[1], "last") == 0)
		return last(settle_ms, argv[i], argv + i + 2);
	if (strcmp(argv[1], "restart") == 0)
		return restart(argv[i], argv + i + 2);
	if (strcmp(argv[1], "orphans") == 0)
		return orphans(settle_ms, scan, argv[i], argv + i + 2);
	return usage();
}
