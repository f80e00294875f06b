/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nr_kroute_*: the kernel's answer to `ip route get`, compared with what
 * ip itself prints, for every kind of answer; then 10,000 pipelined
 * queries, timed, each checked against a single query.
 *
 *   nrt-netns-PID-k                         nrt-netns-PID-p
 *   +----------------------------+          +---------------------+
 *   | va 198.51.100.1/24         |--veth----| vb 198.51.100.254/24|
 *   |    2001:db8:1::1/64        |          |    2001:db8:1::2/64 |
 *   | vc 203.0.113.1/28          |--veth----| vd                  |
 *   | main: 192.0.2.0/26 via .254, unreachable 192.0.2.64/26,     |
 *   |       prohibit 192.0.2.128/26, blackhole 192.0.2.192/27     |
 *   | table 100: 203.0.113.128/25 via 198.51.100.254 (rules:      |
 *   |       fwmark 0x20, from 198.51.100.1)                       |
 *   | v6: 2001:db8:5::/64 via 2001:db8:1::2, unreachable          |
 *   |       2001:db8:4::/64, prohibit 2001:db8:6::/64             |
 *   +----------------------------+          +---------------------+
 */
#include "netrig/netns.h"
#include "netrig/nlsock.h"

#include <errno.h>
#include <jansson.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>
#include <linux/rtnetlink.h>

#include <cmocka.h>

static char ns_k[64], ns_p[64];
static int if_lo, if_va, if_vc;

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	int r;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	r = system(cmd);
	return r == -1 ? -1 : WEXITSTATUS(r);
}

