#!/usr/bin/env bash
# mutants.sh [NAME...] - prove the PID 1 behaviour tests can fail.
#
# Each mutant switches one feature off in a copy of the tree (a literal text
# replacement in one source file), builds that vminit, and runs the behaviour
# test that covers the feature against it. The test must FAIL; a mutant that
# survives means the test does not really check its feature.
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=$ROOT/build/mutants

# name :: test :: file :: text to find :: replacement
MUTANTS=(
"no-reaping :: t-orphan-storm :: init/reap.c :: pid_t pid = waitpid(-1, &st, WNOHANG | WUNTRACED | WCONTINUED); :: pid_t pid = 0; (void)st;"
"storm-hold-kept :: t-orphan-storm :: init/reap.c :: } else if (vm->chld_held) { :: } else if (0) {"
"pid1-not-niced :: t-nice :: resources/kill.c :: if (setpriority(PRIO_PROCESS, 0, RSC_PID1_NICE) < 0) { :: if (0) {"
"child-keeps-pid1-nice :: t-nice :: supervisor/spawn.c :: if (spawn_nice != SPAWN_NICE_KEPT) :: if (0)"
"exit-status-no-128 :: t-exit-codes :: supervisor/svc.c :: return 128 + WTERMSIG(wstatus); :: return WTERMSIG(wstatus);"
"reap-no-owner :: t-exit-codes :: init/reap.c :: owned = children_find(pid); :: owned = NULL;"
"no-work-done-shutdown :: t-exit-codes :: init/wire.c :: shutdown_begin(vm, \"every process has exited and none will restart\"); :: (void)0;"
"stop-before-start-done :: t-channel-push :: init/shutdown.c :: 	wire_start_done(vm);
	/* Words :: 	/* Words"
"image-fifo-opened :: t-image-files :: supervisor/user.c :: fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY); :: fd = open(path, O_RDONLY | O_CLOEXEC);"
"no-backoff-doubling :: t-restart :: supervisor/svc.c :: d = d > UINT64_MAX / 2 ? UINT64_MAX : d * 2; :: d = d;"
"no-retry-limit :: t-restart :: supervisor/svc.c :: if (s->failures > (unsigned)s->pol.max_retries) { :: if (s->failures > 1000u) {"
"no-backoff-reset :: t-restart :: supervisor/svc.c :: s->failures = 0;
	switch :: (void)0;
	switch"
"no-prestart-timeout :: t-prestart :: supervisor/svc.c :: s->ops->timer_arm(s, s->pol.hook_timeout_ns[s->phase]); :: (void)0;"
"prestart-failure-ignored :: t-prestart :: supervisor/svc.c :: [SVC_IN_EXIT_FAIL] = SVC_ACT_HOOK_FAILED :: [SVC_IN_EXIT_FAIL] = SVC_ACT_NEXT"
"kill-pid-not-group :: t-shutdown :: supervisor/supervisor.c :: if (!(grouped = kill(-pid, sig) == 0) && errno == ESRCH) :: if (!(grouped = 0))"
"no-shutdown-kill :: t-shutdown :: init/shutdown.c :: static void kill_everything_left(const struct vm *vm)
{
	kill_rest(vm, SIGKILL);
} :: static void kill_everything_left(const struct vm *vm)
{
	(void)vm;
}"
"no-stop-timeout-kill :: t-shutdown :: supervisor/svc.c :: enter(s, SVC_SUB_STOP_KILL);
	s->ops->signal(s, s->pid, SIGKILL);
	s->ops->event(s, SVC_EV_STOP_TIMEOUT, 0); :: enter(s, SVC_SUB_STOP_KILL);
	s->ops->event(s, SVC_EV_STOP_TIMEOUT, 0);"
"spec-errors-halt :: t-spec-errors :: init/wire.c :: report_spec_errors(vm);
		if (vm->ctl)
			setup_ctl(vm);
		return 0; :: report_spec_errors(vm);
		return -1;"
"sigint-ignored :: t-signals :: init/signals.c :: shutdown_begin(vm, vm->pid1 ? \"SIGINT (Ctrl-Alt-Del)\" : \"SIGINT\"); :: (void)0;"
"no-fatal-handler :: t-signals :: init/signals.c :: sigaction(fatal_signals[i], &sa, NULL); :: (void)0;"
"halt-ignored :: t-signals :: init/halt.c :: reboot(how == SPEC_HALT_REBOOT ? RB_AUTOBOOT : RB_POWER_OFF); :: reboot(RB_POWER_OFF);"
"namespace-halt-as-vm :: t-shutdown :: init/halt.c :: return reboot(RB_DISABLE_CAD) == 0; :: return 1;"
"shutdown-line-before-signals :: t-shutdown :: init/shutdown.c :: 	vm->sd_signalling = 1;
	vm->sd_why = why; :: 	log_info(\"shutting down: %s\", why);
	vm->sd_signalling = 1;
	vm->sd_why = why;"
"no-rate-limit :: t-flood :: supervisor/output.c :: if (r->tokens_milli < 1000 || r->bytes_milli < cost) { :: if (0) {"
"no-drain-while-over :: t-flood :: supervisor/output.c :: if (read_some(o, OUTPUT_READ_BUDGET, 1) && o->last_words) :: if (o->rate->pending_drops == 0 && read_some(o, OUTPUT_READ_BUDGET, 1) && o->last_words)"
"no-user-switch :: t-process-setup :: supervisor/spawn.c :: if (r->user)
		switch_user(r, &envp); :: if (0)
		switch_user(r, &envp);"
"stdin-inherited :: t-process-setup :: supervisor/spawn.c :: if (null < 0 || (null != 0 && dup2(null, 0) < 0)) { :: if (null < 0) {"
"no-fd-close :: t-process-setup :: supervisor/spawn.c :: if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) == 0 ||
	    syscall(SYS_close_range, 3U, ~0U, 0U) == 0)
		return; :: return;"
"signals-not-reset :: t-process-setup :: supervisor/spawn.c :: 	spawn_reset_signals();
	cg_err = :: 	cg_err ="
"reserved-signals-not-reset :: t-process-setup :: supervisor/spawn.c :: syscall(SYS_rt_sigaction, sig, &ksa, NULL, sizeof(ksa.mask)); :: (void)ksa;"
"pid1-ignored-not-reset :: t-process-setup :: init/signals.c :: 		if (ign & (1ULL << (handled_signals[i] - 1))) :: 		if (0 && ign & (1ULL << (handled_signals[i] - 1)))"
"ignored-signals-not-noted :: t-process-setup :: supervisor/spawn.c :: spawn_changed_signals = ign & ~dfl; :: spawn_changed_signals = 0;"
"wrap-status-lost :: t-wrap :: init/vminit.c :: _exit(wrap_status(&vm)); :: _exit(0);"
"wrap-signals-not-passed :: t-wrap :: init/signals.c :: sup_signal(vm->sup, 0, sig); :: (void)0;"
"wrap-console-on-stdout :: t-wrap :: init/vminit.c :: console_init(vm.wrap ? 2 : 1); :: console_init(1);"
"wrap-stdin-not-passed :: t-wrap :: supervisor/spawn.c :: int null = r->stdin_inherit ? 0 : open( :: int null = open("
"wrap-new-session :: t-wrap :: supervisor/spawn.c :: setpgid(0, 0);
		ioctl(0, TIOCSPGRP, &self); :: setsid();
		(void)self;"
"no-own-home :: t-process-setup :: supervisor/spawn.c :: user_home(r->root, getuid(), home, sizeof(home)); :: snprintf(home, sizeof(home), \"/\");"
"group-outlives-process :: t-restart :: supervisor/supervisor.c :: 	const struct sup_hooks *h = &p->sup->hooks;
	kill(-pid, SIGKILL); :: 	const struct sup_hooks *h = &p->sup->hooks;
	(void)pid;"
"no-double-signal-tolerance :: t-shutdown :: init/shutdown.c :: if (loop_now() - vm->sd_started < ESCALATE_AFTER_NS) { :: if (0) {"
"no-escalation :: t-shutdown :: init/shutdown.c :: 		shutdown_kill(vm, why);
		shutdown_progress(vm);
		return; :: 		return;"
"ignored-signals-unlimited :: t-signals :: init/signals.c :: if (n->last_ns && now - n->last_ns < LOOP_NS_PER_SEC) { :: if (n->last_ns && 0) {"
"no-mounts :: t-bare-root :: init/boot.c :: if (mount(m->src, m->target, m->type, m->flags, m->data) < 0) :: if (0)"
"no-hostname :: t-bare-root :: init/wire.c :: if (vm->pid1 && !vm->wrap && boot_set_hostname(vm->spec->guest.hostname) < 0) :: if (0)"
"no-loopback :: t-bare-root :: init/vminit.c :: if (boot_loopback_up() < 0) :: if (0)"
"periodic-wakeup :: t-bare-root :: base/loop.c :: if (l->nheap == 0)
		return -1; :: if (l->nheap == 0)
		return (int64_t)LOOP_NS_PER_SEC;"
"no-subreaper :: t-run-mode :: init/vminit.c :: if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) :: if (0)"
"no-held :: t-channel :: init/wire.c :: && !sup_any_held(vm->sup) :: "
"no-exec-timeout :: t-channel :: supervisor/exec.c :: if (loop_timer_in(l, &j->timer, r->timeout_ns) < 0 || :: if (0 ||"
"no-log-ring :: t-channel :: supervisor/output.c :: if (o->tap) :: if (0)"
"no-push-retry :: t-channel-push :: control/push.c :: loop_timer_in(ctl->vm.loop, &c->timer, ctl->push_backoff); :: (void)0;"
"no-final-event :: t-channel-push :: init/shutdown.c :: 		ctl_event_final(vm->ctl); :: 		(void)0;"
"no-channel-flush :: t-channel-push :: init/vminit.c :: 		wire_run_once(vm);
	wire_flush_channel(vm); :: 		wire_run_once(vm);"
"ipv6-with-dad :: t-network :: network/apply.c :: a.family == AF_INET6 ? IFA_F_NODAD : 0 :: 0"
"network-not-required :: t-network :: init/wire.c :: r = net_ready(vm->net, why, len); :: r = 0;"
"no-bind-over-readonly :: t-network :: network/place.c :: 	if (errno != EROFS) { :: 	if (1) {"
"no-late-link-retry :: t-network :: network/apply.c :: 		} else if (k == -2 || last) { :: 		} else if (k == -2 || last || 1) {"
"no-push-ready :: t-channel-push :: control/push.c :: 	ctl_out_append(c, w.buf, w.len, 1);   /* small: past the budget */ :: "
"no-volume-view :: t-volumes :: supervisor/spawn.c :: 	if (r->vol_dir || r->secrets_dir)
		enter_view(r); :: 	(void)enter_view;"
"no-read-only-mount :: t-volumes :: supervisor/spawn.c :: if (m->read_only && mount(NULL, :: if (0 && mount(NULL,"
"no-hidden-volumes :: t-volumes :: supervisor/spawn.c :: if (r->hide && umount2( :: if (0 && umount2("
"no-volume-gate :: t-volumes :: supervisor/supervisor.c :: if (first_unmet(s, i) < 0 && !held_back(s, i)) :: if (first_unmet(s, i) < 0)"
"no-late-device :: t-volumes :: storage/volume.c :: 	if (pending)
		loop_timer_in(st->loop, &st->timer, STORAGE_POLL_NS); :: 	(void)pending;"
"no-root-switch :: t-root :: storage/root.c :: 	if (s->root.dev.kind == SPEC_LOC_NONE)
		return 0; :: 	return 0;"
"no-fs-check :: t-root :: storage/root.c :: 	if (probe_matches(p, want))
		return 0; :: 	return 0;"
"no-strict-path-check :: t-root :: storage/volume.c :: return worst ? worst : paths_ready(p, why, len); :: return worst ? worst : (0 && paths_ready(p, why, len));"
"no-secrets-gate :: t-secrets :: init/wire.c :: 	if (si.delivered)
		return 0; :: 	return 0;"
"no-late-secrets :: t-secrets-root :: init/wire.c :: 	make_secrets(vm);
	if (vm->rs && :: 	if (vm->rs &&"
"no-secrets-copy :: t-secrets :: supervisor/spawn.c :: if (r->secrets_dir && mount(r->secrets_dir, :: if (0 && mount(r->secrets_dir,"
"no-wipe-strings :: t-secrets :: control/conn.c :: 		explicit_bzero(req->strbuf, sizeof(req->strbuf)); :: 		(void)0;"
"no-conn-limit :: t-channel-clients :: control/evict.c :: int ctl_admit(struct ctl_server *ctl, int host)
{ :: int ctl_admit(struct ctl_server *ctl, int host)
{
	return 1;"
"no-eviction :: t-channel-clients :: control/evict.c :: if (t == TIER_KEEP || (c->host && !any)) :: if (1 || (c->host && !any))"
"no-host-reserve :: t-channel-clients :: control/evict.c :: ctl->nlocal < CTL_MAX_CONNS - CTL_HOST_RESERVED :: ctl->nlocal < CTL_MAX_CONNS"
"stalled-not-first :: t-channel-clients :: control/evict.c :: *ret_since = c->last_in;      /* half a request */
		return TIER_STALLED; :: *ret_since = c->last_in;
		return TIER_IDLE;"
"no-output-eviction :: t-channel-clients :: control/conn.c :: if (ctl_pending(c) + w->len <= CTL_OUT_MAX && ctl_evict_for_output(c)) :: if (0 && ctl_evict_for_output(c))"
"no-spec-error-events :: t-spec-errors :: control/events.c :: enc_ev_spec_error(ev_open(ctl), spec->path, spec->errors[i]); :: continue;"
"redirect-fails :: t-health :: health/http.c :: h->status <= 399 ? :: h->status <= 299 ?"
"no-ipv6-fallback :: t-health :: health/probe.c :: if (p->family == AF_INET && err == ECONNREFUSED) { :: if (0) {"
"no-health-transitions :: t-health :: health/health.c :: 	if (hc_track_result(&c->track, &c->th, pass, now))
		changed(c); :: 	hc_track_result(&c->track, &c->th, pass, now);"
"no-liveness-action :: t-health-actions :: health/health.c :: if (c->role == HC_LIVENESS && st == HC_UNHEALTHY) { :: if (0) {"
"no-startup-timeout :: t-health-actions :: health/health.c :: loop_timer_in(s->loop, &p->startup, NS(s->spec->procs[i].startup_timeout)); :: (void)0;"
"no-dependencies :: t-health-actions :: supervisor/supervisor.c :: if (!dep_met(s, &sp->deps[j])) :: if (0 && !dep_met(s, &sp->deps[j]))"
"no-defer :: t-fork-deferred :: supervisor/svc.c :: if (err == EAGAIN || err == ENOMEM) { :: if (0) {"
"no-restart-floor :: t-crash-loop :: supervisor/svc.c :: if (ran + d < SVC_RESTART_FLOOR_NS) :: if (0)"
"no-job-control :: t-stopped :: supervisor/svc.c :: 	s->stopped_sig = sig;
	s->ops->event :: 	s->ops->event"
"no-sigcont-on-stop :: t-stopped :: supervisor/supervisor.c :: if (sig == SIGTERM && !(cont = kill(-pid, SIGCONT) == 0) && errno == ESRCH) :: if (0)"
"no-sigcont-sweep :: t-stopped :: init/shutdown.c :: kill_rest(vm, SIGCONT); :: (void)0;"
"console-budget-on-host-stream :: t-logs-flood :: supervisor/output.c :: 	if (o->tap)
		o->tap(o->tap_ctx, o->stream, line, len, o->plain); :: 	if (o->tap && o->rate->tokens_milli >= 1000)
		o->tap(o->tap_ctx, o->stream, line, len, o->plain);"
"no-log-flow-control :: t-logs-flood :: supervisor/output.c :: if (output_room_ok(*bytes, *lines)) :: if (1)"
"no-log-hold-limit :: t-logs-flood :: control/stream.c :: if (now >= until)
				continue; :: if (now == 0)
				continue;"
"no-cgroup-join :: t-cgroup :: supervisor/spawn.c :: 	if (!r->cgroup)
		return 0; :: 	if (r)
		return 0;"
"no-cgroup-stop :: t-cgroup :: supervisor/supervisor.c :: 		h->cg_signal(h->ctx, i, sig, grouped ? pid : 0); :: 		(void)0;"
"cgroup-signal-twice :: t-cgroup :: supervisor/supervisor.c :: 		h->cg_signal(h->ctx, i, sig, grouped ? pid : 0); :: 		h->cg_signal(h->ctx, i, sig, 0);"
"cgroup-skip-ignored :: t-cgroup :: resources/kill.c :: pid == k->self || (k->skip > 0 && getpgid(pid) == k->skip)) :: pid == k->self)"
"run-leftovers-live :: t-cgroup :: supervisor/supervisor.c :: 	if (h->cg_signal)
		h->cg_signal(h->ctx, (size_t)(p - p->sup->procs), SIGKILL, 0); :: 	(void)h;"
"no-cap-bound :: t-caps :: supervisor/spawn.c :: 	if (r->bound)
		apply_privileges(r); :: 	if (0)
		apply_privileges(r);"
"kernel-knobs-writable :: t-caps :: supervisor/spawn.c :: static int guard_knobs(int bind_sys, const char **ret_path)
{ :: static int guard_knobs(int bind_sys, const char **ret_path)
{
	(void)bind_sys; (void)ret_path;
	return 0;"
"operator-knobs-guarded :: t-caps :: supervisor/spawn.c :: 	else
		unguard_kernel(); :: 	else
		(void)unguard_kernel;"
"log-plain-unchecked :: t-channel :: supervisor/output.c :: *plain = i == n || p[i] == '\\n'; :: *plain = 1;"
"nul-raw :: t-output-drops :: base/console.c :: const char *z = memchr(p, '\\0', n); :: const char *z = NULL;"
"status-fd-kept-past-reap :: t-status-proc :: control/status.c :: if (i < ctl->npstat && ctl->pstat[i].fd >= 0 && :: if (0 && i < ctl->npstat && ctl->pstat[i].fd >= 0 &&"
"log-room-caught-up-unbounded :: t-logs-flood :: control/stream.c :: if (!any) :: if (keep == ring_next(&ctl->logs))"
"console-budget-lines-only :: t-output-drops :: supervisor/output.c :: if (r->tokens_milli < 1000 || r->bytes_milli < cost) { :: if (r->tokens_milli < 1000) {"
"spill-dropped :: t-logs-flood :: supervisor/output.c :: o->spill_len = n - used; :: o->spill_len = 0;"
"spill-not-resumed :: t-logs-flood :: supervisor/output.c :: loop_timer_in(o->loop, &o->spill_timer, 0); :: (void)0;"
"feed-limit-ignored :: t-logs-flood :: supervisor/output.c :: used = output_feed_max(o, p, n, lines, emit_line); :: used = output_feed_max(o, p, n, lines | SIZE_MAX, emit_line);"
"status-figures-never-reread :: t-status-proc :: control/status.c :: if (!ps->read_at || now - ps->read_at >= CTL_PSTAT_AGE_NS) { :: if (!ps->read_at) {"
)

want=("$@")
survived=0 killed=0
mkdir -p "$WORK"
make -s all helpers >/dev/null || exit 1
for m in "${MUTANTS[@]}"; do
	name=${m%% :: *}; m=${m#* :: }
	test=${m%% :: *}; m=${m#* :: }
	file=${m%% :: *}; m=${m#* :: }
	find=${m%% :: *}; repl=${m#* :: }
	if [ ${#want[@]} -gt 0 ] && [[ ! " ${want[*]} " == *" $name "* ]]; then continue; fi
	dir=$WORK/$name
	rm -rf "$dir"
	mkdir -p "$dir"
	# Sources with their times, then the unmutated objects with theirs: make
	# rebuilds only the mutated file (and links).
	git ls-files -z | xargs -0 cp -p --parents -t "$dir"
	mkdir -p "$dir/build" && cp -a "$ROOT/build/musl" "$ROOT/build/include" "$dir/build/"
	if ! FIND="$find" REPL="$repl" perl -0pi -e '$n = s/\Q$ENV{FIND}\E/$ENV{REPL}/; $n or die "mutant text not found\n"' "$dir/$file"; then
		echo "BROKEN $name: text not found in $file"; survived=$((survived + 1)); continue
	fi
	if ! make -s -C "$dir" all >"$dir/build.log" 2>&1; then
		echo "BROKEN $name: does not build (see $dir/build.log)"; survived=$((survived + 1)); continue
	fi
	if VMINIT=$dir/build/vminit VMINITCTL=$dir/build/vminitctl tests/pid1/run.sh "$test.sh" >"$dir/test.log" 2>&1; then
		echo "SURVIVED $name: $test still passes with the feature off"; survived=$((survived + 1))
	else
		echo "killed $name: $test fails ($(grep -m1 'FAIL:' "$dir/test.log" | sed 's/^ *FAIL: //'))"
		killed=$((killed + 1))
	fi
	# A mutant may ignore what the test sends to end it (sigint-ignored):
	# its namespace's init goes here, and with it the whole namespace.
	if pkill -KILL -f "$dir/build/vminit" 2>/dev/null; then
		echo "  (a vminit of $name outlived its test: killed)"
	fi
done
echo "mutants: $killed killed, $survived survived"
[ "$survived" -eq 0 ]
