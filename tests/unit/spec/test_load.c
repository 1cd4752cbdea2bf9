/* test_load.c - loading a spec (spec/load.c): every default, the model a
 * valid spec fills in, loading from a file, and the helpers spec.h shares
 * (spec_parse_size, spec_path_is_under). */
#include "tests/unit/spec/spec_test.h"

/* ==== defaults ==== */

Test(defaults, minimal_spec)
{
	struct spec *s = load_ok(BASE);
	const struct spec_process *p;

	cr_assert_eq(s->nprocs, 1);
	p = proc(s, "web");
	cr_assert_str_eq(s->pull_policy, "if_not_present");
	cr_assert_null(s->image_ref);
	cr_assert_null(s->app_name);
	cr_assert_null(s->app_description);
	cr_assert_eq(s->env.prestart_timeout, 30);
	cr_assert_eq(s->env.vars.set, 0);
	cr_assert_eq(s->env.prestart.set, 0);
	cr_assert_null(s->env.workdir);
	cr_assert_null(s->env.user);

	cr_assert_eq(p->line, 2);
	cr_assert_eq(p->prestart_timeout, 30);
	cr_assert_eq(p->restart, SPEC_RESTART_ALWAYS);
	cr_assert_eq(p->max_retries, 3);
	cr_assert_eq(p->backoff, 2);
	cr_assert_str_eq(p->memory, "64Mi");
	cr_assert_eq(p->memory_bytes, 64ull << 20);
	cr_assert_float_eq(p->cpu, 1.0, 1e-12);
	cr_assert_str_eq(p->disk, "4Gi");
	cr_assert_eq(p->disk_bytes, 4ull << 30);
	cr_assert_eq(p->scale_min, 1, "exactly one process: min defaults to 1");
	cr_assert_eq(p->scale_max, 1, "max defaults to min");
	cr_assert_eq(p->nports, 0);
	cr_assert_eq(p->health.present, 0);
	cr_assert_eq(p->nmounts, 0);
	cr_assert_eq(p->secrets_required, 0);
	cr_assert_null(p->workdir);
	cr_assert_null(p->user);
	cr_assert_eq(p->vars.set, 0);

	cr_assert_eq(s->nvols, 0);
	cr_assert_str_eq(s->guest.hostname, "vminit");
	cr_assert_eq(s->guest.halt, SPEC_HALT_POWEROFF);
	cr_assert_eq(s->guest.stop_timeout, 10);
	cr_assert_eq(s->guest.backoff_max, 300);
	cr_assert_eq(s->guest.reset_after, 60);
	cr_assert_eq(s->image.entrypoint.set, 0);
	cr_assert_eq(s->image.cmd.set, 0);
	spec_free(s);
}

Test(defaults, scaling_min_is_zero_with_two_processes)
{
	struct spec *s = load_ok(BASE
		"[processes.worker]\n"
		"command = [\"/bin/worker\"]\n"
		"resources.memory = \"64Mi\"\n");
	cr_assert_eq(s->nprocs, 2);
	for (size_t i = 0; i < 2; i++) {
		cr_assert_eq(s->procs[i].scale_min, 0, "%s", s->procs[i].name);
		cr_assert_eq(s->procs[i].scale_max, 0, "%s", s->procs[i].name);
	}
	spec_free(s);
}

Test(defaults, scaling_max_follows_given_min)
{
	struct spec *s = load_ok(BASE "scaling.min = 3\n");
	cr_assert_eq(proc(s, "web")->scale_min, 3);
	cr_assert_eq(proc(s, "web")->scale_max, 3);
	spec_free(s);
}

Test(defaults, env_prestart_timeout_with_env_section)
{
	struct spec *s = load_ok(BASE "[env]\nworkdir = \"/srv\"\n");
	cr_assert_eq(s->env.prestart_timeout, 30);
	cr_assert_str_eq(s->env.workdir, "/srv");
	spec_free(s);
}

Test(defaults, max_retries_with_on_failure)
{
	struct spec *s = load_ok(BASE "restart.policy = \"on-failure\"\n");
	cr_assert_eq(proc(s, "web")->restart, SPEC_RESTART_ON_FAILURE);
	cr_assert_eq(proc(s, "web")->max_retries, 3);
	cr_assert_eq(proc(s, "web")->backoff, 2);
	spec_free(s);
}

