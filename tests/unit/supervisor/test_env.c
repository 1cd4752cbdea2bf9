#include "tests/unit/unit.h"

/* test_env.c - environment layering (supervisor/env.c). */

#include "supervisor/env.h"

/* A spec_strv over a NULL-terminated literal list. */
#define STRV(...) strv_of((char *[]){ __VA_ARGS__, NULL })
static struct spec_strv strv_of(char **v)
{
	size_t n = 0;
	while (v[n])
		n++;
	return (struct spec_strv){ .v = v, .n = n, .set = 1 };
}
static const struct spec_strv EMPTY = { 0 };

static size_t count(char **e)
{
	size_t n = 0;
	while (e[n])
		n++;
	return n;
}

/* Keys strictly increasing (byte order of the key, not of "KEY=value"). */
static void assert_sorted_unique(char **e)
{
	for (size_t i = 0; e[i] && e[i + 1]; i++) {
		size_t la = strcspn(e[i], "="), lb = strcspn(e[i + 1], "=");
		size_t m = la < lb ? la : lb;
		int c = memcmp(e[i], e[i + 1], m);
		cr_assert(c < 0 || (c == 0 && la < lb), "not sorted by key: \"%s\" before \"%s\"",
			  e[i], e[i + 1]);
	}
}

Test(env, empty_layers_give_default_path_only)
{
	char **e = env_merge(&EMPTY, &EMPTY, &EMPTY);
	cr_assert_not_null(e);
	cr_assert_eq(count(e), 1);
	cr_assert_str_eq(e[0], "PATH=" ENV_DEFAULT_PATH);
	cr_assert_str_eq(env_get(e, "PATH"), ENV_DEFAULT_PATH);
	env_free(e);
}

Test(env, layers_override_image_env_process)
{
	struct spec_strv img = STRV("A=image", "B=image", "C=image", "PATH=/img/bin");
	struct spec_strv env = STRV("B=env", "C=env", "D=env");
	struct spec_strv proc = STRV("C=proc", "E=proc");
	char **e = env_merge(&img, &env, &proc);
	cr_assert_not_null(e);
	cr_assert_eq(count(e), 6);
	cr_assert_str_eq(env_get(e, "A"), "image");
	cr_assert_str_eq(env_get(e, "B"), "env");
	cr_assert_str_eq(env_get(e, "C"), "proc");
	cr_assert_str_eq(env_get(e, "D"), "env");
	cr_assert_str_eq(env_get(e, "E"), "proc");
	cr_assert_str_eq(env_get(e, "PATH"), "/img/bin");
	const char *want[] = { "A=image", "B=env", "C=proc", "D=env", "E=proc", "PATH=/img/bin" };
	for (size_t i = 0; i < 6; i++)
		cr_assert_str_eq(e[i], want[i], "entry %zu", i);
	cr_assert_null(e[6]);
	env_free(e);
}

Test(env, process_beats_image_without_env_layer)
{
	struct spec_strv img = STRV("X=1");
	struct spec_strv proc = STRV("X=3");
	char **e = env_merge(&img, &EMPTY, &proc);
	cr_assert_str_eq(env_get(e, "X"), "3");
	cr_assert_eq(count(e), 2);
	env_free(e);
}

Test(env, output_is_sorted_by_key)
{
	struct spec_strv img = STRV("ZED=1", "alpha=2", "MID=3", "A0=x", "A=y", "A_B=z");
	struct spec_strv env = STRV("BETA=1", "AA=2");
	struct spec_strv proc = STRV("Y=1", "B=2");
	char **e = env_merge(&img, &env, &proc);
	cr_assert_eq(count(e), 11);
	assert_sorted_unique(e);
	/* "A" < "A0" < "AA" < "A_B" by key, although "A0=" < "A=" as strings */
	cr_assert_str_eq(e[0], "A=y");
	cr_assert_str_eq(e[1], "A0=x");
	cr_assert_str_eq(e[2], "AA=2");
	cr_assert_str_eq(e[3], "A_B=z");
	cr_assert_str_eq(e[count(e) - 1], "alpha=2");
	env_free(e);
}

