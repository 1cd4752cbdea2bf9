/* test_clock.c - the clock, entropy and resumed ops through a real server
 * (control/clock.c): the clock steps (a fake clock_settime: the host's own
 * clock is never touched) only past the uncertainty, with its event; a
 * refused step is "failed"; entropy is added and counted; resumed is
 * passed to PID 1's hook; status's three objects; a resume retries the
 * listeners that failed; a vsock reset is told from a peer's close. */
#include "ctl_test.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

static struct timespec set_to;
static int sets, set_fails;
static int resumes, folds;
static const char *resumed_by;

static int fake_settime(const struct timespec *ts)
{
	sets++;
	set_to = *ts;
	if (set_fails) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

static int fake_resumed(void *ctx, const char *source)
{
	(void)ctx;
	resumed_by = source;
	if (resumes && !folds)
		return ++folds, 1;
	resumes++;
	return 0;
}

static void fake_info(void *ctx, struct ctl_resume *ret)
{
	(void)ctx;
	*ret = (struct ctl_resume){ (uint64_t)resumes, (uint64_t)(resumes + folds), resumed_by, 77 };
}

static void clock_start(void)
{
	fx_start();
	sets = set_fails = resumes = folds = 0;
	resumed_by = NULL;
	fx.ctl->clk.settime = fake_settime;
	fx.ctl->vm.pid1 = 1;
	fx.ctl->vm.resumed = fake_resumed;
	fx.ctl->vm.resume_info = fake_info;
}

TestSuite(clock, .init = clock_start, .fini = fx_stop);

static long long realtime_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

Test(clock, steps_past_the_uncertainty_only)
{
	int fd = fx_connect();
	char req[160];
	long long ahead = realtime_ns() + 3600LL * 1000000000LL, off;
	const char *r;
	snprintf(req, sizeof(req), "{\"id\":1,\"op\":\"clock\",\"unix_ns\":%lld,\"uncertainty_ns\":1000000}\n", ahead);
	r = fx_ask(fd, req);
	cr_assert_str_eq(fx_field(r, "stepped"), "true", "%s", r);
	cr_assert_eq(sscanf(fx_field(r, "offset_ns"), "%lld", &off), 1);
	cr_assert(off > 3590LL * 1000000000LL && off <= 3600LL * 1000000000LL, "%lld", off);
	cr_assert_eq(sets, 1);
	cr_assert_eq((long long)set_to.tv_sec * 1000000000LL + set_to.tv_nsec, ahead, "set to the host's time");
	/* Within the uncertainty: not stepped (the clock was not really
	 * set: the offset is still about an hour, and an hour is allowed). */
	snprintf(req, sizeof(req), "{\"op\":\"clock\",\"unix_ns\":%lld,\"uncertainty_ns\":60000000000}\n",
		 realtime_ns() + 30LL * 1000000000LL);
	r = fx_ask(fd, req);
	cr_assert_str_eq(fx_field(r, "stepped"), "false", "%s", r);
	cr_assert_eq(sets, 1, "no second step");
	r = fx_ask(fd, "{\"op\":\"status\"}\n");
	cr_assert(strstr(r, "\"clock\":{\"requests\":2,\"steps\":1,\"last_offset_ns\":"), "%s", r);
	cr_assert(strstr(r, "\"last_uncertainty_ns\":60000000000,\"last_ms\":"), "%s", r);
	close(fd);
	/* One clock.stepped event, for the step. */
	fd = fx_connect();
	fx_sends(fd, "{\"op\":\"events\",\"since\":0}\n");
	{
		static struct fx_in in;
		fx_read(fd, &in, 2);   /* the reply, the event */
		cr_assert(strstr(in.buf, "\"type\":\"clock.stepped\",\"offset_ns\":"), "%s", in.buf);
		cr_assert(strstr(in.buf, "\"uncertainty_ns\":1000000}"), "%s", in.buf);
	}
	close(fd);
}

Test(clock, a_refused_step_is_failed)
{
	int fd = fx_connect();
	const char *r;
	set_fails = 1;
	r = fx_ask(fd, "{\"id\":2,\"op\":\"clock\",\"unix_ns\":1000000000}\n");
	cr_assert_str_eq(r, "{\"id\":2,\"ok\":false,\"error\":{\"code\":\"failed\","
			    "\"message\":\"cannot set the clock: Operation not permitted\"}}\n");
	r = fx_ask(fd, "{\"op\":\"status\"}\n");
	cr_assert(strstr(r, "\"clock\":{\"requests\":1,\"steps\":0,"), "%s", r);
	close(fd);
}

Test(clock, vminit_run_never_steps)
{
	int fd = fx_connect();
	const char *r;
	fx.ctl->vm.pid1 = 0;
	r = fx_ask(fd, "{\"id\":3,\"op\":\"clock\",\"unix_ns\":1000000000}\n");
	cr_assert_str_eq(r, "{\"id\":3,\"ok\":false,\"error\":{\"code\":\"failed\","
			    "\"message\":\"not PID 1 (vminit run): the clock is the host's\"}}\n");
	cr_assert_eq(sets, 0, "nothing set");
	close(fd);
}

Test(clock, status_before_any)
{
	int fd = fx_connect();
	const char *r;
	fx.ctl->vm.resume_info = NULL;
	r = fx_ask(fd, "{\"op\":\"status\"}\n");
	cr_assert(strstr(r, "\"clock\":{\"requests\":0,\"steps\":0,\"last_offset_ns\":null,"
			    "\"last_uncertainty_ns\":null,\"last_ms\":null},"
			    "\"resume\":{\"count\":0,\"signals\":0,\"last_source\":null,\"last_ms\":null},"
			    "\"entropy\":{\"requests\":0,\"bytes\":0,\"credited_bits\":0}"), "%s", r);
	close(fd);
}

Test(clock, entropy_is_added_and_counted)
{
	int fd = fx_connect();
	const char *r = fx_ask(fd, "{\"id\":4,\"op\":\"entropy\",\"data\":\"q83vASNFZ4k=\"}\n");
	long long bits;
	cr_assert_str_eq(fx_field(r, "bytes"), "8", "%s", r);
	cr_assert_eq(sscanf(fx_field(r, "credited_bits"), "%lld", &bits), 1);
	/* Credited with the right (root in the first user namespace), else mixed in. */
	cr_assert(bits == 64 || bits == 0, "%lld", bits);
	cr_assert_null(strstr(r, "q83v"), "the data is never echoed");
	r = fx_ask(fd, "{\"op\":\"status\"}\n");
	cr_assert(strstr(r, "\"entropy\":{\"requests\":1,\"bytes\":8,"), "%s", r);
	cr_assert_null(strstr(r, "q83v"));
	close(fd);
}

Test(clock, resumed_goes_to_pid1_and_folds)
{
	int fd = fx_connect();
	const char *r = fx_ask(fd, "{\"id\":5,\"op\":\"resumed\"}\n");
	cr_assert_str_eq(r, "{\"id\":5,\"ok\":true,\"result\":{\"count\":1,\"folded\":false}}\n");
	cr_assert_str_eq(resumed_by, "host");
	r = fx_ask(fd, "{\"id\":6,\"op\":\"resumed\"}\n");
	cr_assert_str_eq(r, "{\"id\":6,\"ok\":true,\"result\":{\"count\":1,\"folded\":true}}\n");
	r = fx_ask(fd, "{\"op\":\"status\"}\n");
	cr_assert(strstr(r, "\"resume\":{\"count\":1,\"signals\":2,\"last_source\":\"host\",\"last_ms\":77}"), "%s", r);
	fx.ctl->vm.resumed = NULL;
	r = fx_ask(fd, "{\"id\":7,\"op\":\"resumed\"}\n");
	cr_assert(strstr(r, "\"ok\":false,\"error\":{\"code\":\"failed\""), "%s", r);
	close(fd);
}

/* A listener that failed (its directory was not there) is tried again on
 * a resume, and the resumed event goes out. */
Test(clock, a_resume_retries_failed_listeners)
{
	char dir[128], path[160], list[192];
	int fd;
	snprintf(dir, sizeof(dir), "%s/later", fx.dir);
	snprintf(path, sizeof(path), "%s/ctl.sock", dir);
	snprintf(list, sizeof(list), "unix:%s", path);
	ctl_listen(fx.ctl, list);
	cr_assert_eq(fx.ctl->nlisteners, 1);
	cr_assert_str_eq(fx.ctl->clk.listen_retry, list);
	cr_assert_eq(mkdir(dir, 0700), 0);
	ctl_resumed(fx.ctl, "vmgenid", 1);
	cr_assert_eq(fx.ctl->nlisteners, 2, "tried again");
	cr_assert_str_eq(fx.ctl->clk.listen_retry, "");
	fd = fx_connect_to(path);
	fx_sends(fd, "{\"op\":\"events\",\"since\":0}\n");
	{
		static struct fx_in in;
		fx_read(fd, &in, 2);   /* the reply, the event */
		cr_assert(strstr(in.buf, "\"type\":\"resumed\",\"source\":\"vmgenid\",\"count\":1}"), "%s", in.buf);
	}
	close(fd);
	ctl_close_listeners(fx.ctl);
	rmdir(dir);
}

Test(clock, reset_classification)
{
	cr_assert(ctl_reset_is_resume(AF_VSOCK, 1, ECONNRESET));
	cr_assert_not(ctl_reset_is_resume(AF_VSOCK, 0, ECONNRESET), "a refused connect");
	cr_assert_not(ctl_reset_is_resume(AF_VSOCK, 1, 0), "a peer's close: EOF");
	cr_assert_not(ctl_reset_is_resume(AF_VSOCK, 1, EPIPE));
	cr_assert_not(ctl_reset_is_resume(AF_INET, 1, ECONNRESET), "a TCP peer's reset");
	cr_assert_not(ctl_reset_is_resume(AF_UNIX, 1, ECONNRESET));
}

/* The fd side: a real TCP reset leaves ECONNRESET, but not on vsock: not a
 * restore. A closed fd is none either. */
Test(clock, a_tcp_reset_is_not_a_restore)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	struct linger lg = { 1, 0 };
	int ls = socket(AF_INET, SOCK_STREAM, 0), c = socket(AF_INET, SOCK_STREAM, 0), a, err = 0;
	char b;
	cr_assert_eq(bind(ls, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cr_assert_eq(listen(ls, 1), 0);
	cr_assert_eq(getsockname(ls, (struct sockaddr *)&sa, &len), 0);
	cr_assert_eq(connect(c, (struct sockaddr *)&sa, sizeof(sa)), 0);
	a = accept(ls, NULL, NULL);
	cr_assert_geq(a, 0);
	setsockopt(a, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(a);   /* RST */
	cr_assert_eq(read(c, &b, 1), -1);
	err = errno;
	cr_assert_eq(err, ECONNRESET, "the kernel did reset it");
	cr_assert_eq(ctl_vsock_was_reset(c, 1), 0);
	cr_assert_eq(ctl_vsock_was_reset(-1, 1), 0);
	close(c);
	close(ls);
}
