#include "tests/unit/unit.h"

/* test_proto.c - request decoding of the host channel (channel/proto.c):
 * every operation with valid and invalid fields, the id echo, the limits
 * and defaults of docs/protocol.md, and signal names. */

#include <limits.h>
#include <signal.h>

#include "channel/json.h"
#include "channel/proto.h"

/* struct ctl_req holds a request's worth of strings: not on the stack. */
static struct ctl_req req;
static char msg[512];

static enum ctl_err parse_n(const char *line, size_t len)
{
	memset(&req, 0x5a, sizeof(req));
	memset(msg, 'M', sizeof(msg));
	return proto_parse_request(line, len, &req, msg, sizeof(msg));
}

static enum ctl_err parse(const char *line)
{
	return parse_n(line, strlen(line));
}

static struct ctl_req *ok(const char *line)
{
	enum ctl_err e = parse(line);
	cr_assert_eq(e, CTL_OK, "[%s]: %s: %s", line, proto_err_name(e), msg);
	cr_assert_str_eq(msg, "", "a message with CTL_OK for [%s]", line);
	return &req;
}

/* Fails with code and a message that contains needle (if not NULL). */
static void fails(const char *line, enum ctl_err code, const char *needle)
{
	enum ctl_err e = parse(line);
	cr_assert_eq(e, code, "[%s]: got %s (%s), want %s", line, proto_err_name(e), msg,
		     proto_err_name(code));
	cr_assert(memchr(msg, '\0', sizeof(msg)), "message not terminated for [%s]", line);
	cr_assert_neq(msg[0], '\0', "no message for [%s]", line);
	if (needle)
		cr_assert(strstr(msg, needle), "message for [%s] is \"%s\", want \"%s\"", line, msg,
			  needle);
}

/* bad_request, with the message starting with the field's name. */
static void bad_field(const char *line, const char *field)
{
	char want[64];
	snprintf(want, sizeof(want), "%s:", field);
	fails(line, CTL_E_BAD_REQUEST, NULL);
	cr_assert_eq(strncmp(msg, want, strlen(want)), 0, "message for [%s] is \"%s\", want \"%s ...\"",
		     line, msg, want);
}

/* A request of {"op":OP,...} with a string of n times c in field. */
static const char *with_long_str(const char *head, char c, size_t n, const char *tail)
{
	static char line[PROTO_REQUEST_MAX * 2];
	size_t l = (size_t)snprintf(line, sizeof(line), "%s", head);
	cr_assert_lt(l + n + strlen(tail), sizeof(line));
	memset(line + l, c, n);
	snprintf(line + l + n, sizeof(line) - l - n, "%s", tail);
	return line;
}

/* The same, with n chosen so that the line is total bytes long. */
static const char *sized(const char *head, char c, size_t total, const char *tail)
{
	const char *line = with_long_str(head, c, total - strlen(head) - strlen(tail), tail);
	cr_assert_eq(strlen(line), total);
	return line;
}

/* proto_parse_request into req as it is, without the reset of parse(). */
static enum ctl_err again(const char *line)
{
	return proto_parse_request(line, strlen(line), &req, msg, sizeof(msg));
}

/* ---- names ---- */

Test(proto, op_names)
{
	static const char *const names[] = { "hello", "ping", "status", "events", "logs", "signal",
					     "stop", "start", "restart", "shutdown", "exec", "secrets",
					     "clock", "entropy", "resumed" };
	cr_assert_eq(sizeof(names) / sizeof(names[0]), CTL_OP_COUNT - 1);
	for (int op = CTL_OP_HELLO; op < CTL_OP_COUNT; op++)
		cr_assert_str_eq(proto_op_name((enum ctl_op)op), names[op - 1]);
	cr_assert_str_eq(proto_op_name(CTL_OP_NONE), "?");
	cr_assert_str_eq(proto_op_name(CTL_OP_COUNT), "?");
	cr_assert_str_eq(proto_op_name((enum ctl_op)-1), "?");
}

Test(proto, err_names)
{
	cr_assert_str_eq(proto_err_name(CTL_OK), "ok");
	cr_assert_str_eq(proto_err_name(CTL_E_BAD_REQUEST), "bad_request");
	cr_assert_str_eq(proto_err_name(CTL_E_TOO_LARGE), "too_large");
	cr_assert_str_eq(proto_err_name(CTL_E_UNKNOWN_OP), "unknown_op");
	cr_assert_str_eq(proto_err_name(CTL_E_NOT_FOUND), "not_found");
	cr_assert_str_eq(proto_err_name(CTL_E_INVALID_STATE), "invalid_state");
	cr_assert_str_eq(proto_err_name(CTL_E_BUSY), "busy");
	cr_assert_str_eq(proto_err_name(CTL_E_SHUTTING_DOWN), "shutting_down");
	cr_assert_str_eq(proto_err_name(CTL_E_FAILED), "failed");
	cr_assert_str_eq(proto_err_name((enum ctl_err)99), "failed");
	cr_assert_str_eq(proto_err_name((enum ctl_err)-1), "failed");
}