Test(defaults, port_name_derived_and_protocol_tcp)
{
	struct spec *s = load_ok(BASE
		"ports.0.internal = 8080\n"
		"ports.1.name = \"admin\"\n"
		"ports.1.internal = 9000\n");
	const struct spec_process *p = proc(s, "web");
	cr_assert_eq(p->nports, 2);
	cr_assert_str_eq(p->ports[0].name, "p8080");
	cr_assert_eq(p->ports[0].name_derived, 1);
	cr_assert_eq(p->ports[0].internal, 8080);
	cr_assert_str_eq(p->ports[0].protocol, "tcp");
	cr_assert_str_eq(p->ports[1].name, "admin");
	cr_assert_eq(p->ports[1].name_derived, 0);
	cr_assert_str_eq(p->ports[1].protocol, "tcp");
	spec_free(s);
}

Test(defaults, health)
{
	struct spec *s = load_ok(BASE
		"ports.0.internal = 8080\n"
		"health.port = 8080\n");
	const struct spec_health *h = &proc(s, "web")->health;
	cr_assert_eq(h->present, 1);
	cr_assert_eq(h->type, SPEC_HEALTH_TCP);
	cr_assert_eq(h->port, 8080);
	cr_assert_null(h->port_name);
	cr_assert_null(h->path);
	cr_assert_eq(h->interval, 10);
	cr_assert_eq(h->timeout, 2);
	cr_assert_eq(h->grace, 10);
	cr_assert_eq(h->success_threshold, 1);
	cr_assert_eq(h->failure_threshold, 3);
	spec_free(s);
}

Test(defaults, mounts_and_volumes)
{
	struct spec *s = load_ok(BASE
		"mounts.0.volume = \"data\"\n"
		"mounts.0.path = \"/data\"\n"
		"[volumes.0]\n"
		"name = \"data\"\n"
		"size = \"1Gi\"\n");
	const struct spec_process *p = proc(s, "web");
	cr_assert_eq(p->nmounts, 1);
	cr_assert_str_eq(p->mounts[0].volume, "data");
	cr_assert_str_eq(p->mounts[0].path, "/data");
	cr_assert_eq(p->mounts[0].read_only, 0);
	cr_assert_eq(s->nvols, 1);
	cr_assert_str_eq(s->vols[0].name, "data");
	cr_assert_eq(s->vols[0].size_bytes, 1ull << 30);
	cr_assert_str_eq(s->vols[0].filesystem, "ext4");
	cr_assert_eq(s->vols[0].backup_enabled, 1);
	cr_assert_eq(s->vols[0].dev.kind, SPEC_LOC_NONE);
	cr_assert_null(s->vols[0].dev.text);
	spec_free(s);
}

/* Every field given explicitly lands in the model (the defaults above are
 * really defaults, not constants). */
