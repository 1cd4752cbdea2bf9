/* test_spec.c - the guest spec: parser, validator, defaults and canonical form.
 *
 * Covers spec/spec.c, spec/value.c and spec/print.c against manifest
 * schema v1 (shared/seeds/003) plus the guest-only fields. Each validation
 * rule has its own test that checks the whole "t.ini:LINE: key:" prefix of
 * the error, so a wrong line or a wrong key fails as surely as a missing
 * error. Specs are built from string literals: one C line per spec line, so
 * the line numbers can be read off the source.
 */
#include "tests/unit/unit.h"

#include <stdarg.h>
#include <stdint.h>
#include <unistd.h>

/* ---- helpers ---- */

/* A minimal valid spec: four lines, so extra process keys start at line 5. */
#define BASE \
	"schema_version = \"v1\"\n"      /* 1 */ \
	"[processes.web]\n"              /* 2 */ \
	"command = [\"/bin/app\"]\n"     /* 3 */ \
	"resources.memory = \"64Mi\"\n"  /* 4 */

/* Load and require no errors. */
static struct spec *load_ok(const char *text)
{
	struct spec *s = unit_spec(text);
	cr_assert_eq(s->nerrors, 0, "unexpected errors for:\n%s\n--- errors:\n%s", text,
		     unit_errors(s));
	return s;
}

#define assert_error(s, needle) \
	cr_assert(unit_has_error(s, needle), "no error containing '%s'; errors were:\n%s", \
		  needle, unit_errors(s))

/* Load and require an error containing each needle (NULL-terminated). */
static void expect_errors(const char *text, ...)
{
	struct spec *s = unit_spec(text);
	va_list ap;
	const char *needle;
	va_start(ap, text);
	while ((needle = va_arg(ap, const char *)))
		cr_assert(unit_has_error(s, needle), "no error containing '%s' for:\n%s\n"
			  "--- errors:\n%s", needle, text, unit_errors(s));
	va_end(ap);
	spec_free(s);
}
#define expect_error(text, ...) expect_errors(text, __VA_ARGS__, (const char *)NULL)

/* Load and require no error containing needle (the rule's negative side). */
static void expect_no_error(const char *text, const char *needle)
{
	struct spec *s = unit_spec(text);
	cr_assert(!unit_has_error(s, needle), "unexpected error containing '%s' for:\n%s\n"
		  "--- errors:\n%s", needle, text, unit_errors(s));
	spec_free(s);
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
	char *r;
	va_list ap;
	va_start(ap, f);
	cr_assert_geq(vasprintf(&r, f, ap), 0);
	va_end(ap);
	return r;
}

/* n copies of unit (a whole UTF-8 sequence). */
static char *rep(const char *unit, size_t n)
{
	size_t u = strlen(unit);
	char *r = malloc(u * n + 1);
	cr_assert_not_null(r);
	for (size_t i = 0; i < n; i++)
		memcpy(r + i * u, unit, u);
	r[u * n] = '\0';
	return r;
}

static const struct spec_process *proc(const struct spec *s, const char *name)
{
	const struct spec_process *p = spec_find_process(s, name);
	cr_assert_not_null(p, "no process %s", name);
	return p;
}

/* Compare a string vector with an expected NULL-terminated list. */
static void assert_strv(const struct spec_strv *v, const char *const *want)
{
	size_t n = 0;
	while (want[n])
		n++;
	cr_assert_eq(v->n, n, "got %zu elements, want %zu", v->n, n);
	for (size_t i = 0; i < n; i++)
		cr_assert_str_eq(v->v[i], want[i], "element %zu", i);
	cr_assert_null(v->v[n], "vector is not NULL-terminated");
}

/* ==== 1. defaults ==== */

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
	cr_assert_null(s->vols[0].device);
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
	cr_assert_str_eq(s->vols[0].device, "/dev/vdb");
	cr_assert_str_eq(s->guest.hostname, "box-1.local");
	cr_assert_eq(s->guest.halt, SPEC_HALT_REBOOT);
	cr_assert_eq(s->guest.stop_timeout, 20);
	cr_assert_eq(s->guest.backoff_max, 60);
	cr_assert_eq(s->guest.reset_after, 120);
	spec_free(s);
}

/* ==== 2. validation rules ==== */

/* -- schema_version -- */

Test(validate_top, schema_version_missing)
{
	expect_error("[processes.web]\ncommand = [\"/a\"]\nresources.memory = \"64Mi\"\n",
		     "t.ini:1: schema_version: required");
}

Test(validate_top, schema_version_wrong)
{
	expect_error("schema_version = \"v2\"\n[processes.web]\ncommand = [\"/a\"]\n"
		     "resources.memory = \"64Mi\"\n",
		     "t.ini:1: schema_version: \"v2\" is not supported");
}

Test(validate_top, schema_version_not_a_string)
{
	expect_error("\n\nschema_version = 1\n[processes.web]\ncommand = [\"/a\"]\n"
		     "resources.memory = \"64Mi\"\n",
		     "t.ini:3: schema_version: must be a string, not an integer");
}

/* -- unknown keys and sections -- */

Test(validate_top, unknown_top_level_key)
{
	expect_error("schema_version = \"v1\"\nname = \"x\"\n[processes.web]\n"
		     "command = [\"/a\"]\nresources.memory = \"64Mi\"\n",
		     "t.ini:2: name: unknown key");
}

Test(validate_top, unknown_process_key)
{
	expect_error(BASE "restart.polcy = \"always\"\n",
		     "t.ini:5: processes.web.restart.polcy: unknown key");
}

Test(validate_top, unknown_keys_in_every_section)
{
	expect_error(BASE
		"[app]\n"                 /* 5 */
		"title = \"x\"\n"         /* 6 */
		"[image]\n"               /* 7 */
		"tag = \"x\"\n"           /* 8 */
		"[env]\n"                 /* 9 */
		"VAR = \"x\"\n"           /* 10 */
		"[volumes.0]\n"           /* 11 */
		"name = \"data\"\n"       /* 12 */
		"size = \"1Gi\"\n"        /* 13 */
		"type = \"ssd\"\n"        /* 14 */
		"[guest]\n"               /* 15 */
		"timezone = \"UTC\"\n"    /* 16 */
		"[guest.image]\n"         /* 17 */
		"args = [\"x\"]\n"        /* 18 */
		"[guest.volumes.data]\n"  /* 19 */
		"device = \"/dev/vdb\"\n" /* 20 */
		"fs = \"ext4\"\n",        /* 21 */
		"t.ini:6: app.title: unknown key",
		"t.ini:8: image.tag: unknown key",
		"t.ini:10: env.VAR: unknown key",
		"t.ini:14: volumes.0.type: unknown key",
		"t.ini:16: guest.timezone: unknown key",
		"t.ini:18: guest.image.args: unknown key",
		"t.ini:21: guest.volumes.data.fs: unknown key");
}

Test(validate_top, unknown_port_field)
{
	expect_error(BASE "ports.0.internal = 80\nports.0.host = 8080\n",
		     "t.ini:6: processes.web.ports.0.host: unknown key");
}

Test(validate_top, unknown_section)
{
	expect_error(BASE "[build]\n", "t.ini:5: build: unknown section");
}

Test(validate_top, health_subsection_style)
{
	expect_error(BASE "[processes.web.health]\nport = 80\n",
		     "t.ini:5: processes.web.health: unknown section: a process's fields are "
		     "dotted keys in [processes.web]");
}

Test(validate_top, resources_subsection_style)
{
	expect_error(BASE "[processes.web.resources]\ncpu = 1.0\n",
		     "t.ini:5: processes.web.resources: unknown section");
}

Test(validate_top, guest_unknown_subsection)
{
	expect_error(BASE "[guest.network]\n", "t.ini:5: guest.network: unknown section");
}

Test(validate_top, at_least_one_process)
{
	expect_error("schema_version = \"v1\"\n[app]\nname = \"x\"\n",
		     "t.ini:1: processes: at least one [processes.NAME] section is required");
}

/* -- process names -- */

Test(validate_process, name_uppercase)
{
	expect_error("schema_version = \"v1\"\n[processes.Web]\ncommand = [\"/a\"]\n"
		     "resources.memory = \"64Mi\"\n",
		     "t.ini:2: processes.Web: process name \"Web\" must match");
}

Test(validate_process, name_starts_with_digit)
{
	expect_error("schema_version = \"v1\"\n[processes.9web]\ncommand = [\"/a\"]\n"
		     "resources.memory = \"64Mi\"\n",
		     "t.ini:2: processes.9web: process name \"9web\" must match");
}

Test(validate_process, name_underscore)
{
	expect_error("schema_version = \"v1\"\n[processes.my_web]\ncommand = [\"/a\"]\n"
		     "resources.memory = \"64Mi\"\n",
		     "t.ini:2: processes.my_web: process name \"my_web\" must match");
}

Test(validate_process, name_length_32_ok_33_rejected)
{
	char *n32 = rep("a", 32), *n33 = rep("b", 33);
	char *ok = fmt("schema_version = \"v1\"\n[processes.%s]\ncommand = [\"/a\"]\n"
		       "resources.memory = \"64Mi\"\n", n32);
	char *bad = fmt("schema_version = \"v1\"\n[processes.%s]\ncommand = [\"/a\"]\n"
			"resources.memory = \"64Mi\"\n", n33);
	char *needle = fmt("t.ini:2: processes.%s: process name \"%s\" must match", n33, n33);
	struct spec *s = load_ok(ok);
	cr_assert_str_eq(s->procs[0].name, n32);
	spec_free(s);
	expect_error(bad, needle);
	free(n32); free(n33); free(ok); free(bad); free(needle);
}

Test(validate_process, name_with_digits_and_dash_ok)
{
	struct spec *s = load_ok("schema_version = \"v1\"\n[processes.web-2x]\n"
				 "command = [\"/a\"]\nresources.memory = \"64Mi\"\n");
	cr_assert_str_eq(s->procs[0].name, "web-2x");
	spec_free(s);
}

/* -- vars -- */

Test(validate_vars, key_lowercase)
{
	expect_error(BASE "vars = [\"lower=1\"]\n",
		     "t.ini:5: processes.web.vars: variable name \"lower\" must match [A-Z_][A-Z0-9_]*");
}

Test(validate_vars, key_starts_with_digit)
{
	expect_error(BASE "vars = [\"1A=1\"]\n",
		     "t.ini:5: processes.web.vars: variable name \"1A\" must match");
}

Test(validate_vars, key_empty)
{
	expect_error(BASE "vars = [\"=1\"]\n",
		     "t.ini:5: processes.web.vars: variable name \"\" must match");
}

Test(validate_vars, valid_keys_and_values)
{
	struct spec *s = load_ok(BASE "vars = [\"_A1=x=y\", \"EMPTY=\", \"B_2=two words\"]\n");
	static const char *const want[] = { "B_2=two words", "EMPTY=", "_A1=x=y", NULL };
	assert_strv(&proc(s, "web")->vars, want);
	spec_free(s);
}

Test(validate_vars, duplicate_key)
{
	expect_error(BASE "vars = [\"A=1\", \"B=2\", \"A=3\"]\n",
		     "t.ini:5: processes.web.vars: variable A is given twice");
}

Test(validate_vars, duplicate_key_in_env)
{
	expect_error(BASE "[env]\nvars = [\"X=1\",\n  \"X=1\"]\n",
		     "t.ini:6: env.vars: variable X is given twice");
}

Test(validate_vars, missing_equals)
{
	expect_error(BASE "vars = [\"A=1\", \"NOEQ\"]\n",
		     "t.ini:5: processes.web.vars: element 1 (\"NOEQ\") is not KEY=value");
}

Test(validate_vars, env_vars_key_pattern)
{
	expect_error(BASE "[env]\nvars = [\"my-var=1\"]\n",
		     "t.ini:6: env.vars: variable name \"my-var\" must match");
}

/* -- value types: strings are never implied -- */

Test(validate_types, number_for_string)
{
	expect_error(BASE "workdir = 5\n",
		     "t.ini:5: processes.web.workdir: must be a string, not an integer");
}

Test(validate_types, boolean_for_string)
{
	expect_error(BASE "user = true\n",
		     "t.ini:5: processes.web.user: must be a string, not a boolean");
}

Test(validate_types, float_for_string)
{
	expect_error(BASE "[app]\nname = 1.5\n",
		     "t.ini:6: app.name: must be a string, not a float");
}

Test(validate_types, memory_as_number)
{
	expect_error("schema_version = \"v1\"\n[processes.web]\ncommand = [\"/a\"]\n"
		     "resources.memory = 512\n",
		     "t.ini:4: processes.web.resources.memory: must be a string, not an integer");
}

Test(validate_types, var_value_not_a_string)
{
	expect_error(BASE "vars = [\"A=1\", 2]\n",
		     "t.ini:5: processes.web.vars: array elements must be strings");
}

Test(validate_types, vars_not_an_array)
{
	expect_error(BASE "vars = \"A=1\"\n",
		     "t.ini:5: processes.web.vars: must be an array, not a string");
}

Test(validate_types, int_for_bool)
{
	expect_error(BASE "secrets.required = 1\n",
		     "t.ini:5: processes.web.secrets.required: must be a boolean, not an integer");
}

Test(validate_types, string_for_int)
{
	expect_error(BASE "prestart_timeout_seconds = \"30\"\n",
		     "t.ini:5: processes.web.prestart_timeout_seconds: must be an integer, not a string");
}

Test(validate_types, float_for_int)
{
	expect_error(BASE "restart.backoff_seconds = 2.5\n",
		     "t.ini:5: processes.web.restart.backoff_seconds: must be an integer, not a float");
}

/* -- resources -- */

#define MEM(v) "schema_version = \"v1\"\n[processes.web]\ncommand = [\"/a\"]\n" \
	       "resources.memory = " v "\n"

Test(validate_resources, memory_required)
{
	expect_error("schema_version = \"v1\"\n[processes.web]\ncommand = [\"/a\"]\n",
		     "t.ini:2: processes.web.resources.memory: required");
}

Test(validate_resources, memory_units_only_mi_gi)
{
	static const char *const bad[] = { "\"512M\"", "\"512MB\"", "\"512\"", "\"1Ti\"",
					   "\"1.5Gi\"", "\"512mi\"", "\"Mi\"", "\"-1Gi\"",
					   "\" 512Mi\"", "\"512 Mi\"", "\"1Ki\"", NULL };
	for (int i = 0; bad[i]; i++) {
		char *t = fmt(MEM("%s"), bad[i]);
		expect_error(t, "t.ini:4: processes.web.resources.memory: ", "is not a size");
		free(t);
	}
}

Test(validate_resources, memory_units_accepted)
{
	struct spec *s = load_ok(MEM("\"2Gi\""));
	cr_assert_str_eq(s->procs[0].memory, "2Gi");
	cr_assert_eq(s->procs[0].memory_bytes, 2ull << 30);
	spec_free(s);
	s = load_ok(MEM("\"1536Mi\""));
	cr_assert_eq(s->procs[0].memory_bytes, 1536ull << 20);
	spec_free(s);
}

Test(validate_resources, memory_minimum_64mi)
{
	expect_error(MEM("\"63Mi\""),
		     "t.ini:4: processes.web.resources.memory: \"63Mi\" is less than the minimum 64Mi");
	expect_error(MEM("\"0Gi\""),
		     "t.ini:4: processes.web.resources.memory: \"0Gi\" is less than the minimum 64Mi");
	spec_free(load_ok(MEM("\"64Mi\"")));
}

Test(validate_resources, memory_huge_number_rejected)
{
	/* must not wrap around into a small size */
	expect_error(MEM("\"99999999999999999999Gi\""),
		     "t.ini:4: processes.web.resources.memory: ");
}