Test(proto, every_op_parses)
{
	static const struct { const char *line; enum ctl_op op; } cases[] = {
		{ "{\"op\":\"hello\"}", CTL_OP_HELLO },
		{ "{\"op\":\"ping\"}", CTL_OP_PING },
		{ "{\"op\":\"status\"}", CTL_OP_STATUS },
		{ "{\"op\":\"events\"}", CTL_OP_EVENTS },
		{ "{\"op\":\"logs\"}", CTL_OP_LOGS },
		{ "{\"op\":\"signal\",\"process\":\"web\",\"signal\":\"HUP\"}", CTL_OP_SIGNAL },
		{ "{\"op\":\"stop\",\"process\":\"web\"}", CTL_OP_STOP },
		{ "{\"op\":\"start\",\"process\":\"web\"}", CTL_OP_START },
		{ "{\"op\":\"restart\",\"process\":\"web\"}", CTL_OP_RESTART },
		{ "{\"op\":\"shutdown\"}", CTL_OP_SHUTDOWN },
		{ "{\"op\":\"exec\",\"argv\":[\"true\"]}", CTL_OP_EXEC },
		{ "{\"op\":\"p\\u0069ng\"}", CTL_OP_PING },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ctl_req *q = ok(cases[i].line);
		cr_assert_eq(q->op, cases[i].op, "[%s]", cases[i].line);
		cr_assert_str_eq(q->id, "", "[%s] has an id", cases[i].line);
	}
}

/* ---- framing: not JSON, too large ---- */

Test(proto, not_json)
{
	fails("", CTL_E_BAD_REQUEST, "not a JSON object");
	fails("ping", CTL_E_BAD_REQUEST, "not valid JSON");
	fails("[\"ping\"]", CTL_E_BAD_REQUEST, "not a JSON object");
	fails("{\"op\":\"ping\"", CTL_E_BAD_REQUEST, "not valid JSON");
	fails("{\"op\":\"ping\",}", CTL_E_BAD_REQUEST, "not valid JSON");
	fails("{\"op\":\"ping\"} {\"op\":\"ping\"}", CTL_E_BAD_REQUEST, "more than one");
	fails("{\"op\":\"ping\"}x", CTL_E_BAD_REQUEST, "not valid JSON");
	cr_assert_eq(req.op, CTL_OP_NONE);
	cr_assert_str_eq(req.id, "");
}

Test(proto, duplicate_keys_refused)
{
	/* docs/protocol.md §1: bad_request, this message, and no id in the reply
	 * (the request could not be read, its id neither). */
	fails("{\"id\":1,\"op\":\"ping\",\"op\":\"status\"}", CTL_E_BAD_REQUEST,
	      "a key appears twice in one object");
	cr_assert_str_eq(msg, "a key appears twice in one object");
	cr_assert_str_eq(req.id, "");
	fails("{\"id\":1,\"id\":2,\"op\":\"ping\"}", CTL_E_BAD_REQUEST, "a key appears twice");
	cr_assert_str_eq(req.id, "");
	fails("{\"op\":\"exec\",\"argv\":[\"id\"],\"x\":{\"a\":1,\"a\":2}}", CTL_E_BAD_REQUEST,
	      "a key appears twice");
	/* Spelt with an escape, a key is still itself. */
	fails("{\"op\":\"shutdown\",\"o\\u0070\":\"ping\"}", CTL_E_BAD_REQUEST, "a key appears twice");
	cr_assert_eq(ok("{\"o\\u0070\":\"ping\",\"\\u0069d\":5}")->op, CTL_OP_PING);
	cr_assert_str_eq(req.id, "5");
}

Test(proto, white_space_and_cr_accepted)
{
	cr_assert_eq(ok(" { \"op\" : \"ping\" } \r")->op, CTL_OP_PING);
}

Test(proto, too_large)
{
	/* The largest line: 16383 bytes (its newline makes 16384). */
	const char *line = sized("{\"op\":\"ping\",\"pad\":\"", 'x', PROTO_REQUEST_MAX - 1, "\"}");
	cr_assert_eq(ok(line)->op, CTL_OP_PING);
	line = sized("{\"op\":\"ping\",\"pad\":\"", 'x', PROTO_REQUEST_MAX, "\"}");
	fails(line, CTL_E_TOO_LARGE, "16383");
	cr_assert_str_eq(req.id, "");
	fails(with_long_str("{\"id\":1,\"op\":\"ping\",\"pad\":\"", 'x', 30000, "\"}"), CTL_E_TOO_LARGE,
	      NULL);
	/* Whatever the bytes: the length alone decides. */
	static char junk[PROTO_REQUEST_MAX];
	memset(junk, 0xff, sizeof(junk));
	cr_assert_eq(parse_n(junk, sizeof(junk)), CTL_E_TOO_LARGE);
	cr_assert_eq(parse_n(junk, sizeof(junk) - 1), CTL_E_BAD_REQUEST);
}

Test(proto, too_many_values)
{
	char line[8192];
	size_t n = (size_t)snprintf(line, sizeof(line), "{\"id\":3,\"op\":\"ping\",\"x\":[");
	for (int i = 0; i < PROTO_TOKENS_MAX; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, "%s1", i ? "," : "");
	snprintf(line + n, sizeof(line) - n, "]}");
	fails(line, CTL_E_BAD_REQUEST, "too many JSON values");
}