Test(defaults, explicit_values_override)
{
	struct spec *s = load_ok(
		"schema_version = \"v1\"\n"
		"[image]\n"
		"pull_policy = \"always\"\n"
		"[env]\n"
		"prestart_timeout_seconds = 5\n"
		"[processes.web]\n"
		"command = [\"/bin/app\"]\n"
		"prestart_timeout_seconds = 7\n"
		"restart.policy = \"on-failure\"\n"
		"restart.max_retries = 9\n"
		"restart.backoff_seconds = 4\n"
		"resources.memory = \"2Gi\"\n"
		"resources.cpu = 0.5\n"
		"resources.disk = \"10Gi\"\n"
		"scaling.min = 2\n"
		"scaling.max = 5\n"
		"secrets.required = true\n"
		"ports.0.internal = 80\n"
		"health.type = \"http\"\n"
		"health.port = \"p80\"\n"
		"health.path = \"/healthz\"\n"
		"health.interval_seconds = 11\n"
		"health.timeout_seconds = 3\n"
		"health.grace_period_seconds = 0\n"
		"health.success_threshold = 2\n"
		"health.failure_threshold = 5\n"
		"mounts.0.volume = \"data\"\n"
		"mounts.0.path = \"/data\"\n"
		"mounts.0.read_only = true\n"
		"[volumes.0]\n"
		"name = \"data\"\n"
		"size = \"20Gi\"\n"
		"filesystem = \"ext4\"\n"
		"backup_enabled = false\n"
		"[guest]\n"
		"hostname = \"box-1.local\"\n"
		"halt = \"reboot\"\n"
		"stop_timeout_seconds = 20\n"
		"restart_backoff_max_seconds = 60\n"
		"restart_reset_seconds = 120\n"
		"[guest.volumes.data]\n"
		"device = \"/dev/vdb\"\n");
	const struct spec_process *p = proc(s, "web");
	cr_assert_str_eq(s->pull_policy, "always");
	cr_assert_eq(s->env.prestart_timeout, 5);
	cr_assert_eq(p->prestart_timeout, 7);
	cr_assert_eq(p->restart, SPEC_RESTART_ON_FAILURE);
	cr_assert_eq(p->max_retries, 9);
	cr_assert_eq(p->backoff, 4);
	cr_assert_eq(p->memory_bytes, 2ull << 30);
	cr_assert_float_eq(p->cpu, 0.5, 1e-12);
	cr_assert_eq(p->disk_bytes, 10ull << 30);
	cr_assert_eq(p->scale_min, 2);
	cr_assert_eq(p->scale_max, 5);
	cr_assert_eq(p->secrets_required, 1);
	cr_assert_eq(p->health.type, SPEC_HEALTH_HTTP);
	cr_assert_eq(p->health.port, 80);
	cr_assert_str_eq(p->health.port_name, "p80");
	cr_assert_str_eq(p->health.path, "/healthz");
	cr_assert_eq(p->health.interval, 11);
	cr_assert_eq(p->health.timeout, 3);
	cr_assert_eq(p->health.grace, 0);
	cr_assert_eq(p->health.success_threshold, 2);
	cr_assert_eq(p->health.failure_threshold, 5);
	cr_assert_eq(p->mounts[0].read_only, 1);
	cr_assert_eq(s->vols[0].backup_enabled, 0);
	cr_assert_str_eq(s->vols[0].dev.text, "/dev/vdb");
	cr_assert_str_eq(s->guest.hostname, "box-1.local");
	cr_assert_eq(s->guest.halt, SPEC_HALT_REBOOT);
	cr_assert_eq(s->guest.stop_timeout, 20);
	cr_assert_eq(s->guest.backoff_max, 60);
	cr_assert_eq(s->guest.reset_after, 120);
	spec_free(s);
}

/* ==== loading from files, and the shared helpers ==== */

Test(files, load_file)
{
	char path[] = "/tmp/test_spec_XXXXXX", *needle;
	int fd = mkstemp(path);
	struct spec *s;
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, BASE "bogus = 1\n", strlen(BASE "bogus = 1\n")),
		     (ssize_t)strlen(BASE "bogus = 1\n"));
	close(fd);
	s = spec_load_file(path);
	unlink(path);
	cr_assert_not_null(s);
	cr_assert_str_eq(s->path, path);
	needle = fmt("%s:5: processes.web.bogus: unknown key", path);
	cr_assert_eq(s->nerrors, 1, "%s", unit_errors(s));
	cr_assert_str_eq(s->errors[0], needle);
	free(needle);
	spec_free(s);
}

Test(files, missing_file)
{
	struct spec *s = spec_load_file("/nonexistent/vminit.ini");
	cr_assert_not_null(s);
	cr_assert_eq(s->nerrors, 1, "%s", unit_errors(s));
	cr_assert_str_eq(s->errors[0], "/nonexistent/vminit.ini:1: cannot read spec: "
			 "No such file or directory");
	spec_free(s);
}

/* -- spec_parse_size, spec_path_is_under -- */

Test(helpers, parse_size)
{
	uint64_t b = 0;
	cr_assert_eq(spec_parse_size("64Mi", &b), 0);
	cr_assert_eq(b, 64ull << 20);
	cr_assert_eq(spec_parse_size("0Mi", &b), 0);
	cr_assert_eq(b, 0);
	cr_assert_eq(spec_parse_size("3Gi", &b), 0);
	cr_assert_eq(b, 3ull << 30);
	b = 7;
	cr_assert_eq(spec_parse_size("3G", &b), -1);
	cr_assert_eq(spec_parse_size("Gi", &b), -1);
	cr_assert_eq(spec_parse_size("", &b), -1);
	cr_assert_eq(spec_parse_size("3Gi ", &b), -1);
	cr_assert_eq(b, 7, "ret_bytes untouched on failure");
}

Test(helpers, path_is_under)
{
	cr_assert(spec_path_is_under("/proc", "/proc"));
	cr_assert(spec_path_is_under("/proc/1", "/proc"));
	cr_assert(!spec_path_is_under("/procfs", "/proc"));
	cr_assert(!spec_path_is_under("/pro", "/proc"));
	cr_assert(!spec_path_is_under("/data/proc", "/proc"));
}