Test(validate_resources, size_overflow_rejected)
{
	/* 2^34 Gi + 1 Gi is 2^64 + 2^30 bytes: it must not wrap around to 1Gi */
	struct spec *s = unit_spec(MEM("\"17179869185Gi\""));
	assert_error(s, "t.ini:4: processes.web.resources.memory: ");
	if (s->nerrors == 0)
		cr_assert_fail("accepted as %llu bytes", (unsigned long long)s->procs[0].memory_bytes);
	spec_free(s);
	expect_error(BASE "[volumes.0]\nname = \"d\"\nsize = \"17179869184Gi\"\n",
		     "t.ini:7: volumes.0.size: ");
}

Test(validate_resources, disk_minimum_1gi)
{
	expect_error(BASE "resources.disk = \"1023Mi\"\n",
		     "t.ini:5: processes.web.resources.disk: \"1023Mi\" is less than the minimum 1Gi");
	spec_free(load_ok(BASE "resources.disk = \"1024Mi\"\n"));
	spec_free(load_ok(BASE "resources.disk = \"1Gi\"\n"));
}

Test(validate_resources, disk_units)
{
	expect_error(BASE "resources.disk = \"10G\"\n",
		     "t.ini:5: processes.web.resources.disk: \"10G\" is not a size");
}

Test(validate_resources, cpu_zero_rejected)
{
	expect_error(BASE "resources.cpu = 0\n",
		     "t.ini:5: processes.web.resources.cpu: must be greater than 0 and at most 64");
	expect_error(BASE "resources.cpu = 0.0\n",
		     "t.ini:5: processes.web.resources.cpu: must be greater than 0");
}

Test(validate_resources, cpu_negative_rejected)
{
	expect_error(BASE "resources.cpu = -0.5\n",
		     "t.ini:5: processes.web.resources.cpu: must be greater than 0");
}

Test(validate_resources, cpu_above_64_rejected)
{
	expect_error(BASE "resources.cpu = 64.01\n",
		     "t.ini:5: processes.web.resources.cpu: must be greater than 0 and at most 64");
	expect_error(BASE "resources.cpu = 65\n",
		     "t.ini:5: processes.web.resources.cpu: must be greater than 0 and at most 64");
}

Test(validate_resources, cpu_int_accepted_as_float)
{
	struct spec *s = load_ok(BASE "resources.cpu = 2\n");
	cr_assert_float_eq(s->procs[0].cpu, 2.0, 1e-12);
	spec_free(s);
	s = load_ok(BASE "resources.cpu = 64\n");
	cr_assert_float_eq(s->procs[0].cpu, 64.0, 1e-12);
	spec_free(s);
	s = load_ok(BASE "resources.cpu = 0.001\n");
	cr_assert_float_eq(s->procs[0].cpu, 0.001, 1e-15);
	spec_free(s);
	s = load_ok(BASE "resources.cpu = 25e-1\n");
	cr_assert_float_eq(s->procs[0].cpu, 2.5, 1e-12);
	spec_free(s);
}

Test(validate_resources, cpu_subnormal_accepted)
{
	/* Above 0 as the schema asks, though strtod calls it an underflow; what
	 * rounds to 0, as in any TOML parser, is then 0. */
	struct spec *s = load_ok(BASE "resources.cpu = 5e-324\n");
	cr_assert_gt(s->procs[0].cpu, 0.0);
	spec_free(s);
	s = load_ok(BASE "resources.cpu = 1.5e-310\n");
	cr_assert_gt(s->procs[0].cpu, 0.0);
	spec_free(s);
	expect_error(BASE "resources.cpu = 1e-400\n",
		     "t.ini:5: processes.web.resources.cpu: must be greater than 0");
	expect_error(BASE "resources.cpu = 1e309\n", "t.ini:5: processes.web.resources.cpu: bad number");
}

Test(validate_resources, cpu_string_rejected)
{
	expect_error(BASE "resources.cpu = \"1\"\n",
		     "t.ini:5: processes.web.resources.cpu: must be a float, not a string");
}

/* -- restart -- */

Test(validate_restart, policy_values)
{
	static const char *const names[] = { "always", "on-failure", "never" };
	static const enum spec_restart want[] = { SPEC_RESTART_ALWAYS, SPEC_RESTART_ON_FAILURE,
						  SPEC_RESTART_NEVER };
	for (int i = 0; i < 3; i++) {
		char *t = fmt(BASE "restart.policy = \"%s\"\n", names[i]);
		struct spec *s = load_ok(t);
		cr_assert_eq(s->procs[0].restart, want[i], "%s", names[i]);
		cr_assert_str_eq(spec_restart_name(want[i]), names[i]);
		spec_free(s);
		free(t);
	}
}

Test(validate_restart, policy_invalid)
{
	expect_error(BASE "restart.policy = \"sometimes\"\n",
		     "t.ini:5: processes.web.restart.policy: \"sometimes\" is not allowed: "
		     "use \"always\", \"on-failure\" or \"never\"");
	expect_error(BASE "restart.policy = \"on_failure\"\n",
		     "t.ini:5: processes.web.restart.policy: \"on_failure\" is not allowed");
}

Test(validate_restart, max_retries_with_always)
{
	expect_error(BASE "restart.policy = \"always\"\nrestart.max_retries = 5\n",
		     "t.ini:6: processes.web.restart.max_retries: only valid when restart.policy "
		     "is \"on-failure\"");
}

Test(validate_restart, max_retries_with_never)
{
	expect_error(BASE "restart.policy = \"never\"\nrestart.max_retries = 5\n",
		     "t.ini:6: processes.web.restart.max_retries: only valid when");
}

Test(validate_restart, max_retries_without_policy)
{
	/* the default policy is "always", so max_retries is not valid */
	expect_error(BASE "restart.max_retries = 5\n",
		     "t.ini:5: processes.web.restart.max_retries: only valid when");
}

Test(validate_restart, max_retries_with_on_failure)
{
	/* order of the keys does not matter */
	struct spec *s = load_ok(BASE "restart.max_retries = 0\nrestart.policy = \"on-failure\"\n");
	cr_assert_eq(s->procs[0].max_retries, 0);
	spec_free(s);
}

Test(validate_restart, max_retries_negative)
{
	expect_error(BASE "restart.policy = \"on-failure\"\nrestart.max_retries = -1\n",
		     "t.ini:6: processes.web.restart.max_retries: must be at least 0");
}

/* -- scaling -- */

Test(validate_scaling, max_below_min)
{
	expect_error(BASE "scaling.min = 2\nscaling.max = 1\n",
		     "t.ini:6: processes.web.scaling.max: must be at least scaling.min (2)");
}

Test(validate_scaling, max_below_default_min)
{
	/* one process: min defaults to 1 */
	expect_error(BASE "scaling.max = 0\n",
		     "t.ini:5: processes.web.scaling.max: must be at least scaling.min (1)");
}

Test(validate_scaling, max_equal_min_ok)
{
	struct spec *s = load_ok(BASE "scaling.min = 0\nscaling.max = 0\n");
	cr_assert_eq(s->procs[0].scale_min, 0);
	cr_assert_eq(s->procs[0].scale_max, 0);
	spec_free(s);
}

Test(validate_scaling, min_negative)
{
	expect_error(BASE "scaling.min = -1\n",
		     "t.ini:5: processes.web.scaling.min: must be at least 0");
}

Test(validate_scaling, autoscale_rejected)
{
	expect_error(BASE "scaling.autoscale = true\n",
		     "t.ini:5: processes.web.scaling.autoscale: autoscaling is not supported in v1");
}

Test(validate_scaling, autoscale_dotted_rejected)
{
	expect_error(BASE "scaling.autoscale.target_cpu = 50\n",
		     "t.ini:5: processes.web.scaling.autoscale.target_cpu: autoscaling is not supported");
}

Test(validate_scaling, autoscale_prefixed_rejected)
{
	expect_error(BASE "scaling.autoscale_max = 3\n",
		     "t.ini:5: processes.web.scaling.autoscale_max: autoscaling is not supported");
}

/* -- ports -- */

Test(validate_ports, internal_zero)
{
	expect_error(BASE "ports.0.internal = 0\n",
		     "t.ini:5: processes.web.ports.0.internal: must be between 1 and 65535");
}

Test(validate_ports, internal_too_big)
{
	expect_error(BASE "ports.0.internal = 65536\n",
		     "t.ini:5: processes.web.ports.0.internal: must be between 1 and 65535");
}

Test(validate_ports, internal_bounds_ok)
{
	struct spec *s = load_ok(BASE "ports.0.internal = 1\nports.1.internal = 65535\n");
	cr_assert_eq(s->procs[0].ports[0].internal, 1);
	cr_assert_eq(s->procs[0].ports[1].internal, 65535);
	cr_assert_str_eq(s->procs[0].ports[1].name, "p65535");
	spec_free(s);
}

Test(validate_ports, internal_required)
{
	expect_error(BASE "ports.0.name = \"http\"\n",
		     "t.ini:2: processes.web.ports.0.internal: required");
}

Test(validate_ports, internal_not_a_string)
{
	expect_error(BASE "ports.0.internal = \"80\"\n",
		     "t.ini:5: processes.web.ports.0.internal: must be an integer, not a string");
}

Test(validate_ports, name_pattern)
{
	expect_error(BASE "ports.0.internal = 80\nports.0.name = \"HTTP\"\n",
		     "t.ini:6: processes.web.ports.0.name: \"HTTP\" must match [a-z][a-z0-9-]{0,31}");
	expect_error(BASE "ports.0.internal = 80\nports.0.name = \"1http\"\n",
		     "t.ini:6: processes.web.ports.0.name: \"1http\" must match");
	expect_error(BASE "ports.0.internal = 80\nports.0.name = \"\"\n",
		     "t.ini:6: processes.web.ports.0.name: \"\" must match");
}

Test(validate_ports, name_pattern_ok)
{
	struct spec *s = load_ok(BASE "ports.0.internal = 80\nports.0.name = \"http-2\"\n");
	cr_assert_str_eq(s->procs[0].ports[0].name, "http-2");
	spec_free(s);
}

Test(validate_ports, duplicate_names)
{
	expect_error(BASE
		"ports.0.name = \"http\"\n"    /* 5 */
		"ports.0.internal = 80\n"      /* 6 */
		"ports.1.name = \"http\"\n"    /* 7 */
		"ports.1.internal = 81\n",     /* 8 */
		"t.ini:7: processes.web.ports.1.name: port name \"http\" is also ports.0's");
}

Test(validate_ports, duplicate_with_derived_name)
{
	/* The line of this error is checked by duplicate_names above. */
	expect_error(BASE
		"ports.0.name = \"p80\"\n"
		"ports.0.internal = 8080\n"
		"ports.1.internal = 80\n",
		"processes.web.ports.1.name: port name \"p80\" is also ports.0's "
		"(derived names are p<internal>)");
}

Test(validate_ports, protocol_only_tcp)
{
	expect_error(BASE "ports.0.internal = 53\nports.0.protocol = \"udp\"\n",
		     "t.ini:6: processes.web.ports.0.protocol: \"udp\" is not allowed: use \"tcp\"");
}

Test(validate_ports, bad_index)
{
	expect_error(BASE "ports.x.internal = 80\n",
		     "t.ini:5: processes.web.ports.x.internal: expected ports.N.field");
	expect_error(BASE "ports.01.internal = 80\n",
		     "t.ini:5: processes.web.ports.01.internal: expected ports.N.field");
	expect_error(BASE "ports.1000.internal = 80\n",
		     "t.ini:5: processes.web.ports.1000.internal: expected ports.N.field with N from 0 to 999");
	/* ports.0 names the element, a table: a type error, not a bad index */
	expect_error(BASE "ports.0 = 80\n",
		     "t.ini:5: processes.web.ports.0: must be a table, not an integer");
}

/* -- health -- */

Test(validate_health, port_by_name)
{
	struct spec *s = load_ok(BASE "ports.0.name = \"http\"\nports.0.internal = 3000\n"
				 "health.port = \"http\"\n");
	cr_assert_eq(s->procs[0].health.port, 3000);
	cr_assert_str_eq(s->procs[0].health.port_name, "http");
	spec_free(s);
}

Test(validate_health, port_by_derived_name)
{
	struct spec *s = load_ok(BASE "ports.0.internal = 3000\nhealth.port = \"p3000\"\n");
	cr_assert_eq(s->procs[0].health.port, 3000);
	spec_free(s);
}

Test(validate_health, port_by_number)
{
	struct spec *s = load_ok(BASE "ports.0.name = \"http\"\nports.0.internal = 3000\n"
				 "ports.1.internal = 9000\nhealth.port = 9000\n");
	cr_assert_eq(s->procs[0].health.port, 9000);
	cr_assert_null(s->procs[0].health.port_name);
	spec_free(s);
}

Test(validate_health, port_unknown_name)
{
	expect_error(BASE "ports.0.name = \"http\"\nports.0.internal = 3000\nhealth.port = \"admin\"\n",
		     "t.ini:7: processes.web.health.port: \"admin\" is not a declared port name");
}

Test(validate_health, port_unknown_number)
{
	expect_error(BASE "ports.0.internal = 3000\nhealth.port = 3001\n",
		     "t.ini:6: processes.web.health.port: 3001 is not a declared port");
}

Test(validate_health, port_without_ports)
{
	expect_error(BASE "health.port = 80\n",
		     "t.ini:5: processes.web.health.port: 80 is not a declared port");
}

Test(validate_health, port_of_another_process)
{
	expect_error(BASE
		"health.port = \"http\"\n"          /* 5 */
		"[processes.api]\n"                 /* 6 */
		"command = [\"/a\"]\n"
		"resources.memory = \"64Mi\"\n"
		"ports.0.name = \"http\"\n"
		"ports.0.internal = 80\n",
		"t.ini:5: processes.web.health.port: \"http\" is not a declared port name");
}

Test(validate_health, port_wrong_type)
{
	expect_error(BASE "ports.0.internal = 80\nhealth.port = true\n",
		     "t.ini:6: processes.web.health.port: must be a port name (a string) or number, "
		     "not a boolean");
}

Test(validate_health, port_required)
{
	expect_error(BASE "ports.0.internal = 80\nhealth.type = \"tcp\"\n",
		     "t.ini:2: processes.web.health.port: required when health is set");
	expect_error(BASE "health.interval_seconds = 5\n",
		     "t.ini:2: processes.web.health.port: required when health is set");
}

Test(validate_health, http_needs_path)
{
	expect_error(BASE "ports.0.internal = 80\nhealth.type = \"http\"\nhealth.port = 80\n",
		     "t.ini:2: processes.web.health.path: required for http health checks");
}

Test(validate_health, http_with_path_ok)
{
	struct spec *s = load_ok(BASE "ports.0.internal = 80\nhealth.type = \"http\"\n"
				 "health.port = 80\nhealth.path = \"/ready?x=1\"\n");
	cr_assert_eq(s->procs[0].health.type, SPEC_HEALTH_HTTP);
	cr_assert_str_eq(s->procs[0].health.path, "/ready?x=1");
	spec_free(s);
}

Test(validate_health, path_must_start_with_slash)
{
	expect_error(BASE "ports.0.internal = 80\nhealth.type = \"http\"\nhealth.port = 80\n"
		     "health.path = \"ready\"\n",
		     "t.ini:8: processes.web.health.path: must start with '/'");
}

/* docs/spec.md section 7: with type = "tcp" a path is accepted and unused,
 * as in the schema (which checks a path only for http); it is kept in the
 * canonical form, which reads back. The same for an x-liveness "process". */
Test(validate_health, path_unused_unless_http)
{
	struct spec *s = load_ok(BASE "ports.0.internal = 80\nhealth.type = \"tcp\"\nhealth.port = 80\n"
				 "health.path = \"ready now\"\n"
				 "x-liveness.type = \"process\"\nx-liveness.path = \"\"\n");
	char *a = unit_print(s), *b;
	struct spec *t;
	cr_assert_str_eq(s->procs[0].health.path, "ready now");
	cr_assert(strstr(a, "\nhealth.path = \"ready now\"\n"), "%s", a);
	t = load_ok(a);
	b = unit_print(t);
	cr_assert_str_eq(a, b);
	spec_free(t);
	spec_free(s);
	free(a);
	free(b);
	expect_error(BASE "ports.0.internal = 80\nhealth.type = \"http\"\nhealth.port = 80\n"
		     "health.path = \"ready now\"\n",
		     "t.ini:8: processes.web.health.path: must start with '/'");
}