Test(proto, message_buffer_small_or_absent)
{
	char m[8];
	memset(m, 'M', sizeof(m));
	cr_assert_eq(proto_parse_request("{\"op\":\"nope\"}", 13, &req, m, sizeof(m)),
		     CTL_E_UNKNOWN_OP);
	cr_assert_eq(strlen(m), sizeof(m) - 1, "cut and terminated");
	cr_assert_eq(proto_parse_request("{\"op\":5}", 8, &req, m, sizeof(m)), CTL_E_BAD_REQUEST);
	cr_assert_eq(strlen(m), sizeof(m) - 1);
	m[0] = 'M';
	cr_assert_eq(proto_parse_request("{\"op\":5}", 8, &req, m, 0), CTL_E_BAD_REQUEST);
	cr_assert_eq(m[0], 'M', "msglen 0: nothing written");
	cr_assert_eq(proto_parse_request("{\"op\":\"nope\"}", 13, &req, m, 0), CTL_E_UNKNOWN_OP);
	cr_assert_eq(m[0], 'M');
	cr_assert_eq(proto_parse_request("{\"op\":\"ping\"}", 13, &req, NULL, 0), CTL_OK);
}

/* ---- op ---- */

Test(proto, op_missing_or_mistyped)
{
	bad_field("{}", "op");
	bad_field("{\"id\":1}", "op");
	bad_field("{\"op\":5}", "op");
	bad_field("{\"op\":null}", "op");
	bad_field("{\"op\":[\"ping\"]}", "op");
	bad_field("{\"op\":{\"name\":\"ping\"}}", "op");
	bad_field("{\"op\":\"pi\\u0000ng\"}", "op");
	bad_field("{\"op\":\"\xff\"}", "op");
	bad_field("{\"OP\":\"ping\"}", "op");
}

Test(proto, unknown_op)
{
	fails("{\"op\":\"nope\"}", CTL_E_UNKNOWN_OP, "\"nope\"");
	fails("{\"op\":\"PING\"}", CTL_E_UNKNOWN_OP, "\"PING\"");
	fails("{\"op\":\"\"}", CTL_E_UNKNOWN_OP, "\"\"");
	fails("{\"op\":\"ping \"}", CTL_E_UNKNOWN_OP, NULL);
	fails("{\"op\":\"health\",\"id\":\"h\"}", CTL_E_UNKNOWN_OP, "protocol 1");
	cr_assert_eq(req.op, CTL_OP_NONE);
	cr_assert_str_eq(req.id, "\"h\"", "an unknown op's error still carries the id");
}

/* ---- id ---- */

Test(proto, id_number)
{
	cr_assert_str_eq(ok("{\"id\":1,\"op\":\"ping\"}")->id, "1");
	cr_assert_str_eq(ok("{\"op\":\"ping\",\"id\":0}")->id, "0");
	cr_assert_str_eq(ok("{\"op\":\"ping\",\"id\":-17}")->id, "-17");
	cr_assert_str_eq(ok("{\"op\":\"ping\",\"id\":9223372036854775807}")->id,
			 "9223372036854775807");
	cr_assert_str_eq(ok("{\"op\":\"ping\",\"id\":-9223372036854775808}")->id,
			 "-9223372036854775808");
}

Test(proto, id_string)
{
	cr_assert_str_eq(ok("{\"id\":\"a7\",\"op\":\"ping\"}")->id, "\"a7\"");
	cr_assert_str_eq(ok("{\"id\":\"\",\"op\":\"ping\"}")->id, "\"\"");
	cr_assert_str_eq(ok("{\"id\":\"caf\xc3\xa9\",\"op\":\"ping\"}")->id, "\"caf\xc3\xa9\"");
	/* echoed verbatim: escapes stay as the client wrote them */
	cr_assert_str_eq(ok("{\"id\":\"a\\\"b\\\\c\\u00e9\\n\\/\",\"op\":\"ping\"}")->id,
			 "\"a\\\"b\\\\c\\u00e9\\n\\/\"");
	cr_assert_str_eq(ok("{\"id\":\"\\ud83d\\ude00\",\"op\":\"ping\"}")->id,
			 "\"\\ud83d\\ude00\"");
}

Test(proto, id_string_length_limit)
{
	const char *line = with_long_str("{\"op\":\"ping\",\"id\":\"", 'i', PROTO_ID_MAX, "\"}");
	char want[PROTO_ID_MAX + 3];
	want[0] = '"';
	memset(want + 1, 'i', PROTO_ID_MAX);
	want[PROTO_ID_MAX + 1] = '"';
	want[PROTO_ID_MAX + 2] = '\0';
	cr_assert_str_eq(ok(line)->id, want);
	bad_field(with_long_str("{\"op\":\"ping\",\"id\":\"", 'i', PROTO_ID_MAX + 1, "\"}"), "id");
	cr_assert_str_eq(req.id, "");
	bad_field(with_long_str("{\"op\":\"ping\",\"id\":\"", 'i', 10000, "\"}"), "id");
	/* the limit is on the text as sent: escapes count */
	line = with_long_str("{\"op\":\"ping\",\"id\":\"\\n", 'i', PROTO_ID_MAX - 2, "\"}");
	cr_assert_str_eq(ok(line)->id + PROTO_ID_MAX, "i\"");
	bad_field(with_long_str("{\"op\":\"ping\",\"id\":\"\\n", 'i', PROTO_ID_MAX - 1, "\"}"), "id");
}