Test(env, path_default_only_when_absent)
{
	struct spec_strv proc = STRV("PATH=/opt/bin");
	char **e = env_merge(&EMPTY, &EMPTY, &proc);
	cr_assert_eq(count(e), 1);
	cr_assert_str_eq(e[0], "PATH=/opt/bin");
	env_free(e);

	/* an empty PATH is still a PATH */
	struct spec_strv env = STRV("PATH=");
	e = env_merge(&EMPTY, &env, &EMPTY);
	cr_assert_eq(count(e), 1);
	cr_assert_str_eq(env_get(e, "PATH"), "");
	env_free(e);

	/* keys that merely start with PATH do not count */
	struct spec_strv img = STRV("PATHEXT=.x", "MYPATH=/y", "PAT=z");
	e = env_merge(&img, &EMPTY, &EMPTY);
	cr_assert_eq(count(e), 4);
	cr_assert_str_eq(env_get(e, "PATH"), ENV_DEFAULT_PATH);
	cr_assert_str_eq(env_get(e, "PATHEXT"), ".x");
	assert_sorted_unique(e);
	env_free(e);
}

Test(env, prefix_keys_are_distinct)
{
	struct spec_strv img = STRV("AB=long", "A=short");
	struct spec_strv proc = STRV("A=proc");
	char **e = env_merge(&img, &EMPTY, &proc);
	cr_assert_eq(count(e), 3);
	cr_assert_str_eq(env_get(e, "A"), "proc");
	cr_assert_str_eq(env_get(e, "AB"), "long", "overriding A replaced AB");
	cr_assert_null(env_get(e, "ABC"));
	cr_assert_null(env_get(e, "B"));
	cr_assert_null(env_get(e, ""));
	env_free(e);

	/* and the other way round: AB overridden, A kept */
	struct spec_strv img2 = STRV("A=short", "AB=long");
	struct spec_strv env2 = STRV("AB=env");
	e = env_merge(&img2, &env2, &EMPTY);
	cr_assert_str_eq(env_get(e, "A"), "short");
	cr_assert_str_eq(env_get(e, "AB"), "env");
	env_free(e);
}

Test(env, values_containing_equals)
{
	struct spec_strv img = STRV("OPTS=a=b=c", "URL=http://h/?x=1&y=2");
	struct spec_strv proc = STRV("OPTS==lead", "EMPTY=");
	char **e = env_merge(&img, &EMPTY, &proc);
	cr_assert_str_eq(env_get(e, "OPTS"), "=lead");
	cr_assert_str_eq(env_get(e, "URL"), "http://h/?x=1&y=2");
	cr_assert_str_eq(env_get(e, "EMPTY"), "");
	cr_assert_null(env_get(e, "OPTS=a"));
	cr_assert_eq(count(e), 4);
	env_free(e);
}

Test(env, duplicate_key_within_one_layer_last_wins)
{
	struct spec_strv env = STRV("K=1", "K=2");
	char **e = env_merge(&EMPTY, &env, &EMPTY);
	cr_assert_eq(count(e), 2);
	cr_assert_str_eq(env_get(e, "K"), "2");
	env_free(e);
}

Test(env, result_is_independent_copy)
{
	char a[] = "K=orig";
	char *v[] = { a, NULL };
	struct spec_strv img = { .v = v, .n = 1, .set = 1 };
	char **e = env_merge(&img, &EMPTY, &EMPTY);
	a[2] = 'X';
	cr_assert_str_eq(env_get(e, "K"), "orig");
	env_free(e);
}

Test(env, env_get_plain_arrays)
{
	char *envp[] = { "HOME=/root", "HOMEDIR=/x", "H=1", NULL };
	cr_assert_str_eq(env_get(envp, "HOME"), "/root");
	cr_assert_str_eq(env_get(envp, "HOMEDIR"), "/x");
	cr_assert_str_eq(env_get(envp, "H"), "1");
	cr_assert_null(env_get(envp, "HOM"));
	cr_assert_null(env_get(envp, "HOMEDIRS"));
	cr_assert_null(env_get(NULL, "HOME"));
	env_free(NULL);   /* safe */
}

Test(env, many_entries)
{
	static char buf[300][32];
	static char *v[301];
	for (int i = 0; i < 300; i++) {
		snprintf(buf[i], sizeof(buf[i]), "K%03d=%d", 299 - i, i);
		v[i] = buf[i];
	}
	struct spec_strv img = { .v = v, .n = 300, .set = 1 };
	char **e = env_merge(&img, &img, &img);
	cr_assert_eq(count(e), 301);
	assert_sorted_unique(e);
	cr_assert_str_eq(e[0], "K000=299");
	cr_assert_str_eq(e[299], "K299=0");
	cr_assert_str_eq(e[300], "PATH=" ENV_DEFAULT_PATH);
	env_free(e);
}