Test(validate_health, type_values)
{
	expect_error(BASE "ports.0.internal = 80\nhealth.port = 80\nhealth.type = \"grpc\"\n",
		     "t.ini:7: processes.web.health.type: \"grpc\" is not allowed: use \"tcp\" or \"http\"");
}

Test(validate_health, thresholds_positive)
{
	expect_error(BASE "ports.0.internal = 80\nhealth.port = 80\nhealth.interval_seconds = 0\n"
		     "health.failure_threshold = 0\n",
		     "t.ini:7: processes.web.health.interval_seconds: must be at least 1",
		     "t.ini:8: processes.web.health.failure_threshold: must be at least 1");
}

/* A port value that is not a value at all (issue 10: a freed uninitialised
 * struct val crashed `vminit check` and PID 1). Each is an error at its line,
 * for health and for x-liveness alike. */
static const struct { const char *text, *msg; } bad_port_values[] = {
	{ "http", "not a value: strings are quoted" },
	{ "x", "not a value: strings are quoted" },
	{ "80 80", "unexpected text after the value: 80" },
	{ "[1", "array elements must be strings" },
	{ "1e999", "bad number" },
	{ "tru", "not a value: strings are quoted" },
	{ "\"http", "unterminated string" },
	{ "[\"a\", 1]", "array elements must be strings" },
};

static void check_bad_port_values(const char *table)
{
	for (size_t i = 0; i < sizeof(bad_port_values) / sizeof(bad_port_values[0]); i++) {
		char *text = fmt(BASE "ports.0.internal = 3000\n"      /* 5 */
				 "%s.type = \"tcp\"\n"                  /* 6 */
				 "%s.port = %s\n",                       /* 7 */
				 table, table, bad_port_values[i].text);
		char *want = fmt("t.ini:7: processes.web.%s.port: %s", table, bad_port_values[i].msg);
		struct spec *s = unit_spec(text);
		assert_error(s, want);
		spec_free(s);
		free(want);
		free(text);
	}
}

Test(validate_health, port_not_a_value)
{
	check_bad_port_values("health");
}

Test(validate_health, liveness_port_not_a_value)
{
	check_bad_port_values("x-liveness");
}

/* -- mounts -- */

/* BASE, then the mount keys (from line 5), then a declared volume "data". */
#define MOUNT(keys) BASE keys "[volumes.0]\nname = \"data\"\nsize = \"1Gi\"\n"

Test(validate_mounts, ok)
{
	struct spec *s = load_ok(MOUNT("mounts.0.volume = \"data\"\nmounts.0.path = \"/var/lib/data\"\n"
				       "mounts.0.read_only = true\n"));
	cr_assert_str_eq(s->procs[0].mounts[0].path, "/var/lib/data");
	cr_assert_eq(s->procs[0].mounts[0].read_only, 1);
	spec_free(s);
}

Test(validate_mounts, volume_required)
{
	expect_error(MOUNT("mounts.0.path = \"/data\"\n"),
		     "t.ini:2: processes.web.mounts.0.volume: required");
}

Test(validate_mounts, volume_must_be_declared)
{
	expect_error(MOUNT("mounts.0.volume = \"cache\"\nmounts.0.path = \"/data\"\n"),
		     "t.ini:5: processes.web.mounts.0.volume: \"cache\" is not a declared volume");
}

Test(validate_mounts, volume_without_any_volumes)
{
	expect_error(BASE "mounts.0.volume = \"data\"\nmounts.0.path = \"/data\"\n",
		     "t.ini:5: processes.web.mounts.0.volume: \"data\" is not a declared volume");
}

Test(validate_mounts, path_required)
{
	expect_error(MOUNT("mounts.0.volume = \"data\"\n"),
		     "t.ini:2: processes.web.mounts.0.path: required");
}

Test(validate_mounts, path_absolute)
{
	expect_error(MOUNT("mounts.0.volume = \"data\"\nmounts.0.path = \"data\"\n"),
		     "t.ini:6: processes.web.mounts.0.path: \"data\" must be an absolute path");
}

/* Each forbidden path, with the error on the line of the path key (line 6). */
static void expect_forbidden(const char *path, const char *dir)
{
	char *t = fmt(MOUNT("mounts.0.volume = \"data\"\nmounts.0.path = \"%s\"\n"), path);
	char *needle = fmt("t.ini:6: processes.web.mounts.0.path: \"%s\" is not allowed: "
			   "nothing may be mounted on or under %s", path, dir);
	expect_error(t, needle);
	free(t);
	free(needle);
}

Test(validate_mounts, path_proc)
{
	expect_forbidden("/proc", "/proc");
	expect_forbidden("/proc/sys/net", "/proc");
}

Test(validate_mounts, path_sys)
{
	expect_forbidden("/sys", "/sys");
	expect_forbidden("/sys/fs/cgroup", "/sys");
}

Test(validate_mounts, path_dev)
{
	expect_forbidden("/dev", "/dev");
	expect_forbidden("/dev/shm", "/dev");
}

Test(validate_mounts, path_forbidden_after_normalisation)
{
	expect_forbidden("/data/../proc/x", "/proc");
	expect_forbidden("//sys/", "/sys");
	expect_forbidden("/./dev/./pts", "/dev");
	expect_forbidden("/../../dev", "/dev");
}

Test(validate_mounts, path_similar_names_allowed)
{
	struct spec *s = load_ok(MOUNT("mounts.0.volume = \"data\"\nmounts.0.path = \"/procfs\"\n"
				       "mounts.1.volume = \"data\"\nmounts.1.path = \"/srv/dev\"\n"
				       "mounts.2.volume = \"data\"\nmounts.2.path = \"/sys2/../data\"\n"));
	cr_assert_eq(s->procs[0].nmounts, 3);
	spec_free(s);
}

Test(validate_mounts, path_secrets)
{
	expect_error(MOUNT("mounts.0.volume = \"data\"\nmounts.0.path = \"/run/secrets/platform.env\"\n"),
		     "t.ini:6: processes.web.mounts.0.path: /run/secrets/platform.env is reserved for secrets");
	expect_error(MOUNT("mounts.0.volume = \"data\"\n"
			   "mounts.0.path = \"/run/./secrets//platform.env/\"\n"),
		     "t.ini:6: processes.web.mounts.0.path: /run/secrets/platform.env is reserved");
}

Test(validate_mounts, read_only_type)
{
	expect_error(MOUNT("mounts.0.volume = \"data\"\nmounts.0.path = \"/d\"\n"
			   "mounts.0.read_only = \"yes\"\n"),
		     "t.ini:7: processes.web.mounts.0.read_only: must be a boolean, not a string");
}

/* -- volumes -- */

#define VOL(keys) BASE "[volumes.0]\n" keys   /* volume keys start at line 6 */

Test(validate_volumes, name_pattern)
{
	expect_error(VOL("name = \"Data\"\nsize = \"1Gi\"\n"),
		     "t.ini:6: volumes.0.name: \"Data\" must match [a-z][a-z0-9-]{0,31}");
	expect_error(VOL("name = \"my_data\"\nsize = \"1Gi\"\n"),
		     "t.ini:6: volumes.0.name: \"my_data\" must match");
}

Test(validate_volumes, name_required)
{
	expect_error(VOL("size = \"1Gi\"\n"), "t.ini:5: volumes.0.name: required");
}

Test(validate_volumes, unique_names)
{
	expect_error(BASE
		"[volumes.0]\n"       /* 5 */
		"name = \"data\"\n"   /* 6 */
		"size = \"1Gi\"\n"    /* 7 */
		"[volumes.1]\n"       /* 8 */
		"name = \"data\"\n"   /* 9 */
		"size = \"2Gi\"\n",   /* 10 */
		"t.ini:9: volumes.1.name: volume name \"data\" is used twice");
}

Test(validate_volumes, size_minimum)
{
	expect_error(VOL("name = \"data\"\nsize = \"1023Mi\"\n"),
		     "t.ini:7: volumes.0.size: \"1023Mi\" is less than the minimum 1Gi");
}

Test(validate_volumes, size_required)
{
	expect_error(VOL("name = \"data\"\n"), "t.ini:5: volumes.0.size: required");
}

Test(validate_volumes, size_units)
{
	expect_error(VOL("name = \"data\"\nsize = \"10GB\"\n"),
		     "t.ini:7: volumes.0.size: \"10GB\" is not a size");
}

Test(validate_volumes, filesystem_ext4_only)
{
	expect_error(VOL("name = \"data\"\nsize = \"1Gi\"\nfilesystem = \"xfs\"\n"),
		     "t.ini:8: volumes.0.filesystem: \"xfs\" is not allowed: use \"ext4\"");
}

Test(validate_volumes, bad_section_index)
{
	expect_error(BASE "[volumes.x]\nname = \"data\"\nsize = \"1Gi\"\n",
		     "t.ini:5: volumes.x: expected [volumes.N] with N from 0 to 999");
	expect_error(BASE "[volumes.01]\nname = \"data\"\nsize = \"1Gi\"\n",
		     "t.ini:5: volumes.01: expected [volumes.N]");
}

Test(validate_volumes, order_is_index_order)
{
	struct spec *s = load_ok(BASE
		"[volumes.1]\nname = \"logs\"\nsize = \"2Gi\"\n"
		"[volumes.0]\nname = \"data\"\nsize = \"1Gi\"\n");
	cr_assert_eq(s->nvols, 2);
	cr_assert_str_eq(s->vols[0].name, "data");
	cr_assert_str_eq(s->vols[1].name, "logs");
	spec_free(s);
}

Test(validate_volumes, guest_volume_must_be_declared)
{
	expect_error(BASE "[guest.volumes.cache]\ndevice = \"/dev/vdb\"\n",
		     "t.ini:5: guest.volumes.cache: \"cache\" is not a declared volume");
}

Test(validate_volumes, guest_volume_device_required)
{
	expect_error(BASE "[volumes.0]\nname = \"data\"\nsize = \"1Gi\"\n[guest.volumes.data]\n",
		     "t.ini:8: guest.volumes.data.device: required");
}

/* -- index gaps -- */

Test(validate_indexes, ports_gap)
{
	expect_error(BASE "ports.0.internal = 80\nports.2.internal = 82\n",
		     "t.ini:2: processes.web.ports: ports.1 is missing: indexes run 0, 1, 2, ... "
		     "without gaps");
}

Test(validate_indexes, ports_missing_zero)
{
	expect_error(BASE "ports.1.internal = 80\n",
		     "t.ini:2: processes.web.ports: ports.0 is missing");
}

Test(validate_indexes, mounts_gap)
{
	expect_error(MOUNT("mounts.1.volume = \"data\"\nmounts.1.path = \"/d\"\n"),
		     "t.ini:2: processes.web.mounts: mounts.0 is missing");
}

Test(validate_indexes, volumes_gap)
{
	/* no line exists for a missing section: reported at line 1 */
	expect_error(BASE "[volumes.0]\nname = \"a\"\nsize = \"1Gi\"\n"
		     "[volumes.2]\nname = \"c\"\nsize = \"1Gi\"\n",
		     "t.ini:1: volumes: [volumes.1] is missing: indexes run 0, 1, 2, ... without gaps");
}

/* -- app and image -- */

Test(validate_app, name_empty)
{
	expect_error(BASE "[app]\nname = \"\"\n",
		     "t.ini:6: app.name: length must be 1 to 64 characters, not 0");
}

Test(validate_app, name_64_ascii_ok_65_rejected)
{
	char *n64 = rep("a", 64), *n65 = rep("a", 65);
	char *ok = fmt(BASE "[app]\nname = \"%s\"\n", n64);
	char *bad = fmt(BASE "[app]\nname = \"%s\"\n", n65);
	struct spec *s = load_ok(ok);
	cr_assert_str_eq(s->app_name, n64);
	spec_free(s);
	expect_error(bad, "t.ini:6: app.name: length must be 1 to 64 characters, not 65");
	free(n64); free(n65); free(ok); free(bad);
}

Test(validate_app, name_counts_characters_not_bytes)
{
	/* 64 two-byte characters (128 bytes) are fine; 65 are not */
	char *n64 = rep("\xc3\xa9", 64), *n65 = rep("\xc3\xa9", 65);
	char *ok = fmt(BASE "[app]\nname = \"%s\"\n", n64);
	char *bad = fmt(BASE "[app]\nname = \"%s\"\n", n65);
	struct spec *s = load_ok(ok);
	cr_assert_eq(strlen(s->app_name), 128);
	spec_free(s);
	expect_error(bad, "t.ini:6: app.name: length must be 1 to 64 characters, not 65");
	free(n64); free(n65); free(ok); free(bad);
	/* 64 four-byte characters (256 bytes) over two lines are fine too */
	{
		char *e32 = rep("\xf0\x9f\x98\x80", 32);
		char *t = fmt(BASE "[app]\nname = \"%s\"\n  \"%s\"\n", e32, e32);
		s = load_ok(t);
		cr_assert_eq(strlen(s->app_name), 256);
		spec_free(s);
		free(e32);
		free(t);
	}
}

Test(validate_app, description_256_ok_257_rejected)
{
	/* split over continuation lines: 2 x 128 (+1) characters */
	char *half = rep("d", 128);
	char *ok = fmt(BASE "[app]\ndescription =\n  \"%s\"\n  \"%s\"\n", half, half);
	char *bad = fmt(BASE "[app]\ndescription = \"%s\"\n  \"%s\" \"x\"\n", half, half);
	struct spec *s = load_ok(ok);
	cr_assert_eq(strlen(s->app_description), 256);
	spec_free(s);
	expect_error(bad, "t.ini:6: app.description: length must be at most 256 characters, not 257");
	free(half); free(ok); free(bad);
}

Test(validate_app, description_counts_characters)
{
	/* 256 characters of two bytes each: 512 bytes, still fine */
	char *q = rep("\xc3\xbc", 64);
	char *t = fmt(BASE "[app]\ndescription = \"%s\"\n  \"%s\"\n  \"%s\"\n  \"%s\"\n", q, q, q, q);
	struct spec *s = load_ok(t);
	cr_assert_eq(strlen(s->app_description), 512);
	spec_free(s);
	free(q);
	free(t);
}

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

Test(validate_image, ref_tag_and_digest_ok)
{
	struct spec *s = load_ok(BASE "[image]\nref = \"ghcr.io/acme/app:latest\"\n");
	cr_assert_str_eq(s->image_ref, "ghcr.io/acme/app:latest");
	spec_free(s);
	s = load_ok(BASE "[image]\nref = \"ghcr.io/acme/app@sha256:" HEX64 "\"\n");
	cr_assert_str_eq(s->image_ref, "ghcr.io/acme/app@sha256:" HEX64);
	spec_free(s);
}

Test(validate_image, digest_not_sha256)
{
	expect_error(BASE "[image]\nref = \"ghcr.io/a/b@sha512:" HEX64 HEX64 "\"\n",
		     "t.ini:6: image.ref: a digest must be sha256:<64 lowercase hex digits>");
}

Test(validate_image, digest_uppercase_hex)
{
	expect_error(BASE "[image]\nref = \"ghcr.io/a/b@sha256:"
		     "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef\"\n",
		     "t.ini:6: image.ref: a digest must be sha256");
}