Test(proto, id_wrong_type)
{
	static const char *const bad[] = {
		"{\"id\":1.5,\"op\":\"ping\"}", "{\"id\":1e3,\"op\":\"ping\"}",
		"{\"id\":true,\"op\":\"ping\"}", "{\"id\":null,\"op\":\"ping\"}",
		"{\"id\":[1],\"op\":\"ping\"}", "{\"id\":{},\"op\":\"ping\"}",
		"{\"id\":9223372036854775808,\"op\":\"ping\"}",
		"{\"id\":\"a\\u0000\",\"op\":\"ping\"}", "{\"id\":\"\\ud800\",\"op\":\"ping\"}",
		"{\"id\":\"\xc3\",\"op\":\"ping\"}", "{\"id\":\"a\x01\",\"op\":\"ping\"}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		bad_field(bad[i], "id");
		cr_assert_str_eq(req.id, "", "[%s] left an id", bad[i]);
	}
}

/* An id goes back to the client in a reply: it must be JSON as it stands. */
static void assert_id_is_json(const char *id)
{
	char buf[256];
	struct jw w;
	struct jr r;
	jsmntok_t tok[8];
	const char *err;
	jw_init(&w, buf, sizeof(buf));
	jw_obj(&w);
	jw_key(&w, "id");
	jw_raw(&w, id, strlen(id));
	jw_kbool(&w, "ok", 0);
	jw_end(&w);
	cr_assert_eq(w.overflow, 0);
	cr_assert_eq(jr_parse(&r, tok, 8, buf, w.len, &err), 0, "id [%s] is not JSON: %s", id, err);
	cr_assert_eq(jr_get(&r, 0, "id"), 2);
}

Test(proto, error_reply_carries_a_valid_id)
{
	static const char *const lines[] = {
		"{\"id\":42,\"op\":\"stop\"}",
		"{\"id\":\"a\\\"7\\u00e9\",\"op\":\"signal\",\"process\":\"web\",\"signal\":\"NOPE\"}",
		"{\"op\":\"exec\",\"argv\":[],\"id\":\"x\\\\\"}",
		"{\"op\":\"logs\",\"lines\":-1,\"id\":-3}",
		"{\"op\":5,\"id\":\"\\ud83d\\ude00\"}",
	};
	static const char *const ids[] = { "42", "\"a\\\"7\\u00e9\"", "\"x\\\\\"", "-3",
					   "\"\\ud83d\\ude00\"" };
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		fails(lines[i], CTL_E_BAD_REQUEST, NULL);
		cr_assert_str_eq(req.id, ids[i], "[%s]", lines[i]);
		assert_id_is_json(req.id);
	}
	/* every id a successful parse echoes is JSON too */
	assert_id_is_json(ok("{\"id\":\"\\\\\\\"\\/\\b\\f\\n\\r\\t\",\"op\":\"ping\"}")->id);
}

/* ---- hello, ping ---- */

Test(proto, hello)
{
	ok("{\"op\":\"hello\"}");
	ok("{\"op\":\"hello\",\"protocol\":1}");
	ok("{\"op\":\"hello\",\"protocol\":7}");
	ok("{\"op\":\"hello\",\"protocol\":1000000}");
	bad_field("{\"op\":\"hello\",\"protocol\":0}", "protocol");
	bad_field("{\"op\":\"hello\",\"protocol\":-1}", "protocol");
	bad_field("{\"op\":\"hello\",\"protocol\":1000001}", "protocol");
	bad_field("{\"op\":\"hello\",\"protocol\":\"1\"}", "protocol");
	bad_field("{\"op\":\"hello\",\"protocol\":1.0}", "protocol");
	bad_field("{\"op\":\"hello\",\"protocol\":null}", "protocol");
}

Test(proto, unknown_fields_ignored)
{
	struct ctl_req *q = ok("{\"op\":\"ping\",\"future\":{\"x\":[1,2,{\"y\":null}],\"z\":\"\\u0000\"},"
			       "\"n\":1.5e3,\"s\":\"\xff\",\"id\":5,\"b\":false,\"process\":7}");
	cr_assert_eq(q->op, CTL_OP_PING);
	cr_assert_str_eq(q->id, "5");
	cr_assert_eq(q->has_process, 0);
	/* fields of other ops are other ops' business */
	ok("{\"op\":\"stop\",\"process\":\"web\",\"signal\":\"nope\",\"argv\":5,\"reboot\":\"x\"}");
}

/* ---- status ---- */

Test(proto, status)
{
	struct ctl_req *q = ok("{\"op\":\"status\"}");
	cr_assert_eq(q->has_process, 0);
	q = ok("{\"op\":\"status\",\"process\":\"web\"}");
	cr_assert_eq(q->has_process, 1);
	cr_assert_str_eq(q->process, "web");
	q = ok("{\"op\":\"status\",\"process\":\"w\\u00e9b\\t\"}");
	cr_assert_str_eq(q->process, "w\xc3\xa9" "b\t");
	bad_field("{\"op\":\"status\",\"process\":5}", "process");
	bad_field("{\"op\":\"status\",\"process\":null}", "process");
	bad_field("{\"op\":\"status\",\"process\":[\"web\"]}", "process");
	bad_field("{\"op\":\"status\",\"process\":\"\\u0000\"}", "process");
}

/* ---- events ---- */

