/* svc_doc.c - the table of svc.c in words: the names of its rows, columns
 * and actions, and what each action does.
 *
 * For docs/supervisor.md only: tests/house/svc_table.c prints the table from
 * svc_cell() and these words, and `make docs-check` fails when the doc says
 * otherwise. Nothing in PID 1 calls these, so the linker drops them (and
 * their strings) from build/vminit.
 */
#include "svc.h"

static const char *const sub_names[SVC_SUB_N] = {
	[SVC_SUB_INACTIVE] = "inactive",   [SVC_SUB_WAITING] = "waiting",
	[SVC_SUB_HOOK] = "hook",           [SVC_SUB_HOOK_KILL] = "hook-kill",
	[SVC_SUB_RUN] = "run",             [SVC_SUB_FAIL_TERM] = "fail-term",
	[SVC_SUB_FAIL_KILL] = "fail-kill", [SVC_SUB_BACKOFF] = "backoff",
	[SVC_SUB_DEFERRED] = "deferred",   [SVC_SUB_STOP_TERM] = "stop-term",
	[SVC_SUB_STOP_KILL] = "stop-kill", [SVC_SUB_EXITED] = "exited",
	[SVC_SUB_FAILED] = "failed",
};

static const char *const input_names[SVC_IN_N] = {
	[SVC_IN_UP] = "want up",        [SVC_IN_DOWN] = "want down",
	[SVC_IN_WAIT] = "wait",         [SVC_IN_EXIT_OK] = "exit 0",
	[SVC_IN_EXIT_FAIL] = "exit ≠ 0", [SVC_IN_TIMER] = "timer",
	[SVC_IN_FAIL] = "fail",
};

static const struct { const char *name, *doc; } acts[SVC_ACT_N] = {
	[SVC_ACT_NONE] = { "·", "nothing happens" },
	[SVC_ACT_START] = { "start", "reset the failure count; start¹" },
	[SVC_ACT_RESTART] = { "restart", "cancel the delay; start¹, counted as a restart" },
	[SVC_ACT_RETRY] = { "retry", "cancel the delay; the deferred start again, from its "
		"first phase, counted as nothing (not a failure, not a restart)" },
	[SVC_ACT_WAIT] = { "wait", "→ waiting: the first start waits for `x-depends_on` "
		"(supervisor.c sends want up when the conditions hold)" },
	[SVC_ACT_UNWAIT] = { "unwait", "→ inactive: it no longer waits" },
	[SVC_ACT_STOP] = { "stop", "SIGTERM (and SIGCONT) to its group, the stop timeout "
		"→ stop-term" },
	[SVC_ACT_NEXT] = { "next", "the next hook → hook, or the main process → run" },
	[SVC_ACT_HOOK_FAILED] = { "hook failed", "report it; end the run², a failure" },
	[SVC_ACT_HOOK_TIMEOUT] = { "kill hook", "report the timeout; SIGKILL to the hook's "
		"group → hook-kill" },
	[SVC_ACT_HOOK_KILLED] = { "hook killed", "end the run², a failure, whatever the "
		"status (the timeout was the report)" },
	[SVC_ACT_EXIT_OK] = { "end ok", "end the run², a success" },
	[SVC_ACT_EXIT_FAIL] = { "end failed", "end the run², a failure (after fail, even "
		"an exit 0)" },
	[SVC_ACT_FAIL] = { "fail", "SIGTERM (and SIGCONT) to its group, the stop timeout "
		"→ fail-term" },
	[SVC_ACT_STOP_KILL] = { "kill", "SIGKILL to its group → stop-kill" },
	[SVC_ACT_FAIL_KILL] = { "kill run", "SIGKILL to its group → fail-kill" },
	[SVC_ACT_STOPPED] = { "stopped", "record the status (not a run's end: nothing is "
		"counted); start¹ if the want is up, else → exited" },
	[SVC_ACT_CANCEL] = { "cancel", "cancel the delay → exited" },
};

const char *svc_sub_name(enum svc_sub sub)
{
	return sub_names[sub];
}

const char *svc_input_name(enum svc_input in)
{
	return input_names[in];
}

const char *svc_act_name(enum svc_act a)
{
	return acts[a].name;
}

const char *svc_act_doc(enum svc_act a)
{
	return acts[a].doc;
}