Test(validate_image, digest_wrong_length)
{
	expect_error(BASE "[image]\nref = \"ghcr.io/a/b@sha256:" HEX64 "0\"\n",
		     "t.ini:6: image.ref: a digest must be sha256");
	expect_error(BASE "[image]\nref = \"ghcr.io/a/b@sha256:0123\"\n",
		     "t.ini:6: image.ref: a digest must be sha256");
	expect_error(BASE "[image]\nref = \"ghcr.io/a/b@sha256:\"\n",
		     "t.ini:6: image.ref: a digest must be sha256");
}

Test(validate_image, pull_policy_values)
{
	struct spec *s = load_ok(BASE "[image]\npull_policy = \"if_not_present\"\n");
	cr_assert_str_eq(s->pull_policy, "if_not_present");
	spec_free(s);
	expect_error(BASE "[image]\npull_policy = \"never\"\n",
		     "t.ini:6: image.pull_policy: \"never\" is not allowed: use \"if_not_present\" "
		     "or \"always\"");
	expect_error(BASE "[image]\npull_policy = \"Always\"\n",
		     "t.ini:6: image.pull_policy: \"Always\" is not allowed");
}

/* -- command, workdir, user -- */

Test(validate_command, empty_array)
{
	expect_error("schema_version = \"v1\"\n[processes.web]\ncommand = []\n"
		     "resources.memory = \"64Mi\"\n",
		     "t.ini:3: processes.web.command: must not be empty");
}

Test(validate_command, empty_executable)
{
	expect_error("schema_version = \"v1\"\n[processes.web]\ncommand = [\"\", \"x\"]\n"
		     "resources.memory = \"64Mi\"\n",
		     "t.ini:3: processes.web.command: the executable (first element) is empty");
}

Test(validate_command, not_an_array)
{
	expect_error("schema_version = \"v1\"\n[processes.web]\ncommand = \"/bin/app\"\n"
		     "resources.memory = \"64Mi\"\n",
		     "t.ini:3: processes.web.command: must be an array, not a string");
}

Test(validate_command, prestart_same_rules)
{
	expect_error(BASE "prestart = []\n",
		     "t.ini:5: processes.web.prestart: must not be empty");
	expect_error(BASE "[env]\nprestart = [\"\"]\n",
		     "t.ini:6: env.prestart: the executable (first element) is empty");
}

Test(validate_command, prestart_ok)
{
	static const char *const want[] = { "/bin/migrate", "--up", NULL };
	struct spec *s = load_ok(BASE "prestart = [\"/bin/migrate\", \"--up\"]\n"
				 "prestart_timeout_seconds = 120\n");
	assert_strv(&s->procs[0].prestart, want);
	cr_assert_eq(s->procs[0].prestart_timeout, 120);
	spec_free(s);
}

Test(validate_command, prestart_timeout_positive)
{
	expect_error(BASE "prestart_timeout_seconds = 0\n",
		     "t.ini:5: processes.web.prestart_timeout_seconds: must be at least 1");
}

Test(validate_paths, workdir_absolute)
{
	expect_error(BASE "workdir = \"app\"\n",
		     "t.ini:5: processes.web.workdir: \"app\" must be an absolute path");
	expect_error(BASE "[env]\nworkdir = \"./srv\"\n",
		     "t.ini:6: env.workdir: \"./srv\" must be an absolute path");
	expect_error(BASE "[guest.image]\nworkdir = \"\"\n",
		     "t.ini:6: guest.image.workdir: \"\" must be an absolute path");
}

Test(validate_paths, workdir_ok)
{
	struct spec *s = load_ok(BASE "workdir = \"/srv/app\"\n");
	cr_assert_str_eq(s->procs[0].workdir, "/srv/app");
	spec_free(s);
}

Test(validate_user, accepted_forms)
{
	static const char *const ok[] = { "app", "1000", "app:staff", "1000:1000", "www-data", NULL };
	for (int i = 0; ok[i]; i++) {
		char *t = fmt(BASE "user = \"%s\"\n", ok[i]);
		struct spec *s = load_ok(t);
		cr_assert_str_eq(s->procs[0].user, ok[i]);
		spec_free(s);
		free(t);
	}
}

Test(validate_user, rejected_forms)
{
	static const char *const bad[] = { "", "app:", ":staff", "a:b:c", "my user", "a\\tb", NULL };
	for (int i = 0; bad[i]; i++) {
		char *t = fmt(BASE "user = \"%s\"\n", bad[i]);
		expect_error(t, "t.ini:5: processes.web.user: ", "is not USER or USER:GROUP");
		free(t);
	}
}

Test(validate_user, env_and_image_user)
{
	expect_error(BASE "[env]\nuser = \"a:\"\n[guest.image]\nuser = \":b\"\n",
		     "t.ini:6: env.user: \"a:\" is not USER or USER:GROUP",
		     "t.ini:8: guest.image.user: \":b\" is not USER or USER:GROUP");
}

/* -- guest -- */

Test(validate_guest, hostname)
{
	expect_error(BASE "[guest]\nhostname = \"bad host\"\n",
		     "t.ini:6: guest.hostname: \"bad host\" is not a hostname");
	expect_error(BASE "[guest]\nhostname = \"-lead\"\n", "t.ini:6: guest.hostname: ");
}

Test(validate_guest, halt_values)
{
	expect_error(BASE "[guest]\nhalt = \"suspend\"\n",
		     "t.ini:6: guest.halt: \"suspend\" is not allowed: use \"poweroff\" or \"reboot\"");
}

Test(validate_guest, timeouts_positive)
{
	expect_error(BASE "[guest]\nstop_timeout_seconds = 0\nrestart_backoff_max_seconds = 0\n"
		     "restart_reset_seconds = -5\n",
		     "t.ini:6: guest.stop_timeout_seconds: must be at least 1",
		     "t.ini:7: guest.restart_backoff_max_seconds: must be at least 1",
		     "t.ini:8: guest.restart_reset_seconds: must be at least 1");
}

/* -- repeated keys and sections -- */

Test(validate_structure, key_defined_twice)
{
	expect_error(BASE "restart.policy = \"always\"\nrestart.policy = \"never\"\n",
		     "t.ini:6: processes.web.restart.policy: defined twice (first at line 5)");
}

Test(validate_structure, key_defined_twice_top_level)
{
	expect_error("schema_version = \"v1\"\nschema_version = \"v1\"\n[processes.web]\n"
		     "command = [\"/a\"]\nresources.memory = \"64Mi\"\n",
		     "t.ini:2: schema_version: defined twice (first at line 1)");
}

Test(validate_structure, section_defined_twice)
{
	expect_error(BASE "[app]\nname = \"x\"\n[processes.web]\n",
		     "t.ini:7: processes.web: section defined twice (first at line 2)");
}

/* The keys under a repeated header are ignored, whatever the order of the
 * headers (duplicates are found by sorting the section names). */
Test(validate_structure, keys_under_duplicate_section_ignored)
{
	struct spec *s = unit_spec(BASE "[volumes.0]\nname = \"a\"\nsize = \"1Gi\"\n"   /* 5-7 */
				   "[processes.web]\nscaling.min = 2\n"                        /* 8-9 */
				   "[volumes.0]\nname = \"b\"\n");                           /* 10-11 */
	assert_error(s, "t.ini:8: processes.web: section defined twice (first at line 2)");
	assert_error(s, "t.ini:10: volumes.0: section defined twice (first at line 5)");
	cr_assert_eq(s->nerrors, 2, "%s", unit_errors(s));
	cr_assert_eq(s->procs[0].scale_min, 1);
	cr_assert_eq(s->nvols, 1);
	cr_assert_str_eq(s->vols[0].name, "a");
	spec_free(s);
}

Test(validate_structure, keys_after_duplicate_section_not_misattributed)
{
	/* The keys under the rejected header belong to processes.web, not to
	 * the section before it: no error may name them app.* */
	expect_error(BASE "[app]\nname = \"x\"\n[processes.web]\nscaling.min = 2\n",
		     "t.ini:7: processes.web: section defined twice");
	expect_no_error(BASE "[app]\nname = \"x\"\n[processes.web]\nscaling.min = 2\n",
			"app.scaling.min");
}

Test(validate_structure, nothing_to_run)
{
	expect_error("schema_version = \"v1\"\n[processes.web]\nresources.memory = \"64Mi\"\n",
		     "t.ini:2: processes.web: nothing to run: no command, and [guest.image] has no "
		     "entrypoint or cmd");
}

Test(validate_structure, nothing_to_run_with_empty_image_argv)
{
	expect_error("schema_version = \"v1\"\n[processes.web]\nresources.memory = \"64Mi\"\n"
		     "[guest.image]\nentrypoint = []\ncmd = []\n",
		     "t.ini:2: processes.web: nothing to run");
	expect_error("schema_version = \"v1\"\n[processes.web]\nresources.memory = \"64Mi\"\n"
		     "[guest.image]\nentrypoint = [\"\"]\n",
		     "t.ini:2: processes.web: nothing to run");
}

Test(validate_structure, valid_spec_has_no_errors)
{
	/* every rule above checks one broken field of an otherwise valid spec */
	struct spec *s = load_ok(BASE);
	cr_assert_null(s->errors);
	cr_assert_eq(s->errors_dropped, 0);
	spec_free(s);
}

/* -- the empty table {}: "this table exists and has no keys" -- */

Test(empty_table, accepted_where_nothing_is_required)
{
	struct spec *s = load_ok(BASE
		"restart = {}\n"            /* 5 */
		"resources = {}\n"          /* 6 */
		"scaling = {}\n"            /* 7 */
		"secrets = {}\n");          /* 8 */
	const struct spec_process *p = proc(s, "web");
	cr_assert_eq(p->restart, SPEC_RESTART_ALWAYS);
	cr_assert_eq(p->backoff, 2);
	cr_assert_float_eq(p->cpu, 1.0, 1e-12);
	cr_assert_str_eq(p->disk, "4Gi");
	cr_assert_eq(p->scale_min, 1);
	cr_assert_eq(p->scale_max, 1);
	cr_assert_eq(p->secrets_required, 0);
	cr_assert_eq(p->health.present, 0);
	cr_assert_eq(p->nports, 0);
	spec_free(s);
}

Test(empty_table, blanks_inside_and_continued)
{
	spec_free(load_ok(BASE "restart = { }\nscaling = {\t}\nsecrets = {\n  }\n"));
}

Test(empty_table, only_the_empty_table_is_a_value)
{
	expect_error(BASE "restart = { policy = \"never\" }\n",
		     "t.ini:5: processes.web.restart: only the empty table {} is a value");
	expect_error(BASE "restart = {\n",
		     "t.ini:5: processes.web.restart: only the empty table {} is a value");
	expect_error(BASE "restart = {} {}\n",
		     "t.ini:5: processes.web.restart: unexpected text after the value");
}

Test(empty_table, health_requires_port)
{
	expect_error(BASE "health = {}\n",
		     "t.ini:2: processes.web.health.port: required when health is set");
	expect_error(BASE "ports.0.internal = 80\nhealth = {}\n",
		     "t.ini:2: processes.web.health.port: required when health is set");
}

Test(empty_table, health_with_keys_beside_it)
{
	/* {} with the table's own keys: redundant, not a conflict */
	struct spec *s = load_ok(BASE "ports.0.internal = 80\nhealth = {}\nhealth.port = 80\n");
	const struct spec_health *h = &proc(s, "web")->health;
	cr_assert_eq(h->present, 1);
	cr_assert_eq(h->type, SPEC_HEALTH_TCP);
	cr_assert_eq(h->port, 80);
	cr_assert_eq(h->interval, 10);
	spec_free(s);
	s = load_ok(BASE "restart = {}\nrestart.policy = \"never\"\n");
	cr_assert_eq(proc(s, "web")->restart, SPEC_RESTART_NEVER);
	spec_free(s);
}

Test(empty_table, autoscale_rejected)
{
	expect_error(BASE "scaling.autoscale = {}\n",
		     "t.ini:5: processes.web.scaling.autoscale: autoscaling is not supported in v1");
	expect_error(BASE "scaling = {}\nscaling.autoscale = {}\n",
		     "t.ini:6: processes.web.scaling.autoscale: autoscaling is not supported in v1");
}

Test(empty_table, unknown_tables)
{
	expect_error(BASE "foo = {}\n", "t.ini:5: processes.web.foo: unknown key");
	expect_error(BASE "restart.foo = {}\n", "t.ini:5: processes.web.restart.foo: unknown key");
	expect_error(BASE "ports = {}\n", "t.ini:5: processes.web.ports: unknown key");
	expect_error(BASE "[app]\nfoo = {}\n", "t.ini:6: app.foo: unknown key");
	expect_error(BASE "[volumes.0]\nname = \"d\"\nsize = \"1Gi\"\nfoo = {}\n",
		     "t.ini:8: volumes.0.foo: unknown key");
}

Test(empty_table, port_element_requires_internal)
{
	expect_error(BASE "ports.0 = {}\n",
		     "t.ini:2: processes.web.ports.0.internal: required");
	expect_error(BASE "ports.0.internal = 80\nports.1 = {}\n",
		     "t.ini:2: processes.web.ports.1.internal: required");
}

Test(empty_table, port_element_counts_as_an_index)
{
	struct spec *s;
	/* element 0 exists, so ports.1 leaves no gap */
	expect_error(BASE "ports.0 = {}\nports.1.internal = 81\n",
		     "t.ini:2: processes.web.ports.0.internal: required");
	expect_no_error(BASE "ports.0 = {}\nports.1.internal = 81\n", "is missing");
	expect_error(BASE "ports.1 = {}\n",
		     "t.ini:2: processes.web.ports: ports.0 is missing: indexes run 0, 1, 2");
	s = load_ok(BASE "ports.0 = {}\nports.0.internal = 80\n");
	cr_assert_eq(proc(s, "web")->nports, 1);
	cr_assert_str_eq(proc(s, "web")->ports[0].name, "p80");
	spec_free(s);
}

Test(empty_table, mount_element_requires_volume_and_path)
{
	expect_error(BASE "mounts.0 = {}\n",
		     "t.ini:2: processes.web.mounts.0.volume: required",
		     "t.ini:2: processes.web.mounts.0.path: required");
	expect_error(BASE "mounts.1 = {}\n",
		     "t.ini:2: processes.web.mounts: mounts.0 is missing");
}

Test(empty_table, type_error_where_a_value_is_wanted)
{
	expect_error(BASE "workdir = {}\n",
		     "t.ini:5: processes.web.workdir: must be a string, not a table");
	expect_error("schema_version = \"v1\"\n[processes.web]\ncommand = {}\n"
		     "resources.memory = {}\n",
		     "t.ini:3: processes.web.command: must be an array, not a table",
		     "t.ini:4: processes.web.resources.memory: must be a string, not a table");
	expect_error(BASE "secrets.required = {}\n",
		     "t.ini:5: processes.web.secrets.required: must be a boolean, not a table");
	expect_error(BASE "ports.0.internal = {}\n",
		     "t.ini:5: processes.web.ports.0.internal: must be an integer, not a table");
	expect_error(BASE "resources.cpu = {}\n",
		     "t.ini:5: processes.web.resources.cpu: must be a float, not a table");
	expect_error(BASE "ports.0.internal = 80\nhealth.port = {}\n",
		     "t.ini:6: processes.web.health.port: must be a port name (a string) or number, "
		     "not a table");
	expect_error(BASE "vars = {}\n",
		     "t.ini:5: processes.web.vars: must be an array, not a table");
	expect_error("schema_version = {}\n[processes.web]\ncommand = [\"/a\"]\n"
		     "resources.memory = \"64Mi\"\n",
		     "t.ini:1: schema_version: must be a string, not a table");
	expect_error(BASE "[guest]\nhostname = {}\n",
		     "t.ini:6: guest.hostname: must be a string, not a table");
}

Test(empty_table, table_key_with_another_type)
{
	expect_error(BASE "restart = \"always\"\n",
		     "t.ini:5: processes.web.restart: must be a table, not a string");
	expect_error(BASE "health = true\n",
		     "t.ini:5: processes.web.health: must be a table, not a boolean");
	expect_error(BASE "mounts.0 = []\n",
		     "t.ini:5: processes.web.mounts.0: must be a table, not an array");
}