Test(proto, events_since)
{
	struct ctl_req *q = ok("{\"op\":\"events\"}");
	cr_assert_eq(q->has_since, 0);
	q = ok("{\"op\":\"events\",\"since\":0}");
	cr_assert_eq(q->has_since, 1);
	cr_assert_eq(q->since, 0);
	q = ok("{\"op\":\"events\",\"since\":42}");
	cr_assert_eq(q->has_since, 1);
	cr_assert_eq(q->since, 42);
	q = ok("{\"op\":\"events\",\"since\":9223372036854775807}");
	cr_assert_eq(q->since, (unsigned long long)LLONG_MAX);
	bad_field("{\"op\":\"events\",\"since\":-1}", "since");
	bad_field("{\"op\":\"events\",\"since\":1.5}", "since");
	bad_field("{\"op\":\"events\",\"since\":\"3\"}", "since");
	bad_field("{\"op\":\"events\",\"since\":null}", "since");
	bad_field("{\"op\":\"events\",\"since\":18446744073709551615}", "since");
}

/* ---- logs ---- */

Test(proto, logs_defaults)
{
	struct ctl_req *q = ok("{\"op\":\"logs\"}");
	cr_assert_eq(q->has_process, 0);
	cr_assert_eq(q->lines, PROTO_LOG_LINES_DEFAULT);
	cr_assert_eq(q->lines, 100);
	cr_assert_eq(q->follow, 0);
}

Test(proto, logs_fields)
{
	struct ctl_req *q = ok("{\"op\":\"logs\",\"process\":\"web\",\"lines\":2,\"follow\":true}");
	cr_assert_eq(q->has_process, 1);
	cr_assert_str_eq(q->process, "web");
	cr_assert_eq(q->lines, 2);
	cr_assert_eq(q->follow, 1);
	q = ok("{\"op\":\"logs\",\"lines\":0,\"follow\":false}");
	cr_assert_eq(q->lines, 0);
	cr_assert_eq(q->follow, 0);
	q = ok("{\"op\":\"logs\",\"lines\":100000}");
	cr_assert_eq(q->lines, PROTO_LOG_LINES_MAX);
	bad_field("{\"op\":\"logs\",\"lines\":100001}", "lines");
	bad_field("{\"op\":\"logs\",\"lines\":-1}", "lines");
	bad_field("{\"op\":\"logs\",\"lines\":\"2\"}", "lines");
	bad_field("{\"op\":\"logs\",\"lines\":2.5}", "lines");
	bad_field("{\"op\":\"logs\",\"follow\":1}", "follow");
	bad_field("{\"op\":\"logs\",\"follow\":\"true\"}", "follow");
	bad_field("{\"op\":\"logs\",\"follow\":null}", "follow");
	bad_field("{\"op\":\"logs\",\"process\":1}", "process");
}

/* ---- signal, stop, start, restart ---- */

Test(proto, process_ops_need_a_process)
{
	static const char *const ops[] = { "stop", "start", "restart", "signal" };
	char line[512];
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		snprintf(line, sizeof(line), "{\"op\":\"%s\"}", ops[i]);
		bad_field(line, "process");
		cr_assert(strstr(msg, "missing"), "%s", msg);
		snprintf(line, sizeof(line), "{\"op\":\"%s\",\"process\":3,\"signal\":1}", ops[i]);
		bad_field(line, "process");
		snprintf(line, sizeof(line), "{\"op\":\"%s\",\"process\":null,\"signal\":1}", ops[i]);
		bad_field(line, "process");
		snprintf(line, sizeof(line), "{\"op\":\"%s\",\"process\":\"web\",\"signal\":1}", ops[i]);
		struct ctl_req *q = ok(line);
		cr_assert_eq(q->has_process, 1);
		cr_assert_str_eq(q->process, "web");
	}
}

Test(proto, process_name_length)
{
	const char *line = with_long_str("{\"op\":\"stop\",\"process\":\"", 'p', PROTO_NAME_MAX - 1, "\"}");
	cr_assert_eq(strlen(ok(line)->process), PROTO_NAME_MAX - 1);
	bad_field(with_long_str("{\"op\":\"stop\",\"process\":\"", 'p', PROTO_NAME_MAX, "\"}"), "process");
	cr_assert(strstr(msg, "255"), "%s", msg);
}

Test(proto, signal_by_name)
{
	static const struct { const char *s; int sig; } cases[] = {
		{ "HUP", SIGHUP }, { "SIGHUP", SIGHUP }, { "hup", SIGHUP }, { "SigHup", SIGHUP },
		{ "TERM", SIGTERM }, { "sigterm", SIGTERM }, { "KILL", SIGKILL }, { "USR1", SIGUSR1 },
		{ "SIGUSR2", SIGUSR2 }, { "WINCH", SIGWINCH }, { "SIGVTALRM", SIGVTALRM },
		{ "S\\u0049GINT", SIGINT },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char line[256];
		snprintf(line, sizeof(line), "{\"op\":\"signal\",\"process\":\"web\",\"signal\":\"%s\"}",
			 cases[i].s);
		cr_assert_eq(ok(line)->signal, cases[i].sig, "%s", cases[i].s);
	}
}

