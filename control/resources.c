/* resources.c - cgroups as status and events show them (docs/resources.md,
 * docs/protocol.md).
 *
 * Gathers resources/' figures into plain values (channel/encode.h). Every
 * figure is a pread of a file resources/ keeps open: status opens nothing.
 */
#include "ctl_int.h"
#include "resources/resources.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void ctl_set_resources(struct ctl_server *ctl, struct rsc *rs)
{
	ctl->rs = rs;
}

const char *ctl_oom_kind(int kind)
{
	return kind == RSC_OOM_LIMIT ? "limit" : kind == RSC_OOM_VM ? "vm" : "none";
}

void ctl_oom_of(const struct rsc_oom *o, struct enc_oom *ret)
{
	*ret = (struct enc_oom){ .kind = ctl_oom_kind(o->kind), .kills = o->kills,
				 .limit = o->limit, .peak = o->peak };
}

static const char *or_null(const char *s)
{
	return s && s[0] ? s : NULL;
}

/* Long: one assignment per figure. */
int ctl_process_cgroup(const struct ctl_server *ctl, size_t i, struct enc_process *p, struct ctl_cg_bufs *b)
{
	const struct rsc_oom *last;
	struct rsc_stats st;
	if (!ctl->rs)
		return 0;
	last = rsc_last_oom(ctl->rs, i);
	if (last && last->kind != RSC_OOM_NONE) {
		ctl_oom_of(last, &b->oom);
		p->last_oom = &b->oom;
	}
	p->cgroup_error = or_null(rsc_proc_error(ctl->rs, i));
	if (rsc_stats(ctl->rs, i, &st) < 0)
		return 0;
	snprintf(b->path, sizeof(b->path), "%s%sapp/%s", rsc_tree(ctl->rs)->base,
		 strcmp(rsc_tree(ctl->rs)->base, "/") ? "/" : "", ctl_proc_name(ctl, i));
	b->cg = (struct enc_cgroup){
		.path = b->path,
		.memory_current = st.memory_current, .memory_peak = st.memory_peak,
		.memory_max = st.memory_max,
		.cpu_usage_usec = st.cpu_usage_usec, .cpu_user_usec = st.cpu_user_usec,
		.cpu_system_usec = st.cpu_system_usec,
		.tasks = st.tasks, .pids_max = st.pids_max, .cpu_weight = st.cpu_weight,
		.oom_kills = st.oom_kills,
	};
	p->cgroup = &b->cg;
	/* The whole cgroup's, not only the main process's: exact. */
	if (st.memory_current >= 0)
		p->rss_bytes = st.memory_current;
	if (st.cpu_user_usec >= 0)
		p->cpu_user_ms = st.cpu_user_usec / 1000;
	if (st.cpu_system_usec >= 0)
		p->cpu_system_ms = st.cpu_system_usec / 1000;
	return 1;
}

/* PID 1's own oom_score_adj, as the kernel has it now: the file is kept
 * open from the first status, and read again each time (one pread). */
static int64_t self_oom_score_adj(struct ctl_server *ctl)
{
	char buf[16];
	ssize_t n;
	if (ctl->oom_fd < 0)
		ctl->oom_fd = open("/proc/self/oom_score_adj", O_RDONLY | O_CLOEXEC);
	n = ctl->oom_fd >= 0 ? pread(ctl->oom_fd, buf, sizeof(buf) - 1, 0) : -1;
	if (n <= 0)
		return -1001;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

void ctl_write_resources(struct ctl_server *ctl, struct jw *w)
{
	static const char *const names[] = { "memory", "pids", "cpu" };
	const char *ctrls[4] = { 0 };
	struct enc_resources r = { .memory_current = -1, .memory_min = -1, .controllers = ctrls };
	struct rsc_stats st;
	size_t n = 0;
	r.oom_score_adj = ctl->vm.pid1 ? self_oom_score_adj(ctl) : -1001;
	if (ctl->rs) {
		const struct rsc_tree *t = rsc_tree(ctl->rs);
		r.on = t->on;
		r.base = t->on ? t->base : NULL;
		r.error = or_null(t->error);
		for (unsigned k = 0; k < 3; k++)
			if (t->ctrls & (1u << k))
				ctrls[n++] = names[k];
		if (rsc_self_stats(ctl->rs, &st) == 0)
			r.memory_current = st.memory_current;
		r.memory_min = t->reserve ? (int64_t)RSC_RESERVE_BYTES : -1;
	} else {
		r.error = ctl->vm.pid1 ? "no valid spec: no cgroups made" : "not PID 1 (vminit run): no cgroups";
	}
	enc_resources(w, &r);
}