Test(empty_table, twice_is_an_error)
{
	expect_error(BASE "restart = {}\nrestart = {}\n",
		     "t.ini:6: processes.web.restart: defined twice (first at line 5)");
	expect_error(BASE "ports.0 = {}\nports.0.internal = 80\nports.0 = {}\n",
		     "t.ini:7: processes.web.ports.0: defined twice (first at line 5)");
}

/* ==== 3. all errors are reported, in line order ==== */

Test(errors, all_reported_in_line_order)
{
	static const char *const want[] = {
		"t.ini:3: app.name: length must be",
		"t.ini:4: line is",
		"t.ini:7: processes.web.resources.memory: \"1Mi\" is less than",
		"t.ini:8: processes.web.restart.policy: \"maybe\" is not allowed",
		"t.ini:9: processes.web.ports.0.internal: must be between",
		"t.ini:10: processes.web.bogus: unknown key",
		"t.ini:12: volumes.0.size: \"1Mi\" is less than",
	};
	char *pad = rep("x", 200);
	char *t = fmt(
		"schema_version = \"v1\"\n"   /* 1 */
		"[app]\n"                     /* 2 */
		"name = \"\"\n"               /* 3 */
		"description = \"%s\"\n"      /* 4: too long */
		"[processes.web]\n"           /* 5 */
		"command = [\"/a\"]\n"        /* 6 */
		"resources.memory = \"1Mi\"\n"/* 7 */
		"restart.policy = \"maybe\"\n"/* 8 */
		"ports.0.internal = 0\n"      /* 9 */
		"bogus = 1\n"                 /* 10 */
		"[volumes.0]\n"               /* 11 */
		"size = \"1Mi\"\n"            /* 12 */
		"name = \"v\"\n",             /* 13 */
		pad);
	struct spec *s = unit_spec(t);
	size_t n = sizeof(want) / sizeof(*want);
	cr_assert_eq(s->nerrors, n, "want %zu errors, got:\n%s", n, unit_errors(s));
	for (size_t i = 0; i < n; i++)
		cr_assert(strstr(s->errors[i], want[i]) == s->errors[i],
			  "error %zu is '%s', want it to start with '%s'", i, s->errors[i], want[i]);
	cr_assert_null(s->errors[n], "errors are NULL-terminated");
	free(pad);
	free(t);
	spec_free(s);
}

Test(errors, several_in_one_section)
{
	struct spec *s = unit_spec(BASE
		"workdir = \"rel\"\n"          /* 5 */
		"user = \"a b\"\n"             /* 6 */
		"resources.cpu = 100\n"        /* 7 */
		"resources.disk = \"1Mi\"\n"   /* 8 */
		"secrets.required = \"no\"\n");/* 9 */
	cr_assert_eq(s->nerrors, 5, "%s", unit_errors(s));
	for (size_t i = 0; i < 5; i++) {
		char *prefix = fmt("t.ini:%zu: processes.web.", i + 5);
		cr_assert(strstr(s->errors[i], prefix) == s->errors[i], "error %zu: %s", i, s->errors[i]);
		free(prefix);
	}
	spec_free(s);
}

Test(errors, many_errors_counted_beyond_limit)
{
	/* SPEC_MAX_ERRORS are kept, the rest counted */
	size_t n = SPEC_MAX_ERRORS + 50;
	char *t = malloc(n * 16 + 200), *w = t;
	struct spec *s;
	w += sprintf(w, "%s", BASE);
	for (size_t i = 0; i < n; i++)
		w += sprintf(w, "bad%zu = 1\n", i);
	s = unit_spec(t);
	cr_assert_eq(s->nerrors, SPEC_MAX_ERRORS);
	cr_assert_eq(s->errors_dropped, 50);
	cr_assert_str_eq(s->errors[0], "t.ini:5: processes.web.bad0: unknown key");
	spec_free(s);
	free(t);
}

/* An error is one line of text: a value quoted in a message keeps its escapes
 * (found by the spec fuzzer: "on-fail\nure" made a two-line error, and a
 * value could have forged a whole error line or sent escapes to the console). */
Test(errors, values_in_messages_stay_escaped)
{
	struct spec *s = unit_spec(BASE "restart.policy = \"on-fail\\nure\"\n"   /* 5 */
				   "user = \"a\\u001b[2Jb c\"\n"                  /* 6 */
				   "workdir = \"x\\ny.ini:1: forged\"\n"         /* 7 */
				   "prestart_timeout_seconds = 1 \x01\n");         /* 8 */
	cr_assert_eq(s->nerrors, 4, "%s", unit_errors(s));
	for (size_t i = 0; i < s->nerrors; i++)
		for (const char *c = s->errors[i]; *c; c++)
			cr_assert((unsigned char)*c >= 0x20 && *c != 0x7f,
				  "a control character in: %s", s->errors[i]);
	assert_error(s, "t.ini:5: processes.web.restart.policy: \"on-fail\\nure\" is not allowed");
	assert_error(s, "t.ini:6: processes.web.user: \"a\\u001b[2Jb c\" is not USER");
	assert_error(s, "t.ini:7: processes.web.workdir: \"x\\ny.ini:1: forged\" must be an absolute path");
	assert_error(s, "t.ini:8: processes.web.prestart_timeout_seconds: unexpected text after the value: \\u0001");
	spec_free(s);
}

/* 1 if s is valid UTF-8 (no overlongs, surrogates or code points past U+10FFFF). */
static int utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		size_t k = *p < 0x80 ? 1 : *p >= 0xc2 && *p <= 0xdf ? 2 : *p >= 0xe0 && *p <= 0xef ? 3
			 : *p >= 0xf0 && *p <= 0xf4 ? 4 : 0;
		if (!k)
			return 0;
		for (size_t i = 1; i < k; i++)
			if ((p[i] & 0xc0) != 0x80)
				return 0;
		if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0) ||
		    (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] >= 0x90))
			return 0;
		p += k;
	}
	return 1;
}

/* A message cut inside a UTF-8 sequence ("%.40s") stays valid UTF-8. */
Test(errors, messages_are_valid_utf8)
{
	char *pad = rep("\xe6\xbc\xa2", 30);   /* 90 bytes of CJK */
	char *t = fmt(BASE "vars = [\"ab%s\"]\n", pad);   /* cut at 40 bytes: mid-character */
	struct spec *s = unit_spec(t);
	cr_assert_eq(s->nerrors, 1, "%s", unit_errors(s));
	cr_assert_eq(utf8_valid(s->errors[0]), 1, "invalid UTF-8: %s", s->errors[0]);
	spec_free(s);
	free(t);
	free(pad);
}

/* ==== 4. the syntax layer ==== */

/* A spec whose line 6 is "description = "xxx..."" of exactly len bytes. */
static char *line_of(size_t len)
{
	char *pad = rep("x", len - strlen("description = \"\""));
	char *t = fmt(BASE "[app]\ndescription = \"%s\"\nname = \"n\"\n", pad);
	free(pad);
	return t;
}

Test(syntax, line_198_bytes_ok)
{
	char *t = line_of(198);
	struct spec *s = load_ok(t);
	cr_assert_eq(strlen(s->app_description), 198 - 16);
	cr_assert_str_eq(s->app_name, "n");
	spec_free(s);
	free(t);
}

Test(syntax, line_199_bytes_rejected)
{
	char *t = line_of(199);
	struct spec *s = unit_spec(t);
	assert_error(s, "t.ini:6: line is 199 bytes, longer than 198");
	/* the line is dropped, not cut, and the next line is still read */
	cr_assert_null(s->app_description);
	cr_assert_str_eq(s->app_name, "n");
	spec_free(s);
	free(t);
}

Test(syntax, very_long_line_rejected)
{
	char *t = line_of(5000);
	expect_error(t, "t.ini:6: line is 5000 bytes");
	free(t);
}

Test(syntax, long_continuation_line_rejected)
{
	char *pad = rep("y", 200);
	char *t = fmt(BASE "[app]\ndescription = \"a\"\n  \"%s\"\n", pad);
	expect_error(t, "t.ini:7: line is 204 bytes");
	free(pad);
	free(t);
}

Test(syntax, continuation_array)
{
	static const char *const want[] = { "/bin/app", "--flag", "value", NULL };
	struct spec *s = load_ok(
		"schema_version = \"v1\"\n"
		"[processes.web]\n"
		"command = [\n"
		"    \"/bin/app\",\n"
		"\t\"--flag\",\n"
		"\n"
		"    \"value\"\n"
		"  ]\n"
		"resources.memory = \"64Mi\"\n");
	assert_strv(&s->procs[0].command, want);
	spec_free(s);
}

Test(syntax, continuation_line_numbers)
{
	/* errors after a continued value keep the right line */
	expect_error(
		"schema_version = \"v1\"\n"
		"[processes.web]\n"
		"command = [\n"
		"  \"/bin/app\"\n"
		"  ]\n"
		"resources.memory = \"1Mi\"\n",
		"t.ini:6: processes.web.resources.memory: \"1Mi\" is less than");
}

Test(syntax, continuation_error_reports_key_line)
{
	expect_error(
		"schema_version = \"v1\"\n"
		"[processes.web]\n"
		"resources.memory = \"64Mi\"\n"
		"command = [\n"
		"  \"/bin/app\",\n"
		"  5 ]\n",
		"t.ini:4: processes.web.command: array elements must be strings");
}

Test(syntax, adjacent_literals_concatenate)
{
	struct spec *s = load_ok(BASE "[app]\nname = \"abc\" \"def\"\ndescription = \"x\"\"y\"\n");
	cr_assert_str_eq(s->app_name, "abcdef");
	cr_assert_str_eq(s->app_description, "xy");
	spec_free(s);
}

Test(syntax, adjacent_literals_across_lines)
{
	static const char *const want[] = { "/bin/app", "abcdef", "g", NULL };
	struct spec *s = load_ok(
		"schema_version = \"v1\"\n"
		"[processes.web]\n"
		"command = [\"/bin/app\", \"abc\"\n"
		"  \"def\",\n"
		"  \"g\"]\n"
		"resources.memory = \"64Mi\"\n");
	assert_strv(&s->procs[0].command, want);
	spec_free(s);
}

Test(syntax, value_on_next_line)
{
	struct spec *s = load_ok(BASE "[app]\nname =\n  \"late\"\n");
	cr_assert_str_eq(s->app_name, "late");
	spec_free(s);
}

Test(syntax, indented_line_without_key)
{
	expect_error(BASE "[app]\n  name = \"x\"\n",
		     "t.ini:6: indented line does not continue a key's value");
	expect_error("  schema_version = \"v1\"\n",
		     "t.ini:1: indented line does not continue a key's value");
}

Test(syntax, space_semicolon_rejected)
{
	expect_error(BASE "[app]\nname = \"a ;b\"\n",
		     "t.ini:6: ' ;' would start a comment here");
	expect_error(BASE "[app]\nname = \"x\" ; comment\n",
		     "t.ini:6: ' ;' would start a comment");
	expect_error(BASE "[app]\nname = \"x\"\t;comment\n",
		     "t.ini:6: ' ;' would start a comment");
}

Test(syntax, space_semicolon_in_continuation_rejected)
{
	expect_error(BASE "[app]\nname = \"x\"\n  \"a ;b\"\n",
		     "t.ini:7: ' ;' would start a comment here");
}

Test(syntax, semicolon_without_space_kept)
{
	static const char *const want[] = { "/bin/sh", "-c", "a;b;", ";x", NULL };
	struct spec *s = load_ok("schema_version = \"v1\"\n[processes.web]\n"
				 "command = [\"/bin/sh\", \"-c\", \"a;b;\", \";x\"]\n"
				 "resources.memory = \"64Mi\"\n");
	assert_strv(&s->procs[0].command, want);
	spec_free(s);
}

Test(syntax, hash_inside_string_kept)
{
	struct spec *s = load_ok(BASE "[app]\nname = \"a #b\"\ndescription = \"#c\"\n");
	cr_assert_str_eq(s->app_name, "a #b");
	cr_assert_str_eq(s->app_description, "#c");
	spec_free(s);
}

Test(syntax, escaped_semicolon)
{
	struct spec *s = load_ok(BASE "[app]\nname = \"a \\u003b b\"\n");
	cr_assert_str_eq(s->app_name, "a ; b");
	spec_free(s);
}

Test(syntax, json_escapes)
{
	struct spec *s = load_ok(BASE "[app]\n"
		"name = \"n\\nt\\tq\\\"b\\\\s\\/e\\u00e9E\\u00C9\"\n"
		"description = \"\\b\\f\\r\\ud83d\\ude00\\u20ac\"\n");
	cr_assert_str_eq(s->app_name, "n\nt\tq\"b\\s/e\xc3\xa9" "E\xc3\x89");
	cr_assert_str_eq(s->app_description, "\b\f\r\xf0\x9f\x98\x80\xe2\x82\xac");
	spec_free(s);
}

