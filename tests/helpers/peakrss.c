/* peakrss FILE CMD [ARG...]: run CMD and write its peak resident memory
 * (in kB) to FILE, measured exactly over its whole run.
 *
 * Sampling /proc/PID/status from outside misses the end of a short run, and
 * a zombie's status has no VmHWM at all (its memory is gone). Nor is VmHWM
 * read at exit the peak: the kernel updates its high-water mark from
 * batched per-cpu counters when memory is unmapped, so a small program that
 * frees its buffers before it exits shows a mark up to a few hundred kB
 * under its real peak. But RSS only goes down in a few system calls. So CMD
 * runs traced, under a seccomp filter that stops it at the entry of each of
 * those (munmap, mremap, madvise, brk, mmap over a mapping, exit): there its
 * VmRSS is still its peak so far, and the largest VmRSS or VmHWM seen at
 * those stops and at the exit stop (PTRACE_O_TRACEEXIT: before its memory
 * is freed) is the peak of the run. The count starts at CMD's exec, so the
 * forked copy of this helper is not measured. Signals CMD receives are
 * passed on to it. CMD must not fork: its children would run under the
 * filter untraced, and those system calls would fail for them (ENOSYS).
 *
 * Exits with CMD's exit code (128 + n if a signal ended it); 125 if it could
 * not run CMD or measure it.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__x86_64__)
#define ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define ARCH AUDIT_ARCH_AARCH64
#else
#error "peakrss: add this architecture's AUDIT_ARCH"
#endif

/* Stop (SECCOMP_RET_TRACE) at the system calls that can lower RSS. */
static int trace_rss_drops(void)
{
#define STOP_AT(nr) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), \
		    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE)
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		STOP_AT(__NR_munmap), STOP_AT(__NR_mremap), STOP_AT(__NR_madvise),
		STOP_AT(__NR_brk), STOP_AT(__NR_mmap), STOP_AT(__NR_exit),
		STOP_AT(__NR_exit_group),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
#undef STOP_AT
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

static int wait_for(pid_t pid, int *status)
{
	for (;;) {
		if (waitpid(pid, status, 0) == pid)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

/* The larger of VmHWM and VmRSS in /proc/PID/status, in kB, or -1. */
static long vm_peak_now(pid_t pid)
{
	char path[64], line[256];
	long kb = -1, v;
	FILE *f;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if ((sscanf(line, "VmHWM: %ld kB", &v) == 1 || sscanf(line, "VmRSS: %ld kB", &v) == 1) && v > kb)
			kb = v;
	fclose(f);
	return kb;
}

int main(int argc, char **argv)
{
	long kb = -1, now;
	int status, execd = 0;
	pid_t pid;

	if (argc < 3) {
		fprintf(stderr, "usage: peakrss FILE CMD [ARG...]\n");
		return 125;
	}
	pid = fork();
	if (pid < 0) {
		perror("peakrss: fork");
		return 125;
	}
	if (pid == 0) {
		/* Stopped until the tracer has set its options; then the filter
		 * (inherited across exec) and CMD. */
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0 || raise(SIGSTOP) != 0) {
			perror("peakrss: PTRACE_TRACEME");
			_exit(125);
		}
		if (trace_rss_drops() < 0) {
			perror("peakrss: seccomp");
			_exit(125);
		}
		execvp(argv[2], argv + 2);
		fprintf(stderr, "peakrss: %s: %s\n", argv[2], strerror(errno));
		_exit(125);
	}
	if (wait_for(pid, &status) < 0 || !WIFSTOPPED(status) ||
	    ptrace(PTRACE_SETOPTIONS, pid, NULL, (void *)(long)(PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL |
								  PTRACE_O_TRACESECCOMP | PTRACE_O_TRACEEXEC)) < 0) {
		perror("peakrss: cannot trace");
		kill(pid, SIGKILL);
		return 125;
	}
	ptrace(PTRACE_CONT, pid, NULL, NULL);
	for (;;) {
		int sig = 0, event;
		if (wait_for(pid, &status) < 0) {
			perror("peakrss: waitpid");
			return 125;
		}
		if (WIFEXITED(status) || WIFSIGNALED(status))
			break;
		if (!WIFSTOPPED(status))
			continue;
		event = status >> 16;
		if (event == PTRACE_EVENT_EXEC) {
			execd = 1;
		} else if (event == PTRACE_EVENT_SECCOMP || event == PTRACE_EVENT_EXIT) {
			/* Before RSS can drop, and in exit before the memory goes. */
			if (execd && (now = vm_peak_now(pid)) > kb)
				kb = now;
		} else if (WSTOPSIG(status) != SIGTRAP) {
			sig = WSTOPSIG(status);      /* a signal for CMD: deliver it */
		}
		ptrace(PTRACE_CONT, pid, NULL, (void *)(long)sig);
	}
	if (!execd || kb < 0) {
		fprintf(stderr, "peakrss: %s: not measured\n", argv[2]);
		return 125;
	}
	{
		FILE *f = fopen(argv[1], "w");
		if (!f || fprintf(f, "%ld\n", kb) < 0 || fclose(f) != 0) {
			perror(argv[1]);
			return 125;
		}
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