Test(proto, signal_by_number)
{
	cr_assert_eq(ok("{\"op\":\"signal\",\"process\":\"web\",\"signal\":1}")->signal, 1);
	cr_assert_eq(ok("{\"op\":\"signal\",\"process\":\"web\",\"signal\":15}")->signal, 15);
	cr_assert_eq(ok("{\"op\":\"signal\",\"process\":\"web\",\"signal\":64}")->signal, 64);
}

Test(proto, signal_bad)
{
	static const char *const bad[] = {
		"\"\"", "\"SIG\"", "\"NOPE\"", "\"SIGNOPE\"", "\"SIG HUP\"", "\" HUP\"", "\"HUP \"",
		"\"15\"", "\"SIG15\"", "\"SIGSIGHUP\"", "\"HUPHUPHUPHUPHUPHUP\"", "\"\\u0000HUP\"",
		"0", "65", "-1", "-15", "1.5", "15e0", "9223372036854775808", "true", "null", "[15]",
		"{}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char line[256];
		snprintf(line, sizeof(line), "{\"op\":\"signal\",\"process\":\"web\",\"signal\":%s}",
			 bad[i]);
		bad_field(line, "signal");
	}
	bad_field("{\"op\":\"signal\",\"process\":\"web\"}", "signal");
	cr_assert(strstr(msg, "missing"));
}

Test(proto, shutdown)
{
	cr_assert_eq(ok("{\"op\":\"shutdown\"}")->reboot, 0);
	cr_assert_eq(ok("{\"op\":\"shutdown\",\"reboot\":false}")->reboot, 0);
	cr_assert_eq(ok("{\"op\":\"shutdown\",\"reboot\":true}")->reboot, 1);
	bad_field("{\"op\":\"shutdown\",\"reboot\":1}", "reboot");
	bad_field("{\"op\":\"shutdown\",\"reboot\":\"yes\"}", "reboot");
	bad_field("{\"op\":\"shutdown\",\"reboot\":null}", "reboot");
}

/* ---- exec ---- */

Test(proto, exec_defaults)
{
	struct ctl_req *q = ok("{\"op\":\"exec\",\"argv\":[\"sh\",\"-c\",\"id -un; exit 3\"]}");
	cr_assert_eq(q->argc, 3);
	cr_assert_str_eq(q->argv[0], "sh");
	cr_assert_str_eq(q->argv[1], "-c");
	cr_assert_str_eq(q->argv[2], "id -un; exit 3");
	cr_assert_null(q->argv[3]);
	cr_assert_eq(q->envc, 0);
	cr_assert_null(q->env[0]);
	cr_assert_eq(q->has_user, 0);
	cr_assert_eq(q->has_workdir, 0);
	cr_assert_eq(q->timeout_ms, PROTO_EXEC_TIMEOUT_DEFAULT_MS);
	cr_assert_eq(q->timeout_ms, 30000);
	cr_assert_eq(q->max_output, PROTO_EXEC_OUTPUT_MAX);
	cr_assert_eq(q->max_output, 32768);
}

/* Into a process (docs/storage.md §3): optional, a string. */
Test(proto, exec_into_a_process)
{
	struct ctl_req *q = ok("{\"op\":\"exec\",\"argv\":[\"ls\"]}");
	cr_assert_eq(q->has_process, 0);
	q = ok("{\"op\":\"exec\",\"argv\":[\"ls\"],\"process\":\"web\"}");
	cr_assert_eq(q->has_process, 1);
	cr_assert_str_eq(q->process, "web");
	fails("{\"op\":\"exec\",\"argv\":[\"ls\"],\"process\":3}", CTL_E_BAD_REQUEST, "process: must be a string");
}

Test(proto, exec_all_fields)
{
	struct ctl_req *q = ok("{\"id\":7,\"op\":\"exec\",\"argv\":[\"echo\",\"a\\\"b\\n\",\"\\u20ac\",\"\"],"
			       "\"env\":[\"A=1\",\"B=\",\"C=x=y\",\"D\\u003d\\t\"],\"user\":\"nobody\","
			       "\"workdir\":\"/tmp\",\"timeout_ms\":5000,\"max_output\":0}");
	cr_assert_str_eq(q->id, "7");
	cr_assert_eq(q->argc, 4);
	cr_assert_str_eq(q->argv[1], "a\"b\n");
	cr_assert_str_eq(q->argv[2], "\xe2\x82\xac");
	cr_assert_str_eq(q->argv[3], "", "an empty argument after the command is fine");
	cr_assert_null(q->argv[4]);
	cr_assert_eq(q->envc, 4);
	cr_assert_str_eq(q->env[0], "A=1");
	cr_assert_str_eq(q->env[1], "B=");
	cr_assert_str_eq(q->env[2], "C=x=y");
	cr_assert_str_eq(q->env[3], "D=\t");
	cr_assert_null(q->env[4]);
	cr_assert_eq(q->has_user, 1);
	cr_assert_str_eq(q->user, "nobody");
	cr_assert_eq(q->has_workdir, 1);
	cr_assert_str_eq(q->workdir, "/tmp");
	cr_assert_eq(q->timeout_ms, 5000);
	cr_assert_eq(q->max_output, 0);
	/* the strings live in the request, not in the line */
	for (int i = 0; i < q->argc; i++)
		cr_assert(q->argv[i] >= q->strbuf && q->argv[i] < q->strbuf + sizeof(q->strbuf));
	for (int i = 0; i < q->envc; i++)
		cr_assert(q->env[i] >= q->strbuf && q->env[i] < q->strbuf + sizeof(q->strbuf));
}