Test(syntax, raw_utf8_kept)
{
	struct spec *s = load_ok(BASE "[app]\nname = \"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"\n");
	cr_assert_str_eq(s->app_name, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	spec_free(s);
}

Test(syntax, invalid_utf8_rejected)
{
	static const char *const bad[] = {
		"\xff",                 /* never valid */
		"\x80",                 /* lone continuation byte */
		"\xc0\xaf",             /* overlong '/' */
		"\xe0\x80\xaf",         /* overlong, 3 bytes */
		"\xed\xa0\x80",         /* encoded surrogate */
		"\xf4\x90\x80\x80",     /* above U+10FFFF */
		"\xe2\x82",             /* truncated */
		NULL };
	for (int i = 0; bad[i]; i++) {
		char *t = fmt(BASE "[app]\nname = \"a%sb\"\n", bad[i]);
		expect_error(t, "t.ini:6: app.name: invalid UTF-8 in string");
		free(t);
	}
}

Test(syntax, nul_escape_rejected)
{
	expect_error(BASE "[app]\nname = \"a\\u0000b\"\n",
		     "t.ini:6: app.name: NUL (\\u0000) is not allowed in strings");
}

Test(syntax, nul_byte_rejected)
{
	static const char text[] = BASE "[app]\nname = \"a\0b\"\n";
	struct spec *s = spec_load_buffer("t.ini", text, sizeof(text) - 1);
	cr_assert_not_null(s);
	assert_error(s, "t.ini:6: NUL byte in spec");
	spec_free(s);
}

Test(syntax, unpaired_surrogates_rejected)
{
	expect_error(BASE "[app]\nname = \"\\ud83d\"\n",
		     "t.ini:6: app.name: unpaired UTF-16 surrogate");
	expect_error(BASE "[app]\nname = \"\\ude00\"\n",
		     "t.ini:6: app.name: unpaired UTF-16 surrogate");
	expect_error(BASE "[app]\nname = \"\\ud83dx\"\n",
		     "t.ini:6: app.name: unpaired UTF-16 surrogate");
}

Test(syntax, bad_escapes_rejected)
{
	expect_error(BASE "[app]\nname = \"\\x41\"\n", "t.ini:6: app.name: bad escape \\x");
	expect_error(BASE "[app]\nname = \"\\u12\"\n", "t.ini:6: app.name: bad escape \\u");
	expect_error(BASE "[app]\nname = \"\\'\"\n", "t.ini:6: app.name: bad escape");
}

Test(syntax, raw_control_character_rejected)
{
	expect_error(BASE "[app]\nname = \"a\tb\"\n",
		     "t.ini:6: app.name: control character in string");
}

Test(syntax, unterminated_string)
{
	expect_error(BASE "[app]\nname = \"abc\n", "t.ini:6: app.name: unterminated string");
	expect_error(BASE "[app]\nname = \"abc\\\"\n", "t.ini:6: app.name: unterminated string");
}

Test(syntax, unterminated_array)
{
	expect_error(BASE "vars = [\"A=1\"\n", "t.ini:5: processes.web.vars: unterminated array");
	expect_error(BASE "vars = [\"A=1\",\n", "t.ini:5: processes.web.vars: unterminated array");
}

Test(syntax, array_trailing_comma_and_empty)
{
	static const char *const want[] = { "/bin/app", "x", NULL };
	struct spec *s = load_ok("schema_version = \"v1\"\n[processes.web]\n"
				 "command = [\"/bin/app\", \"x\",]\nvars = [ ]\n"
				 "resources.memory = \"64Mi\"\n");
	assert_strv(&s->procs[0].command, want);
	cr_assert_eq(s->procs[0].vars.set, 1);
	cr_assert_eq(s->procs[0].vars.n, 0);
	spec_free(s);
	expect_error(BASE "vars = [,]\n", "t.ini:5: processes.web.vars: array elements must be strings");
}

Test(syntax, array_missing_comma)
{
	expect_error(BASE "vars = [\"A=1\" x]\n",
		     "t.ini:5: processes.web.vars: expected ',' or ']' in array");
}

Test(syntax, trailing_garbage)
{
	expect_error(BASE "[app]\nname = \"x\" y\n",
		     "t.ini:6: app.name: unexpected text after the value");
	expect_error(BASE "scaling.min = 1 2\n",
		     "t.ini:5: processes.web.scaling.min: unexpected text after the value");
	expect_error(BASE "secrets.required = trueish\n",
		     "t.ini:5: processes.web.secrets.required: unexpected text after the value");
	expect_error(BASE "vars = [\"A=1\"] ,\n",
		     "t.ini:5: processes.web.vars: unexpected text after the value");
}

Test(syntax, bare_word_rejected)
{
	expect_error(BASE "[app]\nname = hello\n", "t.ini:6: app.name: not a value");
	expect_error(BASE "secrets.required = True\n", "t.ini:5: processes.web.secrets.required: not a value");
}

Test(syntax, missing_value)
{
	expect_error(BASE "[app]\nname =\n", "t.ini:6: app.name: missing value");
}

Test(syntax, numbers)
{
	expect_error(BASE "scaling.min = 08\n", "t.ini:5: processes.web.scaling.min: ");
	expect_error(BASE "scaling.min = 1.\n", "t.ini:5: processes.web.scaling.min: bad number");
	expect_error(BASE "scaling.min = 99999999999999999999\n",
		     "t.ini:5: processes.web.scaling.min: bad number");
	expect_error(BASE "scaling.min = 3000000000\n", "t.ini:5: processes.web.scaling.min: ");
	expect_error(BASE "resources.cpu = 1e999\n", "t.ini:5: processes.web.resources.cpu: bad number");
	expect_error(BASE "scaling.min = +1\n", "t.ini:5: processes.web.scaling.min: not a value");
}

Test(syntax, colon_separator_rejected)
{
	expect_error("schema_version: \"v1\"\n", "t.ini:1: expected key = value");
	expect_error(BASE "[app]\nname: \"a=b\"\n", "t.ini:6: expected key = value");
}

Test(syntax, line_without_equals_rejected)
{
	expect_error(BASE "[app]\njust words\n", "t.ini:6: expected key = value");
}

Test(syntax, missing_key_rejected)
{
	expect_error(BASE "[app]\n= \"x\"\n", "t.ini:6: missing key before '='");
}

Test(syntax, bad_key_characters)
{
	expect_error(BASE "[app]\nmy name = \"x\"\n", "t.ini:6: bad character in key");
	expect_error(BASE "[app]\n\"name\" = \"x\"\n", "t.ini:6: bad character in key");
}

Test(syntax, malformed_section_headers)
{
	static const char *const bad[] = {
		"[processes.web", "processes.web]", "[]", "[app] x", "[app]]",
		"[[volumes]]", "[processes web]", "[ app ]", "[app/x]", "[caf\xc3\xa9]", NULL };
	for (int i = 0; bad[i]; i++) {
		char *t = fmt(BASE "%s\n", bad[i]);
		char *needle = fmt("t.ini:5: %s", bad[i][0] == '[' ? "malformed section header"
								    : "expected key = value");
		expect_error(t, needle);
		free(t);
		free(needle);
	}
}

Test(syntax, section_name_49_ok_50_rejected)
{
	/* processes. + 39 = 49 bytes: read (and rejected only for the name
	 * pattern); + 40 = 50 bytes: rejected by the reader */
	char *n39 = rep("a", 39), *n40 = rep("a", 40);
	char *t49 = fmt(BASE "[processes.%s]\n", n39);
	char *t50 = fmt(BASE "[processes.%s]\n", n40);
	char *want49 = fmt("t.ini:5: processes.%s: process name", n39);
	expect_error(t49, want49);
	expect_no_error(t49, "longer than");
	expect_error(t50, "t.ini:5: section name is longer than 49 bytes");
	free(n39); free(n40); free(t49); free(t50); free(want49);
}

Test(syntax, comments_and_blank_lines)
{
	struct spec *s = load_ok(
		"# a comment\n"
		"; another comment\n"
		"\n"
		"   \n"
		"\t\n"
		"schema_version = \"v1\"\n"
		"  # an indented comment\n"
		"[processes.web]\n"
		"# comment ; with = signs [and brackets]\n"
		"command = [\"/bin/app\"]\n"
		"\n"
		"resources.memory = \"64Mi\"\n"
		";resources.memory = \"1Mi\"\n"
		"#bogus = 1\n");
	cr_assert_str_eq(s->procs[0].memory, "64Mi");
	spec_free(s);
}

Test(syntax, comment_lines_count_for_line_numbers)
{
	expect_error("# one\n; two\n\nschema_version = \"v2\"\n[processes.web]\n"
		     "command = [\"/a\"]\nresources.memory = \"64Mi\"\n",
		     "t.ini:4: schema_version: \"v2\" is not supported");
}

Test(syntax, utf8_bom)
{
	struct spec *s = load_ok("\xef\xbb\xbf" BASE);
	cr_assert_eq(s->nprocs, 1);
	spec_free(s);
	/* the BOM counts only at the very start */
	expect_error(BASE "\xef\xbb\xbf[app]\n", "t.ini:5: ");
}

Test(syntax, crlf_line_endings)
{
	struct spec *s = load_ok("schema_version = \"v1\"\r\n[processes.web]\r\n"
				 "command = [\"/bin/app\",\r\n  \"x\"]\r\nresources.memory = \"64Mi\"\r\n");
	static const char *const want[] = { "/bin/app", "x", NULL };
	assert_strv(&s->procs[0].command, want);
	spec_free(s);
}

Test(syntax, no_final_newline)
{
	struct spec *s = load_ok("schema_version = \"v1\"\n[processes.web]\ncommand = [\"/a\"]\n"
				 "resources.memory = \"64Mi\"");
	cr_assert_str_eq(s->procs[0].memory, "64Mi");
	spec_free(s);
}

Test(syntax, empty_file)
{
	struct spec *s = unit_spec("");
	assert_error(s, "t.ini:1: schema_version: required");
	assert_error(s, "t.ini:1: processes: at least one");
	spec_free(s);
}

Test(syntax, whitespace_around_key_and_value)
{
	struct spec *s = load_ok(BASE "[app]\nname=\"a\"\ndescription   =   \"b\"   \n");
	cr_assert_str_eq(s->app_name, "a");
	cr_assert_str_eq(s->app_description, "b");
	spec_free(s);
}

Test(syntax, buffer_too_large)
{
	size_t len = SPEC_MAX_BYTES + 1;
	char *big = malloc(len);
	struct spec *s;
	memset(big, '#', len);
	s = spec_load_buffer("t.ini", big, len);
	cr_assert_not_null(s);
	cr_assert_eq(s->nerrors, 1, "%s", unit_errors(s));
	assert_error(s, "t.ini:1: spec is 1048577 bytes, larger than the 1048576-byte limit");
	spec_free(s);
	free(big);
}

/* ==== 4b. loading from files, and the shared helpers ==== */

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

/* ==== 5. argv round trip through the canonical form ==== */

/* Encode s as adjacent JSON literals on continuation lines, each at most
 * 100 bytes, never splitting a UTF-8 sequence (test-side, independent of
 * spec/value.c's writer). */
static void put_literals(FILE *f, const char *s)
{
	size_t col = 0;
	fputs("  \"", f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char enc[8];
		if (col >= 90 && (c & 0xc0) != 0x80) {
			fputs("\"\n  \"", f);
			col = 0;
		}
		if (c == '"' || c == '\\')
			snprintf(enc, sizeof(enc), "\\%c", c);
		else if (c == '\n')
			snprintf(enc, sizeof(enc), "\\n");
		else if (c == ';' || c < 0x20)
			snprintf(enc, sizeof(enc), "\\u%04x", c);
		else
			snprintf(enc, sizeof(enc), "%c", c);
		fputs(enc, f);
		col += strlen(enc);
	}
	fputs("\"", f);
}

static char *argv_spec(const char *const *argv)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	cr_assert_not_null(f);
	fputs("schema_version = \"v1\"\n[processes.web]\nresources.memory = \"64Mi\"\ncommand = [\n", f);
	for (size_t i = 0; argv[i]; i++) {
		put_literals(f, argv[i]);
		fputs(argv[i + 1] ? ",\n" : "\n", f);
	}
	fputs("  ]\n", f);
	fclose(f);
	return out;
}

static void assert_lines_fit(const char *text)
{
	size_t lineno = 1;
	for (const char *p = text; *p; lineno++) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		cr_assert_leq(n, 198, "printed line %zu is %zu bytes:\n%.*s", lineno, n, (int)n, p);
		p += n + (nl ? 1 : 0);
	}
}

Test(roundtrip, argv_byte_for_byte)
{
	char *big = malloc(501);
	const char *argv[] = {
		"/bin/my prog",
		"say \"hi\"",
		"C:\\path\\to\\",
		"",
		"  lead and trail  ",
		"a;b ; c;",
		"tab\there\t",
		"line1\nline2\n",
		"h\xc3\xa9llo w\xc3\xb6rld \xe2\x9c\x93 \xf0\x9f\x98\x80",
		"ctl\x01\x1f\x7f\r",
		"= [ ] , # \\u003b",
		big,
		"last",
		NULL };
	char *text, *p1, *p2;
	struct spec *s0, *s1, *s2;

	/* 500 bytes mixing everything that needs care when wrapped */
	for (size_t i = 0; i < 500; i++)
		big[i] = "ab \";\\\tx"[i % 8];
	memcpy(big + 100, "\xc3\xa9\xf0\x9f\x98\x80", 6);
	big[500] = '\0';
	cr_assert_eq(strlen(big), 500);

	text = argv_spec(argv);
	s0 = load_ok(text);
	assert_strv(&s0->procs[0].argv, argv);
	assert_strv(&s0->procs[0].command, argv);

	p1 = unit_print(s0);
	assert_lines_fit(p1);
	s1 = load_ok(p1);
	assert_strv(&s1->procs[0].argv, argv);
	for (size_t i = 0; argv[i]; i++)
		cr_assert_eq(memcmp(s1->procs[0].argv.v[i], argv[i], strlen(argv[i]) + 1), 0,
			     "element %zu differs after printing", i);

	p2 = unit_print(s1);
	cr_assert_str_eq(p2, p1, "printing is not idempotent");
	s2 = load_ok(p2);
	assert_strv(&s2->procs[0].argv, argv);

	spec_free(s0); spec_free(s1); spec_free(s2);
	free(text); free(p1); free(p2); free(big);
}

Test(roundtrip, long_multibyte_strings_wrap)
{
	/* 300 four-byte characters: 1200 bytes, split into literals that must
	 * not cut a sequence */
	char *e = rep("\xf0\x9f\x98\x80", 300);
	const char *argv[] = { "/bin/app", e, NULL };
	char *text = argv_spec(argv), *p1, *p2;
	struct spec *s0 = load_ok(text), *s1;
	p1 = unit_print(s0);
	assert_lines_fit(p1);
	s1 = load_ok(p1);
	assert_strv(&s1->procs[0].argv, argv);
	p2 = unit_print(s1);
	cr_assert_str_eq(p2, p1);
	spec_free(s0); spec_free(s1);
	free(e); free(text); free(p1); free(p2);
}

Test(roundtrip, many_elements_wrap)
{
	/* 150 short elements: the array itself must wrap */
	const char *argv[152];
	char *text, *p1, *p2;
	struct spec *s0, *s1;
	argv[0] = "/bin/app";
	for (int i = 1; i <= 150; i++)
		argv[i] = (i % 3) ? "--x" : "";
	argv[151] = NULL;
	text = argv_spec(argv);
	s0 = load_ok(text);
	p1 = unit_print(s0);
	assert_lines_fit(p1);
	s1 = load_ok(p1);
	assert_strv(&s1->procs[0].argv, argv);
	p2 = unit_print(s1);
	cr_assert_str_eq(p2, p1);
	spec_free(s0); spec_free(s1);
	free(text); free(p1); free(p2);
}

Test(roundtrip, full_spec_idempotent)
{
	char *t = fmt(
		"schema_version = \"v1\"\n"
		"[app]\nname = \"demo \\u003b app\"\ndescription = \"%s\"\n"
		"[image]\nref = \"ghcr.io/acme/app@sha256:" HEX64 "\"\npull_policy = \"always\"\n"
		"[env]\nvars = [\"Z=last\", \"A=a b\\tc\", \"PATH=/bin:/usr/bin\"]\n"
		"workdir = \"/srv\"\nuser = \"app:app\"\nprestart = [\"/bin/setup\"]\n"
		"prestart_timeout_seconds = 12\n"
		"[processes.worker]\ncommand = [\"/bin/worker\", \"-q\"]\nresources.memory = \"128Mi\"\n"
		"restart.policy = \"never\"\nresources.cpu = 0.25\n"
		"[processes.web]\ncommand = [\"/bin/web\"]\nresources.memory = \"1Gi\"\n"
		"restart.policy = \"on-failure\"\nrestart.max_retries = 7\nresources.cpu = 3\n"
		"vars = [\"PORT=8080\"]\nuser = \"1000\"\nworkdir = \"/app\"\n"
		"ports.0.internal = 8080\nports.1.name = \"admin\"\nports.1.internal = 9090\n"
		"health.type = \"http\"\nhealth.port = \"admin\"\nhealth.path = \"/health\"\n"
		"mounts.0.volume = \"data\"\nmounts.0.path = \"/data\"\nmounts.0.read_only = true\n"
		"secrets.required = true\nscaling.min = 2\nscaling.max = 4\n"
		"[volumes.0]\nname = \"data\"\nsize = \"10Gi\"\nbackup_enabled = false\n"
		"[volumes.1]\nname = \"logs\"\nsize = \"1Gi\"\n"
		"[guest]\nhostname = \"demo\"\nhalt = \"reboot\"\nstop_timeout_seconds = 3\n"
		"[guest.image]\nentrypoint = [\"/entry\"]\ncmd = [\"run\"]\nenv = [\"lower.case=ok\"]\n"
		"workdir = \"/\"\nuser = \"nobody\"\n"
		"[guest.volumes.logs]\ndevice = \"/dev/vdc\"\n"
		"[guest.volumes.data]\ndevice = \"/dev/vdb\"\n",
		"x");
	char *p1, *p2;
	struct spec *s0, *s1;
	s0 = load_ok(t);
	p1 = unit_print(s0);
	assert_lines_fit(p1);
	s1 = load_ok(p1);
	p2 = unit_print(s1);
	cr_assert_str_eq(p2, p1);
	/* a few fields survive the trip unchanged */
	cr_assert_str_eq(s1->app_name, "demo ; app");
	cr_assert_str_eq(s1->vols[1].device, "/dev/vdc");
	cr_assert_eq(proc(s1, "web")->health.port, 9090);
	cr_assert_eq(proc(s1, "web")->max_retries, 7);
	cr_assert_float_eq(proc(s1, "worker")->cpu, 0.25, 1e-12);
	cr_assert_str_eq(s1->image.env.v[0], "lower.case=ok");
	spec_free(s0); spec_free(s1);
	free(t); free(p1); free(p2);
}