/* stdout and stderr of a command, NUL-terminated, at most cap-1 bytes. */
static void capture(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void capture(char *buf, size_t cap, const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	size_t n = 0;
	FILE *f;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	buf[0] = '\0';
	f = popen(cmd, "r");
	if (!f)
		return;
	while (n + 1 < cap) {
		size_t m = fread(buf + n, 1, cap - 1 - n, f);

		if (m == 0)
			break;
		n += m;
	}
	buf[n] = '\0';
	pclose(f);
}

static void cleanup(void)
{
	if (ns_k[0])
		sh("ip netns del %s 2>/dev/null", ns_k);
	if (ns_p[0])
		sh("ip netns del %s 2>/dev/null", ns_p);
	ns_k[0] = ns_p[0] = '\0';
}

/* dst = a + b, cut to cap; async-signal-safe (no snprintf in a handler). */
static void cat_safe(char *dst, size_t cap, const char *a, const char *b)
{
	size_t n = 0;

	for (; *a && n < cap - 1; a++)
		dst[n++] = *a;
	for (; *b && n < cap - 1; b++)
		dst[n++] = *b;
	dst[n] = '\0';
}

/*
 * What `ip netns del` does (detach the /run/netns bind mount, remove the
 * file) with async-signal-safe calls only, for the signal handler: no
 * system(), no snprintf.
 */
static void ns_del_signal_safe(const char *name)
{
	char path[128];

	if (!name[0])
		return;
	cat_safe(path, sizeof(path), "/run/netns/", name);
	umount2(path, MNT_DETACH);
	unlink(path);
}

/* Clean up, then die of the signal as if no handler had been installed. */
static void on_signal(int sig)
{
	ns_del_signal_safe(ns_k);
	ns_del_signal_safe(ns_p);
	signal(sig, SIG_DFL);
	raise(sig);
}

static int ifindex_of(const char *ns, const char *dev)
{
	char out[8192];
	json_t *j, *e;
	int idx = 0;

	capture(out, sizeof(out), "ip -n %s -j link show dev %s", ns, dev);
	j = json_loads(out, 0, NULL);
	if (j && json_is_array(j) && (e = json_array_get(j, 0)))
		idx = (int)json_integer_value(json_object_get(e, "ifindex"));
	json_decref(j);
	return idx;
}

static int build_topology(void)
{
	snprintf(ns_k, sizeof(ns_k), "nrt-netns-%d-k", (int)getpid());
	snprintf(ns_p, sizeof(ns_p), "nrt-netns-%d-p", (int)getpid());
	if (sh("ip netns add %s", ns_k) || sh("ip netns add %s", ns_p))
		return 77; /* not allowed here: skip */
	if (sh("ip -n %s -batch - <<'EOF'\n"
	       "link set lo up\n"
	       "link add va type veth peer name vb netns %s\n"
	       "link add vc type veth peer name vd netns %s\n"
	       "link set va up\n"
	       "link set vc up\n"
	       "addr add 198.51.100.1/24 dev va\n"
	       "addr add 203.0.113.1/28 dev vc\n"
	       "addr add 2001:db8:1::1/64 dev va nodad\n"
	       "route add 192.0.2.0/26 via 198.51.100.254\n"
	       "route add unreachable 192.0.2.64/26\n"
	       "route add prohibit 192.0.2.128/26\n"
	       "route add blackhole 192.0.2.192/27\n"
	       "route add 203.0.113.128/25 via 198.51.100.254 table 100\n"
	       "rule add pref 100 fwmark 0x20 lookup 100\n"
	       "rule add pref 110 from 198.51.100.1 lookup 100\n"
	       "EOF",
	       ns_k, ns_p, ns_p))
		return -1;
	if (sh("ip -6 -n %s -batch - <<'EOF'\n"
	       "route add 2001:db8:5::/64 via 2001:db8:1::2 dev va\n"
	       "route add unreachable 2001:db8:4::/64\n"
	       "route add prohibit 2001:db8:6::/64\n"
	       "EOF",
	       ns_k))
		return -1;
	if (sh("ip -n %s -batch - <<'EOF'\n"
	       "link set lo up\n"
	       "link set vb up\n"
	       "link set vd up\n"
	       "addr add 198.51.100.254/24 dev vb\n"
	       "addr add 2001:db8:1::2/64 dev vb nodad\n"
	       "EOF",
	       ns_p))
		return -1;
	if_lo = ifindex_of(ns_k, "lo");
	if_va = ifindex_of(ns_k, "va");
	if_vc = ifindex_of(ns_k, "vc");
	return if_lo > 0 && if_va > 0 && if_vc > 0 ? 0 : -1;
}

static struct nr_route_query query(const char *dst, const char *src, int iif, int oif,
				   uint32_t mark)
{
	struct nr_route_query q;

	memset(&q, 0, sizeof(q));
	assert_int_equal(nr_addr_parse(dst, AF_UNSPEC, &q.dst), 0);
	q.src.family = AF_UNSPEC;
	if (src)
		assert_int_equal(nr_addr_parse(src, AF_UNSPEC, &q.src), 0);
	q.iif = iif;
	q.oif = oif;
	q.mark = mark;
	return q;
}

static const char *devname(int idx)
{
	return idx == if_lo ? "lo" : idx == if_va ? "va" : idx == if_vc ? "vc" : "?";
}

/* Compare an answer with `ip route get` for the same query. */
static void compare_with_ip(const struct nr_route_query *q, const struct nr_kroute_answer *a)
{
	char cmd[512], out[8192], d[NR_ADDR_STRLEN], s[NR_ADDR_STRLEN];
	size_t n;
	json_t *j, *e, *v;

	n = (size_t)snprintf(cmd, sizeof(cmd), "ip -n %s %s -j route get %s", ns_k,
			     q->dst.family == AF_INET6 ? "-6" : "",
			     nr_addr_format(&q->dst, d, sizeof(d)));
	if (q->src.family != AF_UNSPEC)
		n += (size_t)snprintf(cmd + n, sizeof(cmd) - n, " from %s",
				      nr_addr_format(&q->src, s, sizeof(s)));
	if (q->iif)
		n += (size_t)snprintf(cmd + n, sizeof(cmd) - n, " iif %s", devname(q->iif));
	if (q->oif)
		n += (size_t)snprintf(cmd + n, sizeof(cmd) - n, " oif %s", devname(q->oif));
	if (q->mark)
		snprintf(cmd + n, sizeof(cmd) - n, " mark %u", q->mark);
	capture(out, sizeof(out), "%s 2>&1", cmd);

	if (out[0] != '[') {
		/* "RTNETLINK answers: No route to host" */
		print_message("%s -> error %d '%s' (ip: %s", cmd, a->error, a->errmsg, out);
		assert_int_not_equal(a->error, 0);
		assert_non_null(strstr(out, strerror(-a->error)));
		return;
	}
	assert_int_equal(a->error, 0);
	j = json_loads(out, 0, NULL);
	assert_non_null(j);
	e = json_array_get(j, 0);
	assert_non_null(e);
	v = json_object_get(e, "dev");
	assert_non_null(v);
	assert_string_equal(json_string_value(v), devname(a->ifindex));
	v = json_object_get(e, "gateway");
	if (v) {
		assert_int_not_equal(a->gateway.family, AF_UNSPEC);
		assert_string_equal(json_string_value(v), nr_addr_format(&a->gateway, d, sizeof(d)));
	} else {
		assert_int_equal(a->gateway.family, AF_UNSPEC);
	}
	v = json_object_get(e, "prefsrc");
	if (v)
		assert_string_equal(json_string_value(v), nr_addr_format(&a->prefsrc, d, sizeof(d)));
	else
		assert_int_equal(a->prefsrc.family, AF_UNSPEC);
	v = json_object_get(e, "type");
	if (v)
		assert_string_equal(json_string_value(v), nr_rtype_name(a->type));
	else
		assert_int_equal(a->type, NR_RTN_UNICAST);
	json_decref(j);
}

static int count_msg(struct nlmsghdr *h, void *arg)
{
	(void)h;
	(void)arg;
	return 0;
}

struct kcase {
	const char *dst, *src;
	int *iif, *oif;
	uint32_t mark;
	int error;      /* expected */
	uint8_t type;   /* when error == 0 */
	uint32_t table; /* when error == 0 */
	int *dev;
	const char *gw;
};

static const struct kcase cases[] = {
	/* reachable via a gateway, on-link, local */
	{ "192.0.2.5", NULL, NULL, NULL, 0, 0, NR_RTN_UNICAST, 254, &if_va, "198.51.100.254" },
	{ "198.51.100.77", NULL, NULL, NULL, 0, 0, NR_RTN_UNICAST, 254, &if_va, NULL },
	{ "198.51.100.1", NULL, NULL, NULL, 0, 0, NR_RTN_LOCAL, 255, &if_lo, NULL },
	/* reject routes and no route at all */
	{ "192.0.2.70", NULL, NULL, NULL, 0, -EHOSTUNREACH, 0, 0, NULL, NULL },
	{ "192.0.2.130", NULL, NULL, NULL, 0, -EACCES, 0, 0, NULL, NULL },
	{ "192.0.2.200", NULL, NULL, NULL, 0, -EINVAL, 0, 0, NULL, NULL },
	{ "203.0.113.200", NULL, NULL, NULL, 0, -ENETUNREACH, 0, 0, NULL, NULL },
	/* policy: by mark, by source */
	{ "203.0.113.200", NULL, NULL, NULL, 0x20, 0, NR_RTN_UNICAST, 100, &if_va, "198.51.100.254" },
	{ "203.0.113.200", "198.51.100.1", NULL, NULL, 0, 0, NR_RTN_UNICAST, 100, &if_va,
	  "198.51.100.254" },
	/* forced output device: no route of vc matches, the kernel assumes
	 * the destination on-link and names no table */
	{ "198.51.100.77", NULL, NULL, &if_vc, 0, 0, NR_RTN_UNICAST, 0, &if_vc, NULL },
	/* IPv6 */
	{ "2001:db8:5::9", NULL, NULL, NULL, 0, 0, NR_RTN_UNICAST, 254, &if_va, "2001:db8:1::2" },
	{ "2001:db8:1::77", NULL, NULL, NULL, 0, 0, NR_RTN_UNICAST, 254, &if_va, NULL },
	{ "2001:db8:4::1", NULL, NULL, NULL, 0, -EHOSTUNREACH, 0, 0, NULL, NULL },
	{ "2001:db8:6::1", NULL, NULL, NULL, 0, -EACCES, 0, 0, NULL, NULL },
	{ "2001:db8:77::1", NULL, NULL, NULL, 0, -ENETUNREACH, 0, 0, NULL, NULL },
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

static struct nr_route_query case_query(const struct kcase *c)
{
	return query(c->dst, c->src, c->iif ? *c->iif : 0, c->oif ? *c->oif : 0, c->mark);
}

static void check_case(const struct kcase *c, const struct nr_kroute_answer *a)
{
	char g[NR_ADDR_STRLEN];

	if (c->error) {
		assert_int_equal(a->error, c->error);
		return;
	}
	assert_int_equal(a->error, 0);
	assert_int_equal(a->type, c->type);
	assert_int_equal(a->table, c->table);
	assert_int_equal(a->ifindex, *c->dev);
	if (c->gw)
		assert_string_equal(nr_addr_format(&a->gateway, g, sizeof(g)), c->gw);
	else
		assert_int_equal(a->gateway.family, AF_UNSPEC);
}

static void test_kroute_cases(void **state)
{
	struct nr_os_error err = { 0 };
	struct nr_netns *ns = NULL;
	struct nr_kroute *k = NULL;
	size_t i;

	(void)state;
	assert_int_equal(nr_netns_open(ns_k, &ns, &err), 0);
	assert_int_equal(nr_kroute_open(ns, &k, &err), 0);
	for (i = 0; i < NCASES; i++) {
		struct nr_route_query q = case_query(&cases[i]);
		struct nr_kroute_answer a;

		print_message("case %zu: %s\n", i, cases[i].dst);
		assert_int_equal(nr_kroute_get(k, &q, &a), 0);
		check_case(&cases[i], &a);
		compare_with_ip(&q, &a);
	}
	nr_kroute_close(k);
	nr_netns_close(ns);
}

/* The kernel's own words come back, not libnl's "Unspecific failure". */
static void test_kroute_ext_ack(void **state)
{
	struct nr_os_error err = { 0 };
	struct nr_netns *ns = NULL;
	struct nr_kroute *k = NULL;
	struct nr_nlsock *sock = NULL;
	struct nr_route_query q = query("198.51.100.77", NULL, 9999, 0, 0);
	struct nr_kroute_answer a;
	/* Strict checking refuses a prefix length in a dump request. */
	struct rtmsg bad = { .rtm_family = AF_INET, .rtm_dst_len = 24 };

	(void)state;
	assert_int_equal(nr_netns_open(ns_k, &ns, &err), 0);
	assert_int_equal(nr_kroute_open(ns, &k, &err), 0);
	/* No such input device: the errno, and no text from this kernel. */
	assert_int_equal(nr_kroute_get(k, &q, &a), 0);
	assert_int_equal(a.error, -ENODEV);
	/* A malformed query is refused before it reaches the kernel. */
	q.src.family = AF_INET6;
	assert_int_equal(nr_kroute_get(k, &q, &a), -EINVAL);

	assert_int_equal(nr_nlsock_open(ns, &sock, &err), 0);
	assert_int_equal(nr_nlsock_dump(sock, "RTM_GETROUTE", RTM_GETROUTE, &bad, sizeof(bad),
					count_msg, NULL, NULL, &err),
			 -EINVAL);
	print_message("bad dump: %s\n", err.msg);
	assert_int_equal(err.err, -EINVAL);
	assert_non_null(strstr(err.msg, "RTM_GETROUTE: "));
	assert_non_null(strstr(err.msg, "dump request"));
	/* The socket is still usable after the refusal. */
	bad.rtm_dst_len = 0;
	assert_int_equal(nr_nlsock_dump(sock, "RTM_GETROUTE", RTM_GETROUTE, &bad, sizeof(bad),
					count_msg, NULL, NULL, &err),
			 0);
	nr_nlsock_close(sock);
	nr_kroute_close(k);
	nr_netns_close(ns);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_kroute_many(void **state)
{
	enum { N = 10000 };
	struct nr_os_error err = { 0 };
	struct nr_netns *ns = NULL;
	struct nr_kroute *k = NULL;
	struct nr_route_query *q = calloc(N, sizeof(*q));
	struct nr_kroute_answer *a = calloc(N, sizeof(*a));
	double t0, t1;
	size_t i;

	(void)state;
	assert_non_null(q);
	assert_non_null(a);
	assert_int_equal(nr_netns_open(ns_k, &ns, &err), 0);
	assert_int_equal(nr_kroute_open(ns, &k, &err), 0);
	/* Every kind of answer, interleaved, so a mismatch in sequence
	 * matching shows as a wrong answer at some index. */
	for (i = 0; i < N; i++)
		q[i] = case_query(&cases[(i * 7) % NCASES]);
	t0 = now_s();
	assert_int_equal(nr_kroute_get_many(k, q, N, a), 0);
	t1 = now_s();
	print_message("%d pipelined RTM_GETROUTE queries: %.3f s\n", N, t1 - t0);
	for (i = 0; i < N; i++) {
		if (a[i].error != cases[(i * 7) % NCASES].error)
			print_message("index %zu case %zu: %d\n", i, (i * 7) % NCASES, a[i].error);
		check_case(&cases[(i * 7) % NCASES], &a[i]);
	}
	nr_kroute_close(k);
	nr_netns_close(ns);
	free(q);
	free(a);
}

static void test_netns_unknown(void **state)
{
	struct nr_os_error err = { 0 };
	struct nr_netns *ns = NULL;
	struct nr_kroute *k = NULL;
	char spec[32];

	(void)state;
	assert_int_equal(nr_netns_open("nrt-netns-no-such-ns", &ns, &err), -ENOENT);
	assert_null(ns);
	assert_int_equal(err.err, -ENOENT);
	assert_string_equal(err.msg, "no namespace 'nrt-netns-no-such-ns' (see 'ip netns list')");
	assert_int_equal(nr_netns_open("pid:x", &ns, &err), -EINVAL);
	assert_int_equal(nr_netns_open("../x", &ns, &err), -ENOENT);
	/* A file that is not a namespace. */
	assert_int_equal(nr_netns_open("/proc/self/status", &ns, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "not a network namespace"));
	/* The caller's own namespace: no setns needed. */
	assert_int_equal(nr_netns_open(NULL, &ns, &err), 0);
	assert_string_equal(nr_netns_name(ns), "");
	assert_int_equal(nr_kroute_open(ns, &k, &err), 0);
	nr_kroute_close(k);
	nr_netns_close(ns);
	snprintf(spec, sizeof(spec), "pid:%d", (int)getpid());
	assert_int_equal(nr_netns_open(spec, &ns, &err), 0);
	assert_string_equal(nr_netns_name(ns), "");
	nr_netns_close(ns);
	assert_int_equal(nr_netns_open("pid:999999999", &ns, &err), -ENOENT);
	assert_string_equal(err.msg, "no process 999999999");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_netns_unknown),
		cmocka_unit_test(test_kroute_cases),
		cmocka_unit_test(test_kroute_ext_ack),
		cmocka_unit_test(test_kroute_many),
	};
	int r;

	if (geteuid() != 0) {
		printf("SKIP: needs root (network namespaces)\n");
		return 77;
	}
	atexit(cleanup);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	r = build_topology();
	if (r) {
		cleanup();
		printf("%s\n", r == 77 ? "SKIP: cannot create network namespaces here"
					: "FAIL: building the topology");
		return r == 77 ? 77 : 1;
	}
	r = cmocka_run_group_tests(tests, NULL, NULL);
	cleanup();
	return r;
}