Test(proto, exec_argv_bad)
{
	bad_field("{\"op\":\"exec\"}", "argv");
	bad_field("{\"op\":\"exec\",\"argv\":[]}", "argv");
	bad_field("{\"op\":\"exec\",\"argv\":\"sh\"}", "argv");
	bad_field("{\"op\":\"exec\",\"argv\":null}", "argv");
	bad_field("{\"op\":\"exec\",\"argv\":[\"sh\",1]}", "argv");
	bad_field("{\"op\":\"exec\",\"argv\":[\"sh\",null]}", "argv");
	bad_field("{\"op\":\"exec\",\"argv\":[\"sh\",[\"x\"]]}", "argv");
	bad_field("{\"op\":\"exec\",\"argv\":[[\"sh\"]]}", "argv");
	bad_field("{\"op\":\"exec\",\"argv\":{\"0\":\"sh\"}}", "argv");
	bad_field("{\"op\":\"exec\",\"argv\":[\"sh\",\"a\\u0000b\"]}", "argv");
	bad_field("{\"op\":\"exec\",\"argv\":[\"sh\",\"\xc3\"]}", "argv");
	bad_field("{\"op\":\"exec\",\"argv\":[\"\"]}", "argv");
	cr_assert(strstr(msg, "empty"), "%s", msg);
}

/* {"op":"exec","argv":[n times "a"],"env":[m times "K=v"]} */
static const char *exec_with(int n, int m)
{
	static char line[PROTO_REQUEST_MAX];
	size_t l = (size_t)snprintf(line, sizeof(line), "{\"op\":\"exec\",\"argv\":[");
	for (int i = 0; i < n; i++)
		l += (size_t)snprintf(line + l, sizeof(line) - l, "%s\"a\"", i ? "," : "");
	l += (size_t)snprintf(line + l, sizeof(line) - l, "],\"env\":[");
	for (int i = 0; i < m; i++)
		l += (size_t)snprintf(line + l, sizeof(line) - l, "%s\"K=v\"", i ? "," : "");
	snprintf(line + l, sizeof(line) - l, "]}");
	cr_assert_lt(strlen(line), sizeof(line) - 1);
	return line;
}

Test(proto, exec_argv_env_limits)
{
	struct ctl_req *q = ok(exec_with(PROTO_EXEC_ARGS_MAX, PROTO_EXEC_ARGS_MAX));
	cr_assert_eq(q->argc, PROTO_EXEC_ARGS_MAX);
	cr_assert_eq(q->envc, PROTO_EXEC_ARGS_MAX);
	cr_assert_null(q->argv[PROTO_EXEC_ARGS_MAX]);
	cr_assert_null(q->env[PROTO_EXEC_ARGS_MAX]);
	cr_assert_str_eq(q->env[PROTO_EXEC_ARGS_MAX - 1], "K=v");
	bad_field(exec_with(PROTO_EXEC_ARGS_MAX + 1, 0), "argv");
	cr_assert(strstr(msg, "256"), "%s", msg);
	bad_field(exec_with(1, PROTO_EXEC_ARGS_MAX + 1), "env");
	cr_assert(strstr(msg, "256"), "%s", msg);
}

Test(proto, exec_strings_fill_the_request)
{
	/* One argument as long as a request allows: it fits in strbuf. */
	const char *line = sized("{\"op\":\"exec\",\"argv\":[\"", 'a', PROTO_REQUEST_MAX - 1, "\"]}");
	struct ctl_req *q = ok(line);
	cr_assert_eq(strlen(q->argv[0]), PROTO_REQUEST_MAX - 1 - 25);
}

Test(proto, exec_env_bad)
{
	bad_field("{\"op\":\"exec\",\"argv\":[\"sh\"],\"env\":\"A=1\"}", "env");
	bad_field("{\"op\":\"exec\",\"argv\":[\"sh\"],\"env\":[1]}", "env");
	bad_field("{\"op\":\"exec\",\"argv\":[\"sh\"],\"env\":{\"A\":\"1\"}}", "env");
	bad_field("{\"op\":\"exec\",\"argv\":[\"sh\"],\"env\":[\"A=1\",\"NOEQUALS\"]}", "env");
	cr_assert(strstr(msg, "\"NOEQUALS\""), "%s", msg);
	bad_field("{\"op\":\"exec\",\"argv\":[\"sh\"],\"env\":[\"=x\"]}", "env");
	bad_field("{\"op\":\"exec\",\"argv\":[\"sh\"],\"env\":[\"\"]}", "env");
	bad_field("{\"op\":\"exec\",\"argv\":[\"sh\"],\"env\":[\"A=\\u0000\"]}", "env");
	/* a long bad entry is cut in the message */
	bad_field(with_long_str("{\"op\":\"exec\",\"argv\":[\"sh\"],\"env\":[\"", 'k', 1000, "\"]}"), "env");
	cr_assert_lt(strlen(msg), 200);
	/* an empty env is no env */
	cr_assert_eq(ok("{\"op\":\"exec\",\"argv\":[\"sh\"],\"env\":[]}")->envc, 0);
}