Test(roundtrip, empty_tables_dropped_without_loss)
{
	/* {} adds nothing the canonical form has to carry: defaults print the
	 * empty restart/resources/scaling/secrets, and a health table, port or
	 * mount is only valid with keys, which print. */
	const char *with =
		"schema_version = \"v1\"\n"
		"[processes.web]\ncommand = [\"/bin/web\"]\nresources = {}\nresources.memory = \"64Mi\"\n"
		"restart = {}\nscaling = { }\nsecrets = {}\n"
		"ports.0 = {}\nports.0.internal = 80\n"
		"health = {}\nhealth.port = \"p80\"\n"
		"mounts.0 = {}\nmounts.0.volume = \"d\"\nmounts.0.path = \"/d\"\n"
		"[volumes.0]\nname = \"d\"\nsize = \"1Gi\"\n";
	const char *without =
		"schema_version = \"v1\"\n"
		"[processes.web]\ncommand = [\"/bin/web\"]\nresources.memory = \"64Mi\"\n"
		"ports.0.internal = 80\nhealth.port = \"p80\"\n"
		"mounts.0.volume = \"d\"\nmounts.0.path = \"/d\"\n"
		"[volumes.0]\nname = \"d\"\nsize = \"1Gi\"\n";
	struct spec *s0 = load_ok(with), *s1, *sw = load_ok(without);
	char *p1 = unit_print(s0), *p2, *pw = unit_print(sw);
	cr_assert_str_eq(p1, pw, "{} changed the canonical form");
	cr_assert_null(strstr(p1, "{}"));
	s1 = load_ok(p1);
	p2 = unit_print(s1);
	cr_assert_str_eq(p2, p1);
	cr_assert_eq(proc(s1, "web")->health.present, 1);
	cr_assert_eq(proc(s1, "web")->health.port, 80);
	cr_assert_eq(proc(s1, "web")->nports, 1);
	cr_assert_eq(proc(s1, "web")->nmounts, 1);
	spec_free(s0); spec_free(s1); spec_free(sw);
	free(p1); free(p2); free(pw);
}

Test(roundtrip, long_description_idempotent)
{
	/* 240 characters, 400 bytes, with ';' after spaces: wraps and escapes */
	char *d = rep("\xc3\xa9 ;", 80);
	char *t = fmt(BASE "[app]\ndescription = \"x\"\n");
	struct spec *s0 = load_ok(t), *s1;
	char *p1, *p2;
	free(s0->app_description);
	s0->app_description = strdup(d);   /* set directly: the input would need escapes */
	p1 = unit_print(s0);
	assert_lines_fit(p1);
	s1 = load_ok(p1);
	cr_assert_str_eq(s1->app_description, d);
	p2 = unit_print(s1);
	cr_assert_str_eq(p2, p1);
	spec_free(s0); spec_free(s1);
	free(d); free(t); free(p1); free(p2);
}

Test(roundtrip, cpu_values)
{
	static const char *const in[] = { "1", "0.1", "0.3", "64", "63.999", "1e-3", "2.5E1", "5e-324", NULL };
	for (int i = 0; in[i]; i++) {
		char *t = fmt(BASE "resources.cpu = %s\n", in[i]);
		struct spec *s0 = load_ok(t), *s1;
		char *p = unit_print(s0);
		s1 = load_ok(p);
		cr_assert_eq(s1->procs[0].cpu, s0->procs[0].cpu, "cpu %s did not survive: %s", in[i], p);
		spec_free(s0); spec_free(s1);
		free(t); free(p);
	}
}

/* ==== 6. the derived argv ==== */

Test(argv, command_wins_over_image)
{
	static const char *const want[] = { "/bin/app", NULL };
	struct spec *s = load_ok(BASE "[guest.image]\nentrypoint = [\"/entry\"]\ncmd = [\"serve\"]\n");
	assert_strv(&s->procs[0].argv, want);
	spec_free(s);
}

Test(argv, entrypoint_plus_cmd)
{
	static const char *const want[] = { "/entry", "-v", "serve", "--port", "80", NULL };
	struct spec *s = load_ok("schema_version = \"v1\"\n[processes.web]\nresources.memory = \"64Mi\"\n"
				 "[guest.image]\nentrypoint = [\"/entry\", \"-v\"]\n"
				 "cmd = [\"serve\", \"--port\", \"80\"]\n");
	assert_strv(&s->procs[0].argv, want);
	cr_assert_eq(s->procs[0].command.set, 0);
	spec_free(s);
}

Test(argv, entrypoint_only)
{
	static const char *const want[] = { "/entry", NULL };
	struct spec *s = load_ok("schema_version = \"v1\"\n[processes.web]\nresources.memory = \"64Mi\"\n"
				 "[guest.image]\nentrypoint = [\"/entry\"]\n");
	assert_strv(&s->procs[0].argv, want);
	spec_free(s);
}

Test(argv, cmd_only)
{
	static const char *const want[] = { "/bin/sh", "-c", "run", NULL };
	struct spec *s = load_ok("schema_version = \"v1\"\n[processes.web]\nresources.memory = \"64Mi\"\n"
				 "[guest.image]\ncmd = [\"/bin/sh\", \"-c\", \"run\"]\n");
	assert_strv(&s->procs[0].argv, want);
	spec_free(s);
}

Test(argv, per_process)
{
	static const char *const web[] = { "/bin/web", NULL };
	static const char *const worker[] = { "/entry", "default", NULL };
	struct spec *s = load_ok("schema_version = \"v1\"\n"
				 "[processes.web]\ncommand = [\"/bin/web\"]\nresources.memory = \"64Mi\"\n"
				 "[processes.worker]\nresources.memory = \"64Mi\"\n"
				 "[guest.image]\nentrypoint = [\"/entry\"]\ncmd = [\"default\"]\n");
	assert_strv(&proc(s, "web")->argv, web);
	assert_strv(&proc(s, "worker")->argv, worker);
	spec_free(s);
}

/* ==== 7. canonical output ==== */

Test(canonical, minimal_golden)
{
	struct spec *s = load_ok(BASE);
	char *out = unit_print(s);
	cr_assert_str_eq(out,
		"# vminit spec, canonical form\n"
		"schema_version = \"v1\"\n"
		"\n[image]\n"
		"pull_policy = \"if_not_present\"\n"
		"\n[env]\n"
		"prestart_timeout_seconds = 30\n"
		"\n[processes.web]\n"
		"command = [ \"/bin/app\" ]\n"
		"prestart_timeout_seconds = 30\n"
		"restart.policy = \"always\"\n"
		"restart.backoff_seconds = 2\n"
		"resources.memory = \"64Mi\"\n"
		"resources.cpu = 1.0\n"
		"resources.disk = \"4Gi\"\n"
		"scaling.min = 1\n"
		"scaling.max = 1\n"
		"secrets.required = false\n"
		"\n[guest]\n"
		"hostname = \"vminit\"\n"
		"halt = \"poweroff\"\n"
		"stop_timeout_seconds = 10\n"
		"restart_backoff_max_seconds = 300\n"
		"restart_reset_seconds = 60\n");
	free(out);
	spec_free(s);
}

/* [guest] control is printed exactly when given: its default depends on the
 * mode (PID 1: vsock and serial; vminit run: none), docs/spec.md section 9.
 * minimal_golden shows it absent; given, even empty, it round-trips. */
Test(canonical, control_only_when_given)
{
	static const char *const lists[] = { "[]", "[\"unix:/run/c.sock\", \"vsock:1024\"]" };
	static const char *const printed[] = { "\ncontrol = [ ]\n",
		"\ncontrol = [ \"unix:/run/c.sock\", \"vsock:1024\" ]\n" };
	for (size_t i = 0; i < 2; i++) {
		char *text = fmt(BASE "[guest]\ncontrol = %s\n", lists[i]), *a, *b;
		struct spec *s = load_ok(text), *t;
		a = unit_print(s);
		cr_assert(strstr(a, printed[i]), "%s", a);
		t = load_ok(a);
		cr_assert_eq(t->guest.control.set, 1);
		cr_assert_eq(t->guest.control.n, s->guest.control.n);
		b = unit_print(t);
		cr_assert_str_eq(a, b);
		spec_free(s);
		spec_free(t);
		free(a);
		free(b);
		free(text);
	}
}

Test(canonical, processes_sorted_by_name)
{
	struct spec *s = load_ok("schema_version = \"v1\"\n"
		"[processes.worker]\ncommand = [\"/w\"]\nresources.memory = \"64Mi\"\n"
		"[processes.api]\ncommand = [\"/a\"]\nresources.memory = \"64Mi\"\n"
		"[processes.web]\ncommand = [\"/b\"]\nresources.memory = \"64Mi\"\n");
	char *out = unit_print(s);
	const char *a = strstr(out, "[processes.api]"), *b = strstr(out, "[processes.web]"),
		   *c = strstr(out, "[processes.worker]");
	cr_assert(a && b && c && a < b && b < c, "order wrong:\n%s", out);
	cr_assert_str_eq(s->procs[0].name, "api");
	cr_assert_str_eq(s->procs[1].name, "web");
	cr_assert_str_eq(s->procs[2].name, "worker");
	cr_assert_eq(s->procs[2].line, 2, "line of its header survives sorting");
	free(out);
	spec_free(s);
}

Test(canonical, vars_sorted_by_key)
{
	/* by key, not by the whole "KEY=value" string: "A" < "A0" although
	 * "A0=1" < "A=2" bytewise */
	struct spec *s = load_ok(BASE "vars = [\"Z=1\", \"A0=1\", \"A=2\", \"M_=3\"]\n"
				 "[env]\nvars = [\"B=2\", \"A=1\"]\n");
	static const char *const want[] = { "A=2", "A0=1", "M_=3", "Z=1", NULL };
	char *out = unit_print(s);
	assert_strv(&s->procs[0].vars, want);
	cr_assert(strstr(out, "\nvars = [ \"A=2\", \"A0=1\", \"M_=3\", \"Z=1\" ]\n"), "%s", out);
	cr_assert(strstr(out, "\nvars = [ \"A=1\", \"B=2\" ]\n"), "%s", out);
	free(out);
	spec_free(s);
}

Test(canonical, derived_port_names_printed)
{
	struct spec *s = load_ok(BASE "ports.0.internal = 8080\nports.1.name = \"admin\"\n"
				 "ports.1.internal = 9000\nhealth.port = 8080\n");
	char *out = unit_print(s);
	cr_assert(strstr(out, "\nports.0.name = \"p8080\"\nports.0.internal = 8080\n"
			      "ports.0.protocol = \"tcp\"\nports.1.name = \"admin\"\n"
			      "ports.1.internal = 9000\nports.1.protocol = \"tcp\"\n"), "%s", out);
	cr_assert(strstr(out, "\nhealth.type = \"tcp\"\nhealth.port = 8080\n"
			      "health.interval_seconds = 10\nhealth.timeout_seconds = 2\n"
			      "health.grace_period_seconds = 10\nhealth.success_threshold = 1\n"
			      "health.failure_threshold = 3\n"), "%s", out);
	free(out);
	spec_free(s);
}

Test(canonical, max_retries_only_for_on_failure)
{
	struct spec *s = load_ok(BASE "restart.policy = \"on-failure\"\nrestart.max_retries = 5\n");
	char *out = unit_print(s);
	cr_assert(strstr(out, "\nrestart.policy = \"on-failure\"\nrestart.max_retries = 5\n"), "%s", out);
	free(out);
	spec_free(s);

	s = load_ok(BASE "restart.policy = \"on-failure\"\n");
	out = unit_print(s);
	cr_assert(strstr(out, "\nrestart.max_retries = 3\n"), "default printed:\n%s", out);
	free(out);
	spec_free(s);

	static const char *const others[] = { "always", "never" };
	for (int i = 0; i < 2; i++) {
		char *t = fmt(BASE "restart.policy = \"%s\"\n", others[i]);
		s = load_ok(t);
		out = unit_print(s);
		cr_assert_null(strstr(out, "max_retries"), "%s:\n%s", others[i], out);
		free(out);
		free(t);
		spec_free(s);
	}
}

Test(canonical, semicolon_escaped)
{
	struct spec *s = load_ok(BASE "[app]\nname = \"a;b\"\n");
	char *out = unit_print(s);
	cr_assert(strstr(out, "\nname = \"a\\u003bb\"\n"), "%s", out);
	cr_assert_null(strchr(out, ';'), "a raw ';' was printed:\n%s", out);
	free(out);
	spec_free(s);
}

Test(canonical, volumes_and_guest_volumes)
{
	struct spec *s = load_ok(BASE
		"[volumes.0]\nname = \"zeta\"\nsize = \"1Gi\"\n"
		"[volumes.1]\nname = \"alpha\"\nsize = \"2Gi\"\nbackup_enabled = false\n"
		"[guest.volumes.zeta]\ndevice = \"/dev/vdb\"\n"
		"[guest.volumes.alpha]\ndevice = \"/dev/vdc\"\n");
	char *out = unit_print(s);
	cr_assert(strstr(out, "\n[volumes.0]\nname = \"zeta\"\nsize = \"1Gi\"\nfilesystem = \"ext4\"\n"
			      "backup_enabled = true\n\n[volumes.1]\nname = \"alpha\"\nsize = \"2Gi\"\n"
			      "filesystem = \"ext4\"\nbackup_enabled = false\n"), "%s", out);
	cr_assert(strstr(out, "\n[guest.volumes.alpha]\ndevice = \"/dev/vdc\"\n\n"
			      "[guest.volumes.zeta]\ndevice = \"/dev/vdb\"\n"), "%s", out);
	free(out);
	spec_free(s);
}

/* PID 1 holds 4 fds and a timer per process: the count is bounded. */
static struct spec *spec_with_processes(int n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct spec *s;
	fprintf(f, "schema_version = \"v1\"\n");
	for (int i = 0; i < n; i++)
		fprintf(f, "[processes.p%03d]\ncommand = [\"/bin/true\"]\nresources.memory = \"64Mi\"\n", i);
	fclose(f);
	s = unit_spec(buf);
	free(buf);
	return s;
}

Test(validate_structure, at_most_128_processes)
{
	struct spec *s = spec_with_processes(129);
	/* the 129th process is p128; its header is on line 2 + 128 * 3 */
	cr_assert(unit_has_error(s, "t.ini:386: processes.p128: 129 processes: vminit runs at most 128"),
		  "%s", unit_errors(s));
	cr_assert_eq(s->nerrors, 1, "%s", unit_errors(s));
	spec_free(s);
}

Test(validate_structure, exactly_128_processes_accepted)
{
	struct spec *s = spec_with_processes(128);
	cr_assert_eq(s->nerrors, 0, "%s", unit_errors(s));
	spec_free(s);
}

/* ---- extensions (x-): docs/health.md section 4 ---- */

#define TWO BASE "ports.0.internal = 80\n" /* 5 */ \
	"[processes.db]\ncommand = [\"/bin/db\"]\nresources.memory = \"64Mi\"\n" /* 6-8 */

Test(health_ext, liveness_defaults_and_types)
{
	struct spec *s = load_ok(BASE "ports.0.internal = 80\nx-liveness.type = \"http\"\n"
				 "x-liveness.port = 80\nx-liveness.path = \"/live\"\n"
				 "x-liveness.failure_threshold = 5\n");
	const struct spec_health *h = &s->procs[0].liveness;
	cr_assert(h->present);
	cr_assert_eq(h->type, SPEC_HEALTH_HTTP);
	cr_assert_eq(h->port, 80);
	cr_assert_str_eq(h->path, "/live");
	cr_assert_eq(h->interval, 10);
	cr_assert_eq(h->timeout, 2);
	cr_assert_eq(h->grace, 10);
	cr_assert_eq(h->success_threshold, 1);
	cr_assert_eq(h->failure_threshold, 5);
	cr_assert_not(s->procs[0].health.present, "liveness is not readiness");
	spec_free(s);
}

Test(health_ext, liveness_process_type_has_no_port)
{
	struct spec *s = load_ok(BASE "x-liveness.type = \"process\"\n");
	cr_assert_eq(s->procs[0].liveness.type, SPEC_HEALTH_PROCESS);
	spec_free(s);
	expect_error(BASE "ports.0.internal = 80\nx-liveness.type = \"process\"\nx-liveness.port = 80\n",
		     "t.ini:7: processes.web.x-liveness.port: a process check has no port");
	expect_error(BASE "x-liveness = {}\n", "processes.web.x-liveness.port: required when x-liveness is set");
	expect_error(BASE "ports.0.internal = 80\nx-liveness.port = 81\n",
		     "processes.web.x-liveness.port: 81 is not a declared port");
	expect_error(BASE "ports.0.internal = 80\nx-liveness.port = 80\nx-liveness.type = \"http\"\n",
		     "processes.web.x-liveness.path: required for http");
	expect_error(BASE "ports.0.internal = 80\nx-liveness.port = 80\nx-liveness.interval_seconds = 0\n",
		     "processes.web.x-liveness.interval_seconds");
}

Test(health_ext, readiness_stays_strict_v1)
{
	expect_error(BASE "health.type = \"process\"\n", "processes.web.health.type");
	expect_error(BASE "x-readiness.port = 80\n", "processes.web.x-readiness.port: unknown key");
}

Test(health_ext, startup_timeout_needs_a_check)
{
	struct spec *s = load_ok(BASE "ports.0.internal = 80\nhealth.port = 80\nx-startup_timeout_seconds = 30\n");
	cr_assert_eq(s->procs[0].startup_timeout, 30);
	spec_free(s);
	s = load_ok(BASE "x-liveness.type = \"process\"\nx-startup_timeout_seconds = 5\n");
	spec_free(s);
	expect_error(BASE "x-startup_timeout_seconds = 30\n",
		     "t.ini:5: processes.web.x-startup_timeout_seconds: needs a health or x-liveness check");
	expect_error(BASE "ports.0.internal = 80\nhealth.port = 80\nx-startup_timeout_seconds = 0\n",
		     "processes.web.x-startup_timeout_seconds");
	expect_error(BASE "ports.0.internal = 80\nhealth.port = 80\nx-startup_timeout_seconds = \"30\"\n",
		     "processes.web.x-startup_timeout_seconds: must be an integer, not a string");
}

Test(health_ext, depends_on_parsed_and_resolved)
{
	struct spec *s = load_ok(TWO "restart.policy = \"never\"\nx-liveness.type = \"process\"\n" /* db: 9-10 */
				 "[processes.worker]\ncommand = [\"/bin/w\"]\nresources.memory = \"64Mi\"\n"
				 "x-depends_on = [\"db:healthy\", \"web\"]\n");
	const struct spec_process *w = spec_find_process(s, "worker");
	cr_assert_eq(w->ndeps, 2);
	cr_assert_str_eq(w->deps[0].name, "db");
	cr_assert_eq(w->deps[0].cond, SPEC_DEP_HEALTHY);
	cr_assert_eq(w->deps[1].cond, SPEC_DEP_STARTED);
	cr_assert_str_eq(s->procs[w->deps[1].index].name, "web");
	spec_free(s);
	s = load_ok(TWO "restart.policy = \"on-failure\"\n[processes.worker]\ncommand = [\"/bin/w\"]\n"
		    "resources.memory = \"64Mi\"\nx-depends_on = [\"db:succeeded\"]\n");
	cr_assert_eq(spec_find_process(s, "worker")->deps[0].cond, SPEC_DEP_SUCCEEDED);
	spec_free(s);
}

Test(health_ext, depends_on_errors)
{
	expect_error(TWO "x-depends_on = [\"cache\"]\n",
		     "t.ini:9: processes.db.x-depends_on: \"cache\" is not a process of this spec");
	expect_error(TWO "x-depends_on = [\"db\"]\n", "processes.db.x-depends_on: a process cannot depend on itself");
	expect_error(TWO "x-depends_on = [\"web:ready\"]\n", "\"web:ready\": the condition must be started, healthy or succeeded");
	expect_error(TWO "x-depends_on = [\"web\", \"web:healthy\"]\n", "\"web\" is named twice");
	expect_error(TWO "x-depends_on = [\"web:healthy\"]\n", "\"web:healthy\": web has no health or x-liveness check");
	expect_error(TWO "x-depends_on = [\"web:succeeded\"]\n", "web has restart.policy \"always\"");
	expect_error(TWO "x-depends_on = \"web\"\n", "processes.db.x-depends_on: must be an array, not a string");
}

Test(health_ext, depends_on_cycles)
{
	expect_error(BASE "x-depends_on = [\"b\"]\n"
		     "[processes.a]\ncommand = [\"/a\"]\nresources.memory = \"64Mi\"\nx-depends_on = [\"web\"]\n"
		     "[processes.b]\ncommand = [\"/b\"]\nresources.memory = \"64Mi\"\nx-depends_on = [\"a\"]\n",
		     "x-depends_on: a cycle: ");
	/* a diamond is no cycle */
	struct spec *s = load_ok(BASE "x-depends_on = [\"a\", \"b\"]\n"
		     "[processes.a]\ncommand = [\"/a\"]\nresources.memory = \"64Mi\"\nx-depends_on = [\"c\"]\n"
		     "[processes.b]\ncommand = [\"/b\"]\nresources.memory = \"64Mi\"\nx-depends_on = [\"c\"]\n"
		     "[processes.c]\ncommand = [\"/c\"]\nresources.memory = \"64Mi\"\n");
	spec_free(s);
}

Test(health_ext, canonical_round_trip)
{
	const char *text = TWO "restart.policy = \"on-failure\"\nx-liveness.type = \"process\"\n"
		"x-startup_timeout_seconds = 9\nx-depends_on = [\"web\"]\n";
	struct spec *s = load_ok(text), *t;
	char *a = NULL, *b = NULL;
	size_t na, nb;
	FILE *f = open_memstream(&a, &na);
	spec_print(s, f);
	fclose(f);
	t = load_ok(a);
	f = open_memstream(&b, &nb);
	spec_print(t, f);
	fclose(f);
	cr_assert_str_eq(a, b);
	cr_assert(strstr(a, "x-depends_on = [ \"web:started\" ]"), "%s", a);
	cr_assert(strstr(a, "x-liveness.type = \"process\""), "%s", a);
	cr_assert(strstr(a, "x-startup_timeout_seconds = 9"), "%s", a);
	spec_free(s);
	spec_free(t);
	free(a);
	free(b);
}

/* ==== 8. reading any spec up to the limit is linear ==== */

/* The worst 1 MiB shapes we know (issue 10), each loaded and, when valid,
 * printed. A shape is a head, a unit repeated (with its index) until the next
 * one would pass SPEC_MAX_BYTES, and a tail.
 *
 * Not a timing race: what is measured is the CPU time of this thread
 * (CLOCK_THREAD_CPUTIME_ID), not wall time, so a loaded machine does not
 * inflate it (no other thread works in this process). The linear code takes
 * at most 0.25 s a shape here under ASan; the bound, 5 s, is 20 times that.
 * The quadratic code took over 10 s of CPU on ten of the twelve shapes (the
 * bad headers and the repeated key were never quadratic: they guard). An
 * RLIMIT_CPU of twice the bound ends a regression with SIGXCPU instead of
 * letting it run for minutes. */
#include <sys/resource.h>
#include <time.h>

#define LINEAR_BOUND_S 5.0

typedef int (*shape_unit)(char *buf, size_t len, size_t i);

static char *shape(const char *head, shape_unit unit, const char *tail, size_t *ret_len)
{
	size_t cap = SPEC_MAX_BYTES + 1, n = strlen(head), tl = strlen(tail);
	char *t = malloc(cap), u[256];
	cr_assert_not_null(t);
	memcpy(t, head, n);
	for (size_t i = 0;; i++) {
		int k = unit(u, sizeof(u), i);
		cr_assert(k > 0 && (size_t)k < sizeof(u));
		if (n + (size_t)k + tl > SPEC_MAX_BYTES)
			break;
		memcpy(t + n, u, (size_t)k);
		n += (size_t)k;
	}
	memcpy(t + n, tail, tl);
	n += tl;
	t[n] = '\0';
	*ret_len = n;
	return t;
}

static double thread_cpu_s(void)
{
	struct timespec ts;
	cr_assert_eq(clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts), 0);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Load (and print, when valid) a shape; assert the CPU time it took. */
static void expect_linear(const char *name, const char *head, shape_unit unit, const char *tail)
{
	size_t len;
	char *text = shape(head, unit, tail, &len);
	struct rlimit rl;
	struct rusage ru;
	struct spec *s;
	double t0, t;

	cr_assert_eq(getrusage(RUSAGE_SELF, &ru), 0);
	rl.rlim_cur = (rlim_t)ru.ru_utime.tv_sec + (rlim_t)ru.ru_stime.tv_sec + 2 * (rlim_t)LINEAR_BOUND_S;
	rl.rlim_max = RLIM_INFINITY;
	cr_assert_eq(setrlimit(RLIMIT_CPU, &rl), 0);
	cr_assert_geq(len, SPEC_MAX_BYTES - 256, "%s: only %zu bytes", name, len);
	t0 = thread_cpu_s();
	s = spec_load_buffer("t.ini", text, len);
	cr_assert_not_null(s);
	if (s->nerrors == 0)
		free(unit_print(s));
	t = thread_cpu_s() - t0;
	spec_free(s);
	free(text);
	cr_log_info("%s: %.3f s CPU for %zu bytes", name, t, len);
	cr_assert_lt(t, LINEAR_BOUND_S, "%s: %.2f s of CPU for %zu bytes: reading is not linear", name, t, len);
}

#define PROC_HEAD "[processes.web]\ncommand = [\"/bin/a\"]\nresources.memory = \"64Mi\"\n"

static int u_cont_elem(char *b, size_t n, size_t i) { (void)i; return snprintf(b, n, "  \"a\",\n"); }
static int u_cont_str(char *b, size_t n, size_t i) { (void)i; return snprintf(b, n, "  \"aa\"\n"); }
static int u_var(char *b, size_t n, size_t i) { return snprintf(b, n, "  \"K%zu=v\",\n", i); }
static int u_section(char *b, size_t n, size_t i) { return snprintf(b, n, "[a%zu]\n", i); }
static int u_process(char *b, size_t n, size_t i) { return snprintf(b, n, "[processes.p%zu]\n", i); }
static int u_key(char *b, size_t n, size_t i) { return snprintf(b, n, "k%zu = 1\n", i); }
static int u_dup_key(char *b, size_t n, size_t i) { (void)i; return snprintf(b, n, "user = \"x\"\n"); }
static int u_bad_header(char *b, size_t n, size_t i) { (void)i; return snprintf(b, n, "[a b]\n"); }
static int u_dep_name(char *b, size_t n, size_t i) { return snprintf(b, n, "  \"p%zu\",\n", i % 127); }
static int u_dep_chain(char *b, size_t n, size_t i)
{
	return snprintf(b, n, "[processes.p%zu]\nx-depends_on = [\"p%zu\"]\n", i, i + 1);
}
static int u_nocmd_process(char *b, size_t n, size_t i)
{
	return snprintf(b, n, "[processes.p%zu]\nresources.memory = \"64Mi\"\n", i);
}
static int u_port(char *b, size_t n, size_t i)
{
	/* processes of 1000 ports each, all named p80 */
	if (i % 1000)
		return snprintf(b, n, "ports.%zu.internal = 80\n", i % 1000);
	return snprintf(b, n, "[processes.q%zu]\ncommand = [\"/a\"]\nresources.memory = \"64Mi\"\n"
			"ports.0.internal = 80\n", i / 1000);
}

static int u_mount_1000(char *b, size_t n, size_t i)
{
	return snprintf(b, n, "mounts.%zu = {}\n", i);
}

static int u_port_1000(char *b, size_t n, size_t i)
{
	return snprintf(b, n, "ports.%zu.internal = %zu\n", i, i + 1);
}
static int u_valid_process(char *b, size_t n, size_t i)
{
	return snprintf(b, n, "[processes.p%zu]\ncommand = [\"/a\"]\nresources.memory = \"64Mi\"\n", i);
}

/* pre, then unit 0 to n - 1, then post */
static char *repeat(const char *pre, shape_unit unit, size_t n, const char *post)
{
	size_t len = strlen(pre);
	char *t = malloc(len + n * 256 + strlen(post) + 1), u[256];
	cr_assert_not_null(t);
	memcpy(t, pre, len);
	for (size_t i = 0; i < n; i++) {
		int k = unit(u, sizeof(u), i);
		memcpy(t + len, u, (size_t)k);
		len += (size_t)k;
	}
	strcpy(t + len, post);
	return t;
}

Test(linear, continued_array)
{
	expect_linear("one array continued over 150 000 lines",
		      "schema_version = \"v1\"\n" PROC_HEAD "x-depends_on = [\n", u_cont_elem, "  ]\n");
}

Test(linear, continued_string)
{
	expect_linear("one string continued over 150 000 lines",
		      "schema_version = \"v1\"\n" PROC_HEAD "workdir = \"/\"\n", u_cont_str, "");
}

Test(linear, continued_vars)
{
	expect_linear("100 000 variables", "schema_version = \"v1\"\n" PROC_HEAD "vars = [\n", u_var, "  ]\n");
}

Test(linear, sections)
{
	expect_linear("100 000 sections", "schema_version = \"v1\"\n" PROC_HEAD, u_section, "");
}

Test(linear, process_sections)
{
	expect_linear("70 000 process sections", "schema_version = \"v1\"\n", u_process, "");
}

Test(linear, keys)
{
	char *ports = repeat("schema_version = \"v1\"\n" PROC_HEAD, u_port_1000, 1000, "");
	char *head = repeat(ports, u_mount_1000, 1000, "");
	expect_linear("1000 ports, 1000 mounts, then 90 000 keys, in one process", head, u_key, "");
	free(head);
	free(ports);
}

Test(linear, duplicate_keys)
{
	expect_linear("one key 90 000 times", "schema_version = \"v1\"\n" PROC_HEAD, u_dup_key, "");
}

Test(linear, bad_headers)
{
	expect_linear("170 000 bad headers", "schema_version = \"v1\"\n" PROC_HEAD, u_bad_header, "");
}

Test(linear, depends_on_list)
{
	char *head = repeat("schema_version = \"v1\"\n", u_valid_process, 127, PROC_HEAD "x-depends_on = [\n");
	expect_linear("x-depends_on naming 127 processes 130 000 times", head, u_dep_name, "  ]\n");
	free(head);
}

Test(linear, depends_on_chain)
{
	expect_linear("a chain of 40 000 processes", "schema_version = \"v1\"\n", u_dep_chain, "");
}

Test(linear, image_argv_shared)
{
	/* half the file an image cmd, the other half processes that run it */
	char *cmd = malloc(SPEC_MAX_BYTES / 2 + 64), *head;
	size_t n = (size_t)sprintf(cmd, "[guest.image]\ncmd = [\"/a\",\n");
	while (n < SPEC_MAX_BYTES / 2)
		n += (size_t)sprintf(cmd + n, "  \"\",\n");
	sprintf(cmd + n, "  ]\n");
	head = fmt("schema_version = \"v1\"\n%s", cmd);
	expect_linear("a 90 000-element cmd run by 12 000 processes", head, u_nocmd_process, "");
	free(head);
	free(cmd);
}

Test(linear, port_names)
{
	expect_linear("processes of 1000 ports named alike", "schema_version = \"v1\"\n", u_port, "");
}