Test(proto, exec_user)
{
	struct ctl_req *q = ok("{\"op\":\"exec\",\"argv\":[\"id\"],\"user\":\"1000:1000\"}");
	cr_assert_eq(q->has_user, 1);
	cr_assert_str_eq(q->user, "1000:1000");
	bad_field("{\"op\":\"exec\",\"argv\":[\"id\"],\"user\":\"\"}", "user");
	bad_field("{\"op\":\"exec\",\"argv\":[\"id\"],\"user\":0}", "user");
	bad_field("{\"op\":\"exec\",\"argv\":[\"id\"],\"user\":null}", "user");
	cr_assert_eq(strlen(ok(with_long_str("{\"op\":\"exec\",\"argv\":[\"id\"],\"user\":\"", 'u',
					     PROTO_NAME_MAX - 1, "\"}"))->user),
		     PROTO_NAME_MAX - 1);
	bad_field(with_long_str("{\"op\":\"exec\",\"argv\":[\"id\"],\"user\":\"", 'u', PROTO_NAME_MAX, "\"}"),
		  "user");
}

Test(proto, exec_workdir)
{
	struct ctl_req *q = ok("{\"op\":\"exec\",\"argv\":[\"pwd\"],\"workdir\":\"/\"}");
	cr_assert_eq(q->has_workdir, 1);
	cr_assert_str_eq(q->workdir, "/");
	bad_field("{\"op\":\"exec\",\"argv\":[\"pwd\"],\"workdir\":\"\"}", "workdir");
	bad_field("{\"op\":\"exec\",\"argv\":[\"pwd\"],\"workdir\":\"tmp\"}", "workdir");
	bad_field("{\"op\":\"exec\",\"argv\":[\"pwd\"],\"workdir\":\"./tmp\"}", "workdir");
	bad_field("{\"op\":\"exec\",\"argv\":[\"pwd\"],\"workdir\":[\"/\"]}", "workdir");
	q = ok(with_long_str("{\"op\":\"exec\",\"argv\":[\"pwd\"],\"workdir\":\"/", 'd', 4094, "\"}"));
	cr_assert_eq(strlen(q->workdir), 4095);
	bad_field(with_long_str("{\"op\":\"exec\",\"argv\":[\"pwd\"],\"workdir\":\"/", 'd', 4095, "\"}"),
		  "workdir");
}

Test(proto, exec_timeout_and_max_output)
{
	cr_assert_eq(ok("{\"op\":\"exec\",\"argv\":[\"x\"],\"timeout_ms\":1}")->timeout_ms, 1);
	cr_assert_eq(ok("{\"op\":\"exec\",\"argv\":[\"x\"],\"timeout_ms\":86400000}")->timeout_ms,
		     PROTO_EXEC_TIMEOUT_MAX_MS);
	bad_field("{\"op\":\"exec\",\"argv\":[\"x\"],\"timeout_ms\":0}", "timeout_ms");
	bad_field("{\"op\":\"exec\",\"argv\":[\"x\"],\"timeout_ms\":-5}", "timeout_ms");
	bad_field("{\"op\":\"exec\",\"argv\":[\"x\"],\"timeout_ms\":86400001}", "timeout_ms");
	bad_field("{\"op\":\"exec\",\"argv\":[\"x\"],\"timeout_ms\":\"5000\"}", "timeout_ms");
	bad_field("{\"op\":\"exec\",\"argv\":[\"x\"],\"timeout_ms\":5000.0}", "timeout_ms");
	bad_field("{\"op\":\"exec\",\"argv\":[\"x\"],\"timeout_ms\":null}", "timeout_ms");
	cr_assert_eq(ok("{\"op\":\"exec\",\"argv\":[\"x\"],\"max_output\":32768}")->max_output, 32768);
	cr_assert_eq(ok("{\"op\":\"exec\",\"argv\":[\"x\"],\"max_output\":1}")->max_output, 1);
	bad_field("{\"op\":\"exec\",\"argv\":[\"x\"],\"max_output\":32769}", "max_output");
	bad_field("{\"op\":\"exec\",\"argv\":[\"x\"],\"max_output\":-1}", "max_output");
	bad_field("{\"op\":\"exec\",\"argv\":[\"x\"],\"max_output\":true}", "max_output");
}

/* ---- one request after another ---- */

Test(proto, no_state_kept_between_requests)
{
	struct ctl_req *q = ok("{\"id\":1,\"op\":\"exec\",\"argv\":[\"a\",\"b\"],\"env\":[\"A=1\"]}");
	cr_assert_eq(q->argc, 2);
	/* proto_parse_request into the same struct, without the memset of ok() */
	cr_assert_eq(again("{\"op\":\"stop\",\"process\":\"web\"}"), CTL_OK);
	cr_assert_eq(req.op, CTL_OP_STOP);
	cr_assert_str_eq(req.id, "", "the previous id stuck");
	cr_assert_eq(req.argc, 0);
	cr_assert_eq(req.envc, 0);
	cr_assert_null(req.argv[0]);
	cr_assert_null(req.env[0]);
	cr_assert_eq(again("{\"op\":\"ping\"}"), CTL_OK);
	cr_assert_eq(req.has_process, 0, "the previous process stuck");
	cr_assert_eq(again("{\"op\":\"nope\"}"), CTL_E_UNKNOWN_OP);
	cr_assert_eq(req.op, CTL_OP_NONE, "the previous op stuck");
}
