/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The kernel builder: named namespaces, every link kind, addresses,
 * routes, rules, neighbours and sysctls built with nr_kb_* and read back
 * through the OS reader (nr_os_snapshot_read) or `ip -j`; the errors; a
 * 100-pair build timed. The root namespace's links are the same before
 * and after.
 *
 *   nrt-kbuild-PID-a                              nrt-kbuild-PID-b
 *   +------------------------------------------+  +-----------------+
 *   | br0 (bridge, up)                          |  |                 |
 *   |  `- va (veth, mtu 1400, mac, group 42, ---+--+- vb (up, grp 43)|
 *   |        alias)  198.51.100.1/24,           |  |   198.51.100.2  |
 *   |        2001:db8:1::1/64 nodad             |  |                 |
 *   | vc (veth, up) ----------------------------+--+- vd             |
 *   |  `- mv0 (macvlan bridge)                  |  |                 |
 *   | vx0 (vxlan 42 198.51.100.1 -> .2 :4789)   |  |                 |
 *   | routes of every type, tables 100 and 1000 |  |                 |
 *   | rules 100..190, neighbours                |  |                 |
 *   +------------------------------------------+  +-----------------+
 *   nrt-kbuild-PID-h + nrt-kbuild-PID-l0..99: the timed 100-pair build.
 *   nrt-kbuild-PID-r0..r3: reserved names, sysctls written at creation,
 *   indexes echoed by the kernel (veth r0:ea -- r1:eb, r0:ec -- r0:ed).
 */
#include "netrig/kbuild.h"
#include "netrig/netns.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/if.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#define NLEAF 100

static char ns_a[64], ns_b[64], ns_h[64];
static char leaf[NLEAF][64];
static char resv[4][64];
static char root_links_before[16384];
static struct nr_netns *na, *nb;

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

/* What a command prints (at most cap - 1 bytes). */
static char *run_out(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static char *run_out(char *buf, size_t cap, const char *fmt, ...)
{
	char cmd[1024];
	size_t n = 0, m;
	va_list ap;
	FILE *f;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	buf[0] = '\0';
	f = popen(cmd, "r");
	if (!f)
		return buf;
	while (n < cap - 1 && (m = fread(buf + n, 1, cap - 1 - n, f)) > 0)
		n += m;
	buf[n] = '\0';
	pclose(f);
	return buf;
}

static json_t *ip_json(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static json_t *ip_json(const char *fmt, ...)
{
	static char buf[1 << 18];
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	run_out(buf, sizeof(buf), "%s", cmd);
	return json_loads(buf, 0, NULL);
}

/* test_netns's own namespace: here, so a failed assertion (which leaves
 * the test early) still has it removed by the group teardown. */
static char ns_n[64];

static void cleanup(void)
{
	size_t i;

	if (ns_n[0] && nr_knetns_exists(ns_n))
		nr_knetns_delete(ns_n, NULL);
	ns_n[0] = '\0';

	nr_netns_close(na);
	nr_netns_close(nb);
	na = nb = NULL;
	if (ns_a[0])
		nr_knetns_delete(ns_a, NULL);
	if (ns_b[0])
		nr_knetns_delete(ns_b, NULL);
	if (ns_h[0])
		nr_knetns_delete(ns_h, NULL);
	for (i = 0; i < NLEAF; i++)
		if (leaf[i][0])
			nr_knetns_delete(leaf[i], NULL);
	for (i = 0; i < 4; i++)
		if (resv[i][0])
			nr_knetns_delete(resv[i], NULL);
	memset(resv, 0, sizeof(resv));
	ns_a[0] = ns_b[0] = ns_h[0] = '\0';
	memset(leaf, 0, sizeof(leaf));
}

static void on_signal(int sig)
{
	cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static struct nr_netns *open_ns(const char *name)
{
	struct nr_netns *ns = NULL;
	struct nr_os_error err;

	assert_int_equal(nr_netns_open(name, &ns, &err), 0);
	return ns;
}

static struct nr_prefix pfx(const char *s)
{
	struct nr_prefix p;

	assert_int_equal(nr_prefix_parse(s, AF_UNSPEC, NR_PREFIX_PARSE_HOST_BITS, &p), 0);
	return p;
}

static struct nr_addr addr(const char *s)
{
	struct nr_addr a;

	assert_int_equal(nr_addr_parse(s, AF_UNSPEC, &a), 0);
	return a;
}

static struct nr_klink_opts opts_none(void)
{
	struct nr_klink_opts o = { .up = -1 };

	return o;
}

static struct nr_kb *kb_in(struct nr_netns *ns)
{
	struct nr_os_error err;
	struct nr_kb *kb = NULL;

	assert_int_equal(nr_kb_open(ns, &kb, &err), 0);
	return kb;
}

static void flush_ok(struct nr_kb *kb)
{
	struct nr_os_error err = { 0 };
	long failed = -1;
	int r = nr_kb_flush(kb, &failed, &err);

	if (r)
		print_error("flush: %d (tag %ld) %s\n", r, failed, err.msg);
	assert_int_equal(r, 0);
}

/* ---- namespaces ---- */

static void test_netns(void **state)
{
	char *name = ns_n, out[8192], longname[300];
	struct nr_os_error err;
	double t0, t1, t2;
	int i;

	(void)state;
	snprintf(ns_n, sizeof(ns_n), "nrt-kbuild-%d-n", (int)getpid());
	assert_false(nr_knetns_exists(name));
	assert_int_equal(nr_knetns_create(name, &err), 0);
	assert_true(nr_knetns_exists(name));
	/* iproute2 sees it and can enter it. */
	/* (grep: the whole list may not fit out on a busy machine) */
	assert_string_equal(run_out(out, sizeof(out), "ip netns list | awk '{print $1}' | grep -cx %s",
				    name),
			    "1\n");
	assert_int_equal(sh("ip netns exec %s ip -o link show lo >/dev/null", name), 0);
	/* A namespace of its own: only lo, no link of ours. */
	assert_null(strstr(run_out(out, sizeof(out), "ip netns exec %s ip -o link", name), "eth"));

	assert_int_equal(nr_knetns_create(name, &err), -EEXIST);
	assert_non_null(strstr(err.msg, "exists"));
	assert_true(nr_knetns_exists(name)); /* the failure removed nothing */

	memset(longname, 'x', 256);
	longname[256] = '\0';
	assert_int_equal(nr_knetns_create(longname, &err), -ENAMETOOLONG);
	assert_int_equal(nr_knetns_create("a/b", &err), -EINVAL);
	assert_int_equal(nr_knetns_create("..", &err), -EINVAL);
	assert_int_equal(nr_knetns_create("", &err), -EINVAL);

	assert_int_equal(nr_knetns_delete(name, &err), 0);
	assert_false(nr_knetns_exists(name));
	assert_string_equal(run_out(out, sizeof(out), "ip netns list | awk '{print $1}' | grep -cx %s",
				    name),
			    "0\n");
	assert_int_equal(nr_knetns_delete(name, &err), -ENOENT);

	/* A plain file (a crashed `ip netns add`) is not a namespace. */
	snprintf(out, sizeof(out), "/run/netns/%s", name);
	fclose(fopen(out, "w"));
	assert_false(nr_knetns_exists(name));
	assert_int_equal(nr_knetns_delete(name, &err), 0);

	/* Speed: 100 created, 100 deleted (no wait). */
	t0 = now_ms();
	for (i = 0; i < NLEAF; i++) {
		snprintf(leaf[i], sizeof(leaf[i]), "nrt-kbuild-%d-l%d", (int)getpid(), i);
		assert_int_equal(nr_knetns_create(leaf[i], &err), 0);
	}
	t1 = now_ms();
	for (i = 0; i < NLEAF; i++) {
		assert_int_equal(nr_knetns_delete(leaf[i], &err), 0);
		leaf[i][0] = '\0';
	}
	t2 = now_ms();
	printf("# %d namespaces: created in %.1f ms, deleted in %.1f ms\n", NLEAF, t1 - t0,
	       t2 - t1);
}

/* ---- links ---- */

static const struct nr_iface *find_if(const struct nr_os_snapshot *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nifaces; i++)
		if (!strcmp(s->ifaces[i].name, name))
			return &s->ifaces[i];
	return NULL;
}

static json_t *ip_link(const char *ns, const char *dev)
{
	json_t *j = ip_json("ip -d -j -n %s link show dev %s", ns, dev);
	json_t *e;

	assert_non_null(j);
	assert_int_equal(json_array_size(j), 1);
	e = json_incref(json_array_get(j, 0));
	json_decref(j);
	return e;
}

static void test_links(void **state)
{
	struct nr_klink_opts br = opts_none(), va = opts_none(), vb = opts_none(),
			     up = opts_none(), mv = opts_none(), vx_o = opts_none(),
			     pm = opts_none();
	struct nr_kvxlan vx = { .vni = 42, .port = 4789, .dev = "va" };
	struct nr_os_snapshot *sa = NULL, *sb = NULL;
	const struct nr_iface *i_br, *i_va, *i_vb, *i_mv, *i_vx, *i_vc;
	struct nr_os_error err;
	struct nr_kb *ka = kb_in(na);
	json_t *j, *data;

	(void)state;
	br.up = 1;
	va.mtu = 1400;
	va.group = 42;
	va.master = "br0";
	va.alias = "nrt-run-1";
	va.up = 1;
	assert_int_equal(nr_lladdr_parse("02:00:5e:00:53:01", &va.mac), 0);
	vb.mtu = 1400;
	vb.group = 43;
	vb.up = 1;
	assert_int_equal(nr_lladdr_parse("02:00:5e:00:53:02", &vb.mac), 0);
	up.up = 1;
	mv.up = 1;
	vx.local = addr("198.51.100.1");
	vx.remote = addr("198.51.100.2");

	{
		struct nr_kb *kbb = kb_in(nb);

		assert_int_equal(nr_kb_bridge(kbb, "brb", &br), 0);
		flush_ok(kbb);
		nr_kb_close(kbb);
	}
	pm.up = 1;
	pm.master = "brb";
	pm.alias = "peer-side";
	assert_int_equal(nr_kb_veth(ka, "ve", nb, "vf", &up, &pm), 0);
	assert_int_equal(nr_kb_bridge(ka, "br0", &br), 0);
	/* The master is named before it exists: resolved at flush. */
	assert_int_equal(nr_kb_veth(ka, "va", nb, "vb", &va, &vb), 0);
	assert_int_equal(nr_kb_veth(ka, "vc", nb, "vd", &up, &up), 0);
	assert_int_equal(nr_kb_macvlan(ka, "mv0", "vc", "bridge", &mv), 0);
	assert_int_equal(nr_kb_vxlan(ka, "vx0", &vx, &vx_o), 0);
	flush_ok(ka);

	assert_int_equal(nr_os_snapshot_read(na, NR_OS_LINKS, &sa, &err), 0);
	assert_int_equal(nr_os_snapshot_read(nb, NR_OS_LINKS, &sb, &err), 0);
	i_br = find_if(sa, "br0");
	i_va = find_if(sa, "va");
	i_vc = find_if(sa, "vc");
	i_mv = find_if(sa, "mv0");
	i_vx = find_if(sa, "vx0");
	i_vb = find_if(sb, "vb");
	assert_non_null(i_br);
	assert_non_null(i_va);
	assert_non_null(i_vc);
	assert_non_null(i_mv);
	assert_non_null(i_vx);
	assert_non_null(i_vb);
	assert_non_null(find_if(sb, "vd"));
	/* The peers were made in b directly: none of them is in a. */
	assert_null(find_if(sa, "vb"));
	assert_null(find_if(sa, "vd"));

	assert_string_equal(i_br->kind, "bridge");
	assert_true(i_br->flags & IFF_UP);
	assert_string_equal(i_va->kind, "veth");
	assert_int_equal(i_va->mtu, 1400);
	assert_int_equal(i_va->group, 42);
	assert_int_equal(i_va->master, i_br->index);
	assert_true(i_va->flags & IFF_UP);
	assert_true(nr_lladdr_eq(&i_va->lladdr, &va.mac));
	assert_string_equal(i_vb->kind, "veth");
	assert_int_equal(i_vb->mtu, 1400);
	assert_int_equal(i_vb->group, 43);
	assert_true(i_vb->flags & IFF_UP);
	assert_true(nr_lladdr_eq(&i_vb->lladdr, &vb.mac));
	assert_int_equal(i_vb->link, i_va->index); /* peer index, seen from b */
	assert_string_equal(i_mv->kind, "macvlan");
	assert_int_equal(i_mv->link, i_vc->index);
	assert_true(i_mv->flags & IFF_UP);
	assert_string_equal(i_vx->kind, "vxlan");
	assert_false(i_vx->flags & IFF_UP); /* up -1: left as created */

	/* The peer's second request, made inside b. */
	{
		const struct nr_iface *i_vf = find_if(sb, "vf"), *i_brb = find_if(sb, "brb");

		assert_non_null(i_vf);
		assert_non_null(i_brb);
		assert_int_equal(i_vf->master, i_brb->index);
		assert_true(i_vf->flags & IFF_UP);
		j = ip_link(ns_b, "vf");
		assert_string_equal(json_string_value(json_object_get(j, "ifalias")), "peer-side");
		json_decref(j);
	}

	/* What the reader does not keep, from iproute2. */
	j = ip_link(ns_a, "va");
	assert_string_equal(json_string_value(json_object_get(j, "ifalias")), "nrt-run-1");
	json_decref(j);
	j = ip_link(ns_a, "mv0");
	data = json_object_get(json_object_get(json_object_get(j, "linkinfo"), "info_data"), "mode");
	assert_string_equal(json_string_value(data), "bridge");
	json_decref(j);
	j = ip_link(ns_a, "vx0");
	data = json_object_get(json_object_get(j, "linkinfo"), "info_data");
	assert_int_equal(json_integer_value(json_object_get(data, "id")), 42);
	assert_string_equal(json_string_value(json_object_get(data, "local")), "198.51.100.1");
	assert_string_equal(json_string_value(json_object_get(data, "remote")), "198.51.100.2");
	assert_int_equal(json_integer_value(json_object_get(data, "port")), 4789);
	assert_string_equal(json_string_value(json_object_get(data, "link")), "va");
	json_decref(j);

	/* Change: mtu, down, release from the bridge, new alias. */
	{
		struct nr_klink_opts ch = opts_none();
		const struct nr_iface *i2;
		struct nr_os_snapshot *s2 = NULL;

		ch.mtu = 1300;
		ch.up = 0;
		ch.master = "";
		ch.alias = "changed";
		assert_int_equal(nr_kb_link_set(ka, "va", &ch), 0);
		flush_ok(ka);
		assert_int_equal(nr_os_snapshot_read(na, NR_OS_LINKS, &s2, &err), 0);
		i2 = find_if(s2, "va");
		assert_non_null(i2);
		assert_int_equal(i2->mtu, 1300);
		assert_false(i2->flags & IFF_UP);
		assert_int_equal(i2->master, 0);
		nr_os_snapshot_free(s2);
		j = ip_link(ns_a, "va");
		assert_string_equal(json_string_value(json_object_get(j, "ifalias")), "changed");
		json_decref(j);
		/* and back, for the tests that follow */
		ch.mtu = 1400;
		ch.up = 1;
		ch.alias = NULL;
		ch.master = "br0";
		assert_int_equal(nr_kb_link_set(ka, "va", &ch), 0);
		flush_ok(ka);
	}
	nr_os_snapshot_free(sa);
	nr_os_snapshot_free(sb);
	/* Close discards what is queued: an error path never sends half of
	 * a configuration. A bridge queued, never flushed, does not exist;
	 * the same request flushed does (the positive twin). */
	{
		struct nr_klink_opts o = opts_none();
		char cmd[256];

		assert_int_equal(nr_kb_bridge(ka, "brdiscard", &o), 0);
		nr_kb_close(ka);
		snprintf(cmd, sizeof(cmd), "ip -n %s link show dev brdiscard >/dev/null 2>&1", ns_a);
		assert_int_not_equal(system(cmd), 0);
		assert_int_equal(nr_kb_open(na, &ka, &err), 0);
		assert_int_equal(nr_kb_bridge(ka, "brdiscard", &o), 0);
		flush_ok(ka);
		assert_int_equal(system(cmd), 0);
	}
	nr_kb_close(ka);
}

/* ---- addresses, routes ---- */

static const struct nr_os_addr *find_addr(const struct nr_os_snapshot *s, const char *a)
{
	struct nr_addr want = addr(a);
	size_t i;

	for (i = 0; i < s->naddrs; i++)
		if (nr_addr_eq(&s->addrs[i].a.local.addr, &want))
			return &s->addrs[i];
	return NULL;
}

static const struct nr_route *find_route(const struct nr_os_snapshot *s, uint32_t table,
					 const char *dst)
{
	struct nr_prefix p = pfx(dst);
	size_t i;

	for (i = 0; i < s->nroutes; i++)
		if (s->routes[i].table == table && s->routes[i].dst.len == p.len &&
		    s->routes[i].family == p.addr.family &&
		    (p.len == 0 || nr_addr_eq(&s->routes[i].dst.addr, &p.addr)))
			return &s->routes[i];
	return NULL;
}

static void test_addrs_routes(void **state)
{
	struct nr_kb *ka = kb_in(na), *kbb = kb_in(nb);
	struct nr_os_snapshot *s = NULL;
	struct nr_os_error err;
	const struct nr_os_addr *oa;
	const struct nr_route *r;
	struct nr_prefix p;
	struct nr_addr peer;
	int va, vc, vb, vd;

	(void)state;
	va = nr_kb_ifindex(ka, "va");
	vc = nr_kb_ifindex(ka, "vc");
	vb = nr_kb_ifindex(kbb, "vb");
	vd = nr_kb_ifindex(kbb, "vd");
	assert_true(va > 0 && vc > 0 && vb > 0 && vd > 0);
	assert_int_equal(nr_kb_ifindex(ka, "nosuch"), -ENODEV);

	p = pfx("198.51.100.1/24");
	assert_int_equal(nr_kb_addr(ka, va, &p, NULL, false), 0);
	p = pfx("2001:db8:1::1/64");
	assert_int_equal(nr_kb_addr(ka, va, &p, NULL, true), 0);
	p = pfx("203.0.113.1/32");
	peer = addr("203.0.113.2");
	assert_int_equal(nr_kb_addr(ka, vc, &p, &peer, false), 0);
	p = pfx("2001:db8:2::1/128");
	peer = addr("2001:db8:2::2");
	assert_int_equal(nr_kb_addr(ka, vc, &p, &peer, true), 0);
	flush_ok(ka);
	p = pfx("198.51.100.2/24");
	assert_int_equal(nr_kb_addr(kbb, vb, &p, NULL, false), 0);
	p = pfx("2001:db8:1::2/64");
	assert_int_equal(nr_kb_addr(kbb, vb, &p, NULL, true), 0);
	p = pfx("203.0.113.2/32");
	peer = addr("203.0.113.1");
	assert_int_equal(nr_kb_addr(kbb, vd, &p, &peer, false), 0);
	flush_ok(kbb);

	{
		struct nr_nexthop gw1 = { .gw = addr("198.51.100.2"), .ifindex = va, .weight = 1 };
		struct nr_nexthop ecmp[2] = {
			{ .gw = addr("198.51.100.2"), .ifindex = va, .weight = 1 },
			{ .gw = addr("203.0.113.2"), .ifindex = vc, .weight = 3 },
		};
		struct nr_nexthop onlink = { .gw = addr("192.0.2.99"), .ifindex = vc, .weight = 1,
					     .flags = NR_RTNH_F_ONLINK };
		struct nr_nexthop dev_only = { .ifindex = vc, .weight = 1 };
		struct nr_nexthop via6 = { .gw = addr("fe80::2"), .ifindex = vc, .weight = 1 };
		struct nr_nexthop gw6 = { .gw = addr("2001:db8:1::2"), .ifindex = va, .weight = 1 };
		struct nr_nexthop ecmp6[2] = {
			{ .gw = addr("2001:db8:1::2"), .ifindex = va, .weight = 2 },
			{ .gw = addr("fe80::2"), .ifindex = vc, .weight = 1 },
		};
		struct nr_nexthop lo_nh = { .ifindex = va, .weight = 1 };
		struct nr_route rt;

#define ROUTE(fam, dst_, ...)                                                  \
	do {                                                                   \
		memset(&rt, 0, sizeof(rt));                                    \
		rt.family = fam;                                               \
		rt.dst = pfx(dst_);                                            \
		__VA_ARGS__;                                                   \
		assert_int_equal(nr_kb_route(ka, &rt), 0);                     \
	} while (0)
		ROUTE(AF_INET, "0.0.0.0/0", rt.nh = &gw1, rt.nh_count = 1, rt.metric = 100);
		ROUTE(AF_INET, "192.0.2.128/25", rt.nh = ecmp, rt.nh_count = 2);
		ROUTE(AF_INET, "198.51.100.200/32", rt.nh = &onlink, rt.nh_count = 1);
		ROUTE(AF_INET, "192.0.2.16/28", rt.nh = &dev_only, rt.nh_count = 1, rt.tos = 0x10,
		      rt.protocol = 4);
		ROUTE(AF_INET, "203.0.113.64/26", rt.nh = &via6, rt.nh_count = 1);
		ROUTE(AF_INET, "203.0.113.128/25", rt.type = NR_RTN_UNREACHABLE, rt.table = 100);
		ROUTE(AF_INET, "198.51.100.128/25", rt.type = NR_RTN_PROHIBIT, rt.table = 100);
		ROUTE(AF_INET, "192.0.2.64/26", rt.type = NR_RTN_BLACKHOLE, rt.table = 100);
		ROUTE(AF_INET, "192.0.2.32/27", rt.type = NR_RTN_THROW, rt.table = 100);
		ROUTE(AF_INET, "198.51.100.64/26", rt.nh = &gw1, rt.nh_count = 1, rt.table = 1000,
		      rt.prefsrc = addr("198.51.100.1"), rt.mtu = 1300);
		ROUTE(AF_INET, "192.0.2.7/32", rt.type = NR_RTN_LOCAL, rt.nh = &lo_nh, rt.nh_count = 1);
		ROUTE(AF_INET6, "2001:db8:3::/64", rt.nh = &gw6, rt.nh_count = 1, rt.metric = 512,
		      rt.pref = NR_RT_PREF_HIGH);
		ROUTE(AF_INET6, "2001:db8:4::/64", rt.type = NR_RTN_UNREACHABLE);
		ROUTE(AF_INET6, "2001:db8:5::/64", rt.nh = ecmp6, rt.nh_count = 2);
		ROUTE(AF_INET6, "2001:db8:6::/64", rt.nh = &gw6, rt.nh_count = 1,
		      rt.src = pfx("2001:db8:1::/64"));
		ROUTE(AF_INET6, "2001:db8:7::/64", rt.type = NR_RTN_PROHIBIT, rt.table = 70000);
#undef ROUTE
	}
	flush_ok(ka);

	assert_int_equal(nr_os_snapshot_read(na, NR_OS_LINKS | NR_OS_ADDRS | NR_OS_ROUTES, &s, &err),
			 0);
	oa = find_addr(s, "198.51.100.1");
	assert_non_null(oa);
	assert_int_equal(oa->ifindex, va);
	assert_int_equal(oa->a.local.len, 24);
	oa = find_addr(s, "2001:db8:1::1");
	assert_non_null(oa);
	assert_int_equal(oa->a.local.len, 64);
	assert_true(oa->a.flags & NR_IFA_F_NODAD);
	assert_false(oa->a.flags & NR_IFA_F_TENTATIVE); /* usable at once */
	oa = find_addr(s, "203.0.113.1");
	assert_non_null(oa);
	assert_int_equal(oa->ifindex, vc);
	assert_true(nr_addr_eq(&oa->a.peer, &(struct nr_addr){ 0 }) == false);
	peer = addr("203.0.113.2");
	assert_true(nr_addr_eq(&oa->a.peer, &peer));
	oa = find_addr(s, "2001:db8:2::1");
	assert_non_null(oa);
	peer = addr("2001:db8:2::2");
	assert_true(nr_addr_eq(&oa->a.peer, &peer));

	r = find_route(s, NR_TABLE_MAIN, "0.0.0.0/0");
	assert_non_null(r);
	assert_int_equal(r->metric, 100);
	assert_int_equal(r->protocol, RTPROT_BOOT);
	assert_int_equal(r->scope, RT_SCOPE_UNIVERSE);
	assert_int_equal(r->nh_count, 1);
	assert_int_equal(r->nh[0].ifindex, va);
	peer = addr("198.51.100.2");
	assert_true(nr_addr_eq(&r->nh[0].gw, &peer));

	r = find_route(s, NR_TABLE_MAIN, "192.0.2.128/25");
	assert_non_null(r);
	assert_int_equal(r->nh_count, 2);
	assert_int_equal(r->nh[0].weight, 1);
	assert_int_equal(r->nh[1].weight, 3);
	assert_int_equal(r->nh[1].ifindex, vc);

	r = find_route(s, NR_TABLE_MAIN, "198.51.100.200/32");
	assert_non_null(r);
	assert_true(r->nh[0].flags & NR_RTNH_F_ONLINK);

	r = find_route(s, NR_TABLE_MAIN, "192.0.2.16/28");
	assert_non_null(r);
	assert_int_equal(r->tos, 0x10);
	assert_int_equal(r->protocol, 4);
	assert_int_equal(r->scope, RT_SCOPE_LINK); /* iproute2's default, no gateway */
	assert_int_equal(r->nh[0].gw.family, AF_UNSPEC);

	r = find_route(s, NR_TABLE_MAIN, "203.0.113.64/26");
	assert_non_null(r);
	assert_int_equal(r->nh[0].gw.family, AF_INET6);

	r = find_route(s, 100, "203.0.113.128/25");
	assert_non_null(r);
	assert_int_equal(r->type, NR_RTN_UNREACHABLE);
	r = find_route(s, 100, "198.51.100.128/25");
	assert_non_null(r);
	assert_int_equal(r->type, NR_RTN_PROHIBIT);
	r = find_route(s, 100, "192.0.2.64/26");
	assert_non_null(r);
	assert_int_equal(r->type, NR_RTN_BLACKHOLE);
	r = find_route(s, 100, "192.0.2.32/27");
	assert_non_null(r);
	assert_int_equal(r->type, NR_RTN_THROW);

	r = find_route(s, 1000, "198.51.100.64/26");
	assert_non_null(r);
	assert_int_equal(r->mtu, 1300);
	peer = addr("198.51.100.1");
	assert_true(nr_addr_eq(&r->prefsrc, &peer));
	assert_null(find_route(s, 1000 & 0xff, "198.51.100.64/26")); /* not truncated */

	r = find_route(s, NR_TABLE_LOCAL, "192.0.2.7/32");
	assert_non_null(r);
	assert_int_equal(r->type, NR_RTN_LOCAL);
	assert_int_equal(r->scope, RT_SCOPE_HOST);

	r = find_route(s, NR_TABLE_MAIN, "2001:db8:3::/64");
	assert_non_null(r);
	assert_int_equal(r->metric, 512);
	assert_int_equal(r->pref, NR_RT_PREF_HIGH);
	r = find_route(s, NR_TABLE_MAIN, "2001:db8:4::/64");
	assert_non_null(r);
	assert_int_equal(r->type, NR_RTN_UNREACHABLE);
	r = find_route(s, NR_TABLE_MAIN, "2001:db8:5::/64");
	assert_non_null(r);
	assert_int_equal(r->nh_count, 2);
	r = find_route(s, NR_TABLE_MAIN, "2001:db8:6::/64");
	assert_non_null(r);
	assert_int_equal(r->src.len, 64);
	r = find_route(s, 70000, "2001:db8:7::/64");
	assert_non_null(r);
	assert_int_equal(r->type, NR_RTN_PROHIBIT);
	nr_os_snapshot_free(s);
	nr_kb_close(ka);
	nr_kb_close(kbb);
}

/* ---- rules, neighbours ---- */

static const struct nr_rule *find_rule(const struct nr_os_snapshot *s, int family, uint32_t prio)
{
	size_t i;

	for (i = 0; i < s->nrules; i++)
		if (s->rules[i].family == family && s->rules[i].priority == prio)
			return &s->rules[i];
	return NULL;
}

static struct nr_rule rule0(int family, uint32_t prio)
{
	struct nr_rule r;

	memset(&r, 0, sizeof(r));
	r.family = (uint8_t)family;
	r.priority = prio;
	r.suppress_prefixlen = -1;
	r.suppress_ifgroup = -1;
	return r;
}

static void test_rules_neigh(void **state)
{
	struct nr_kb *ka = kb_in(na);
	struct nr_os_snapshot *s = NULL;
	struct nr_os_error err;
	const struct nr_rule *g;
	struct nr_lladdr mac;
	struct nr_rule ru;
	struct nr_addr a;
	size_t i;
	int va;
	bool seen4 = false, seen6 = false;

	(void)state;
	va = nr_kb_ifindex(ka, "va");
	assert_true(va > 0);
	ru = rule0(AF_INET, 100);
	ru.from = pfx("198.51.100.0/24");
	ru.to = pfx("192.0.2.0/24");
	ru.table = 100;
	assert_int_equal(nr_kb_rule(ka, &ru), 0);
	ru = rule0(AF_INET, 110);
	strcpy(ru.iifname, "va");
	ru.fwmark = 0x10;
	ru.fwmask = 0xff;
	ru.table = 1000;
	assert_int_equal(nr_kb_rule(ka, &ru), 0);
	ru = rule0(AF_INET, 120);
	ru.from = pfx("203.0.113.0/24");
	ru.flags = NR_FIB_RULE_INVERT;
	ru.table = NR_TABLE_MAIN;
	ru.suppress_prefixlen = 0;
	assert_int_equal(nr_kb_rule(ka, &ru), 0);
	ru = rule0(AF_INET, 130);
	ru.ip_proto = 17;
	ru.dport_lo = ru.dport_hi = 53;
	ru.sport_lo = 1000;
	ru.sport_hi = 2000;
	ru.table = 100;
	assert_int_equal(nr_kb_rule(ka, &ru), 0);
	ru = rule0(AF_INET, 140);
	strcpy(ru.oifname, "vc");
	ru.has_uid_range = true;
	ru.uid_lo = 1000;
	ru.uid_hi = 2000;
	ru.table = 100;
	assert_int_equal(nr_kb_rule(ka, &ru), 0);
	ru = rule0(AF_INET, 150);
	ru.tos = 0x10;
	ru.action = NR_FR_ACT_PROHIBIT;
	assert_int_equal(nr_kb_rule(ka, &ru), 0);
	ru = rule0(AF_INET, 170);
	ru.fwmark = 0x20;
	ru.table = 100;
	assert_int_equal(nr_kb_rule(ka, &ru), 0);
	ru = rule0(AF_INET, 160);
	ru.action = NR_FR_ACT_GOTO;
	ru.goto_target = 170;
	assert_int_equal(nr_kb_rule(ka, &ru), 0);
	ru = rule0(AF_INET, 190);
	ru.table = NR_TABLE_MAIN;
	ru.suppress_ifgroup = 5;
	ru.protocol = 4;
	assert_int_equal(nr_kb_rule(ka, &ru), 0);
	ru = rule0(AF_INET6, 200);
	ru.from = pfx("2001:db8:1::/64");
	ru.table = 200;
	assert_int_equal(nr_kb_rule(ka, &ru), 0);

	a = addr("198.51.100.77");
	assert_int_equal(nr_lladdr_parse("02:00:00:00:00:77", &mac), 0);
	assert_int_equal(nr_kb_neigh(ka, va, &a, &mac, NUD_PERMANENT, false), 0);
	a = addr("2001:db8:1::77");
	assert_int_equal(nr_kb_neigh(ka, va, &a, &mac, NUD_NOARP, true), 0);
	flush_ok(ka);

	assert_int_equal(nr_os_snapshot_read(na, NR_OS_RULES | NR_OS_NEIGH, &s, &err), 0);
	g = find_rule(s, AF_INET, 100);
	assert_non_null(g);
	assert_int_equal(g->action, NR_FR_ACT_TO_TBL);
	assert_int_equal(g->table, 100);
	assert_int_equal(g->from.len, 24);
	assert_int_equal(g->to.len, 24);
	g = find_rule(s, AF_INET, 110);
	assert_non_null(g);
	assert_string_equal(g->iifname, "va");
	assert_int_equal(g->fwmark, 0x10);
	assert_int_equal(g->fwmask, 0xff);
	assert_int_equal(g->table, 1000);
	g = find_rule(s, AF_INET, 120);
	assert_non_null(g);
	assert_true(g->flags & NR_FIB_RULE_INVERT);
	assert_int_equal(g->suppress_prefixlen, 0);
	g = find_rule(s, AF_INET, 130);
	assert_non_null(g);
	assert_int_equal(g->ip_proto, 17);
	assert_int_equal(g->dport_lo, 53);
	assert_int_equal(g->dport_hi, 53);
	assert_int_equal(g->sport_lo, 1000);
	assert_int_equal(g->sport_hi, 2000);
	g = find_rule(s, AF_INET, 140);
	assert_non_null(g);
	assert_string_equal(g->oifname, "vc");
	assert_true(g->has_uid_range);
	assert_int_equal(g->uid_lo, 1000);
	assert_int_equal(g->uid_hi, 2000);
	g = find_rule(s, AF_INET, 150);
	assert_non_null(g);
	assert_int_equal(g->action, NR_FR_ACT_PROHIBIT);
	assert_int_equal(g->tos, 0x10);
	g = find_rule(s, AF_INET, 160);
	assert_non_null(g);
	assert_int_equal(g->action, NR_FR_ACT_GOTO);
	assert_int_equal(g->goto_target, 170);
	assert_false(g->flags & NR_FIB_RULE_UNRESOLVED);
	g = find_rule(s, AF_INET, 170);
	assert_non_null(g);
	assert_int_equal(g->fwmark, 0x20);
	assert_int_equal(g->fwmask, 0xffffffffu);
	g = find_rule(s, AF_INET, 190);
	assert_non_null(g);
	assert_int_equal(g->suppress_ifgroup, 5);
	assert_int_equal(g->protocol, 4);
	assert_int_equal(g->suppress_prefixlen, -1);
	g = find_rule(s, AF_INET6, 200);
	assert_non_null(g);
	assert_int_equal(g->table, 200);

	for (i = 0; i < s->nneigh; i++) {
		const struct nr_os_neigh *n = &s->neigh[i];

		if (n->family == AF_INET && n->dst.bytes[3] == 77) {
			seen4 = true;
			assert_int_equal(n->state, NUD_PERMANENT);
			assert_int_equal(n->ifindex, va);
			assert_true(nr_lladdr_eq(&n->lladdr, &mac));
		}
		if (n->family == AF_INET6 && n->dst.bytes[15] == 0x77) {
			seen6 = true;
			assert_int_equal(n->state, NUD_NOARP);
			assert_true(n->flags & NTF_ROUTER);
		}
	}
	assert_true(seen4);
	assert_true(seen6);
	nr_os_snapshot_free(s);
	nr_kb_close(ka);
}

/* ---- errors ---- */

static void test_errors(void **state)
{
	struct nr_klink_opts o = opts_none(), bad = opts_none();
	struct nr_kb *ka = kb_in(na);
	struct nr_os_snapshot *s = NULL;
	struct nr_os_error err = { 0 };
	struct nr_nexthop nh;
	struct nr_route rt;
	long failed = -1;
	int va;

	(void)state;
	va = nr_kb_ifindex(ka, "va");
	/* Refused before anything is sent. */
	assert_int_equal(nr_kb_bridge(ka, "a-name-of-16-chr", &o), -ENAMETOOLONG);
	assert_int_equal(nr_kb_bridge(ka, "a/b", &o), -EINVAL);
	assert_int_equal(nr_kb_bridge(ka, "", &o), -EINVAL);
	assert_int_equal(nr_kb_link_del_group(ka, 0), -EINVAL);
	assert_int_equal(nr_kb_macvlan(ka, "m1", "va", "nosuchmode", &o), -EINVAL);
	bad.up = 3;
	assert_int_equal(nr_kb_veth(ka, "x1", nb, "x2", &o, &bad), -EINVAL);

	/* The peer's master is looked up in the peer's namespace. */
	bad = opts_none();
	bad.master = "nobr";
	nr_kb_tag(ka, 11);
	assert_int_equal(nr_kb_veth(ka, "x1", nb, "x2", &o, &bad), 0);
	assert_int_equal(nr_kb_flush(ka, &failed, &err), -ENODEV);
	assert_int_equal(failed, 11);
	assert_non_null(strstr(err.msg, "x2"));
	assert_non_null(strstr(err.msg, "nobr"));
	assert_int_equal(nr_kb_link_del(ka, "x1"), 0);
	flush_ok(ka);

	/* A gateway that is not on any link, between two good requests:
	 * the error names it and its tag, the others still run. */
	memset(&rt, 0, sizeof(rt));
	memset(&nh, 0, sizeof(nh));
	nr_kb_tag(ka, 1);
	assert_int_equal(nr_kb_bridge(ka, "brx1", &o), 0);
	nr_kb_tag(ka, 2);
	rt.family = AF_INET;
	rt.dst = pfx("192.0.2.200/32");
	nh.gw = addr("203.0.113.99");
	nh.ifindex = va;
	nh.weight = 1;
	rt.nh = &nh;
	rt.nh_count = 1;
	assert_int_equal(nr_kb_route(ka, &rt), 0);
	nr_kb_tag(ka, 3);
	assert_int_equal(nr_kb_bridge(ka, "brx2", &o), 0);
	nr_kb_tag(ka, 4);
	assert_int_equal(nr_kb_bridge(ka, "brx1", &o), 0); /* duplicate: second error */
	assert_int_equal(nr_kb_flush(ka, &failed, &err), -ENETUNREACH);
	assert_int_equal(failed, 2);
	assert_int_equal(err.err, -ENETUNREACH);
	assert_non_null(strstr(err.msg, "RTM_NEWROUTE"));
	assert_non_null(strstr(err.msg, "Nexthop has invalid gateway"));
	assert_int_equal(nr_os_snapshot_read(na, NR_OS_LINKS, &s, &err), 0);
	assert_non_null(find_if(s, "brx1"));
	assert_non_null(find_if(s, "brx2"));
	nr_os_snapshot_free(s);

	/* The duplicate alone. */
	failed = -1;
	nr_kb_tag(ka, 7);
	assert_int_equal(nr_kb_bridge(ka, "brx1", &o), 0);
	assert_int_equal(nr_kb_flush(ka, &failed, &err), -EEXIST);
	assert_int_equal(failed, 7);
	assert_non_null(strstr(err.msg, "brx1"));

	/* A master that does not exist: named in the message. */
	failed = -1;
	nr_kb_tag(ka, 8);
	o.master = "nobr";
	assert_int_equal(nr_kb_bridge(ka, "brx3", &o), 0);
	assert_int_equal(nr_kb_flush(ka, &failed, &err), -ENODEV);
	assert_int_equal(failed, 8);
	assert_non_null(strstr(err.msg, "nobr"));

	/* Nothing queued: nothing to report. */
	failed = -1;
	assert_int_equal(nr_kb_flush(ka, &failed, &err), 0);
	assert_int_equal(failed, -1);

	/* Bulk delete by group. */
	o = opts_none();
	o.group = 77;
	assert_int_equal(nr_kb_bridge(ka, "brg1", &o), 0);
	assert_int_equal(nr_kb_bridge(ka, "brg2", &o), 0);
	flush_ok(ka);
	assert_int_equal(nr_kb_link_del_group(ka, 77), 0);
	assert_int_equal(nr_kb_link_del(ka, "brx1"), 0);
	assert_int_equal(nr_kb_link_del(ka, "brx2"), 0);
	flush_ok(ka);
	assert_int_equal(nr_os_snapshot_read(na, NR_OS_LINKS, &s, &err), 0);
	assert_null(find_if(s, "brg1"));
	assert_null(find_if(s, "brg2"));
	assert_null(find_if(s, "brx1"));
	assert_non_null(find_if(s, "va")); /* group 42: untouched */
	nr_os_snapshot_free(s);
	nr_kb_close(ka);
}

/* ---- sysctls ---- */

static void test_sysctl(void **state)
{
	char root_before[64], root_after[64], v[64], out[256];
	struct nr_os_error err;
	int fd;
	ssize_t n;

	(void)state;
	fd = open("/proc/sys/net/ipv4/ip_forward", O_RDONLY);
	assert_true(fd >= 0);
	n = read(fd, root_before, sizeof(root_before) - 1);
	close(fd);
	assert_true(n > 0);
	root_before[n] = '\0';

	assert_int_equal(nr_ksysctl_set(na, "net.ipv4.ip_forward", "1", &err), 0);
	assert_int_equal(nr_ksysctl_get(na, "net.ipv4.ip_forward", v, sizeof(v), &err), 0);
	assert_string_equal(v, "1");
	assert_int_equal(nr_ksysctl_get(nb, "net.ipv4.ip_forward", v, sizeof(v), &err), 0);
	assert_string_equal(v, "0"); /* b is another namespace */
	assert_string_equal(run_out(out, sizeof(out),
				    "ip netns exec %s cat /proc/sys/net/ipv4/ip_forward", ns_a),
			    "1\n");
	assert_int_equal(nr_ksysctl_set(na, "net.ipv6.conf.va.accept_dad", "0", &err), 0);
	assert_int_equal(nr_ksysctl_get(na, "net/ipv6/conf/va/accept_dad", v, sizeof(v), &err), 0);
	assert_string_equal(v, "0");
	assert_int_equal(nr_ksysctl_set(na, "net.ipv4.conf.all.rp_filter", "2", &err), 0);
	assert_int_equal(nr_ksysctl_get(na, "net.ipv4.conf.all.rp_filter", v, sizeof(v), &err), 0);
	assert_string_equal(v, "2");

	assert_int_equal(nr_ksysctl_set(na, "net.ipv4.no_such_key", "1", &err), -ENOENT);
	assert_non_null(strstr(err.msg, "unknown sysctl"));
	assert_int_equal(nr_ksysctl_set(na, "net.ipv4.ip_forward", "notanumber", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "refused"));
	assert_int_equal(nr_ksysctl_set(na, "kernel.hostname", "x", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "not per namespace"));
	assert_int_equal(nr_ksysctl_set(na, "net/../kernel/hostname", "x", &err), -EINVAL);
	assert_int_equal(nr_ksysctl_set(na, "net..ipv4", "1", &err), -EINVAL);
	assert_int_equal(nr_ksysctl_get(na, "net.ipv4.ip_forward", v, 1, &err), -ERANGE);

	fd = open("/proc/sys/net/ipv4/ip_forward", O_RDONLY);
	assert_true(fd >= 0);
	n = read(fd, root_after, sizeof(root_after) - 1);
	close(fd);
	assert_true(n > 0);
	root_after[n] = '\0';
	assert_string_equal(root_before, root_after);
}

/* ---- reserved names, sysctls at creation, echoed indexes ---- */

static void test_reserve_echo(void **state)
{
	const char *names[3], *clash[2];
	struct nr_knetns_sysctl sys[] = {
		{ .path = "net/ipv6/conf/default/accept_dad", .value = "0" },
		{ .path = "net/ipv6/conf/default/no_such_key", .value = "1" }, /* skipped */
	};
	struct nr_knetns_sysctl bad[] = { { .path = "net/ipv4/ip_forward", .value = "notanumber" } };
	struct nr_klink_opts up = opts_none();
	struct nr_os_error err;
	struct nr_netns *n0, *n1;
	struct nr_kb *k0, *k1;
	struct stat st0, st1;
	char path[128], v[16];
	int ea = 0, eb = 0, ec = 0, ed = 0, br = 0, again = -1;
	long failed = -1;

	(void)state;
	up.up = 1;
	for (int i = 0; i < 4; i++)
		snprintf(resv[i], sizeof(resv[i]), "nrt-kbuild-%d-r%d", (int)getpid(), i);
	names[0] = resv[0];
	names[1] = resv[1];
	names[2] = resv[2];
	assert_int_equal(nr_knetns_reserve(names, 3, &err), 0);
	/* One inode, three names; none is a namespace yet. */
	snprintf(path, sizeof(path), "/run/netns/%s", resv[0]);
	assert_int_equal(stat(path, &st0), 0);
	snprintf(path, sizeof(path), "/run/netns/%s", resv[2]);
	assert_int_equal(stat(path, &st1), 0);
	assert_true(st0.st_ino == st1.st_ino);
	assert_int_equal((int)st0.st_nlink, 3);
	assert_false(nr_knetns_exists(resv[0]));
	/* A taken name: -EEXIST, and the other one is not left behind. */
	clash[0] = resv[3];
	clash[1] = resv[1];
	assert_int_equal(nr_knetns_reserve(clash, 2, &err), -EEXIST);
	assert_non_null(strstr(err.msg, resv[1]));
	snprintf(path, sizeof(path), "/run/netns/%s", resv[3]);
	assert_int_equal(access(path, F_OK), -1);

	assert_int_equal(nr_knetns_create_in(resv[0], true, sys, 2, &err), 0);
	assert_int_equal(nr_knetns_create_in(resv[1], true, NULL, 0, &err), 0);
	assert_true(nr_knetns_exists(resv[0]));
	assert_true(nr_knetns_exists(resv[1]));
	/* A refused value: no namespace, and its name is gone. */
	assert_int_equal(nr_knetns_create_in(resv[2], true, bad, 1, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "ip_forward"));
	assert_false(nr_knetns_exists(resv[2]));
	snprintf(path, sizeof(path), "/run/netns/%s", resv[2]);
	assert_int_equal(access(path, F_OK), -1);

	n0 = open_ns(resv[0]);
	n1 = open_ns(resv[1]);
	assert_int_equal(nr_ksysctl_get(n0, "net.ipv6.conf.default.accept_dad", v, sizeof(v), &err), 0);
	assert_string_equal(v, "0");
	assert_int_equal(nr_ksysctl_get(n1, "net.ipv6.conf.default.accept_dad", v, sizeof(v), &err), 0);
	assert_string_equal(v, "1"); /* the kernel's default where none was written */

	k0 = kb_in(n0);
	k1 = kb_in(n1);
	assert_int_equal(nr_kb_want_index(k0, &ea, NULL), -EINVAL); /* nothing created yet */
	/* Fresh namespaces: both ends may get the same index, when the echo
	 * carries no IFLA_LINK. */
	assert_int_equal(nr_kb_veth(k0, "ea", n1, "eb", &up, NULL), 0);
	assert_int_equal(nr_kb_want_index(k0, &ea, &eb), 0);
	assert_int_equal(nr_kb_veth(k0, "ec", NULL, "ed", &up, NULL), 0);
	assert_int_equal(nr_kb_want_index(k0, &ec, &ed), 0);
	assert_int_equal(nr_kb_bridge(k0, "bx", &up), 0);
	assert_int_equal(nr_kb_want_index(k0, &br, &eb), -EINVAL); /* a bridge has no peer */
	assert_int_equal(nr_kb_want_index(k0, &br, NULL), 0);
	flush_ok(k0);
	assert_true(ea > 0 && eb > 0 && ec > 0 && ed > 0 && br > 0);
	assert_int_equal(ea, nr_kb_ifindex(k0, "ea"));
	assert_int_equal(eb, nr_kb_ifindex(k1, "eb"));
	assert_int_equal(ec, nr_kb_ifindex(k0, "ec"));
	assert_int_equal(ed, nr_kb_ifindex(k0, "ed"));
	assert_int_equal(br, nr_kb_ifindex(k0, "bx"));
	assert_true(ec != ed);
	/* A refused creation writes nothing. */
	nr_kb_tag(k0, 7);
	assert_int_equal(nr_kb_bridge(k0, "bx", &up), 0);
	assert_int_equal(nr_kb_want_index(k0, &again, NULL), 0);
	assert_int_equal(nr_kb_flush(k0, &failed, &err), -EEXIST);
	assert_int_equal(failed, 7);
	assert_int_equal(again, -1);
	/* After a flush the queue is empty again. */
	assert_int_equal(nr_kb_want_index(k0, &again, NULL), -EINVAL);
	nr_kb_close(k0);
	nr_kb_close(k1);
	nr_netns_close(n0);
	nr_netns_close(n1);
	for (int i = 0; i < 4; i++) {
		nr_knetns_delete(resv[i], NULL);
		resv[i][0] = '\0';
	}
}

/* ---- nr_knetns_create_with: inside the new namespace, failures undone ---- */

struct inside_probe {
	struct stat ns;   /* the namespace the callback ran in */
	struct nr_kb *kb; /* a builder opened there, NULL: none */
	int fail;         /* the callback's result */
};

static int probe_inside(void *arg, struct nr_os_error *err)
{
	struct inside_probe *p = arg;

	(void)err;
	if (stat("/proc/thread-self/ns/net", &p->ns) < 0)
		return -errno;
	if (p->fail)
		return p->fail;
	return nr_kb_open(NULL, &p->kb, err);
}

static void test_create_with(void **state)
{
	struct nr_knetns_sysctl req[] = {
		{ .path = "net/ipv4/ip_forward", .value = "1", .required = true },
		{ .path = "net/ipv4/no_such_key", .value = "1", .required = true },
	};
	struct inside_probe p = { 0 };
	struct nr_knetns_create_opts o = { .inside = probe_inside, .arg = &p };
	struct nr_os_error err = { 0 };
	struct stat self, bound;
	size_t failed = 99;
	char path[128];
	int home;

	(void)state;
	for (int i = 0; i < 3; i++)
		snprintf(resv[i], sizeof(resv[i]), "nrt-kbuild-%d-w%d", (int)getpid(), i);
	home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	assert_true(home >= 0);
	assert_int_equal(fstat(home, &self), 0);

	/* The callback runs in the new namespace, once it has its name; a
	 * socket opened there builds there, and the thread is back home. */
	o.have_home = true;
	o.home_fd = home;
	o.sysctls = req;
	o.nsysctls = 1;
	assert_int_equal(nr_knetns_create_with(resv[0], &o, &err), 0);
	snprintf(path, sizeof(path), "/run/netns/%s", resv[0]);
	assert_int_equal(stat(path, &bound), 0);
	assert_true(p.ns.st_ino == bound.st_ino && p.ns.st_ino != self.st_ino);
	assert_int_equal(stat("/proc/thread-self/ns/net", &bound), 0);
	assert_true(bound.st_ino == self.st_ino);
	assert_non_null(p.kb);
	{
		struct nr_klink_opts none = opts_none();
		long bad = -1;

		assert_int_equal(nr_kb_bridge(p.kb, "brw", &none), 0);
		assert_int_equal(nr_kb_flush(p.kb, &bad, &err), 0);
	}
	nr_kb_close(p.kb);
	p.kb = NULL;
	{
		struct nr_netns *n = open_ns(resv[0]);
		char v[16];

		assert_int_equal(nr_ksysctl_get(n, "net.ipv4.ip_forward", v, sizeof(v), &err), 0);
		assert_string_equal(v, "1");
		struct nr_kb *k = kb_in(n);

		assert_true(nr_kb_ifindex(k, "brw") > 0);
		nr_kb_close(k);
		nr_netns_close(n);
	}

	/* The callback fails: its error, no namespace, no name left. */
	p.fail = -EMLINK;
	assert_int_equal(nr_knetns_create_with(resv[1], &o, &err), -EMLINK);
	assert_false(nr_knetns_exists(resv[1]));
	snprintf(path, sizeof(path), "/run/netns/%s", resv[1]);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(stat("/proc/thread-self/ns/net", &bound), 0);
	assert_true(bound.st_ino == self.st_ino);

	/* A required key the kernel lacks is an error, with its index;
	 * the same key not required is skipped (test_reserve_echo). */
	p.fail = 0;
	o.nsysctls = 2;
	o.ret_failed_sysctl = &failed;
	assert_int_equal(nr_knetns_create_with(resv[2], &o, &err), -ENOENT);
	assert_int_equal((int)failed, 1);
	assert_non_null(strstr(err.msg, "no_such_key"));
	assert_false(nr_knetns_exists(resv[2]));
	assert_null(p.kb); /* never reached the callback's open */

	close(home);
	for (int i = 0; i < 3; i++) {
		nr_knetns_delete(resv[i], NULL);
		resv[i][0] = '\0';
	}
}

/* ---- 100 pairs, timed ---- */

static void leaf_addr(int i, char *hub, char *leafa, char *hub6, char *leaf6)
{
	int net = i < 64 ? 198 : 203, k = i < 64 ? i : i - 64;

	sprintf(hub, "%s.%d/30", net == 198 ? "198.51.100" : "203.0.113", 4 * k + 1);
	sprintf(leafa, "%s.%d/30", net == 198 ? "198.51.100" : "203.0.113", 4 * k + 2);
	sprintf(hub6, "2001:db8:%x::1/64", i + 0x100);
	sprintf(leaf6, "2001:db8:%x::2/64", i + 0x100);
}

static void test_100_pairs(void **state)
{
	struct nr_netns *hub, *ls[NLEAF];
	struct nr_os_snapshot *s = NULL;
	struct nr_klink_opts up = opts_none();
	struct nr_os_error err;
	struct nr_kb *kh;
	double t0, t1, t2, tv, ta;
	char h[40], l[40], h6[48], l6[48], name[16], out[512];
	const struct nr_route *r;
	int i;

	(void)state;
	up.up = 1;
	snprintf(ns_h, sizeof(ns_h), "nrt-kbuild-%d-h", (int)getpid());
	t0 = now_ms();
	assert_int_equal(nr_knetns_create(ns_h, &err), 0);
	for (i = 0; i < NLEAF; i++) {
		snprintf(leaf[i], sizeof(leaf[i]), "nrt-kbuild-%d-l%d", (int)getpid(), i);
		assert_int_equal(nr_knetns_create(leaf[i], &err), 0);
	}
	hub = open_ns(ns_h);
	for (i = 0; i < NLEAF; i++)
		ls[i] = open_ns(leaf[i]);
	t1 = now_ms();

	kh = kb_in(hub);
	for (i = 0; i < NLEAF; i++) {
		snprintf(name, sizeof(name), "h%d", i);
		nr_kb_tag(kh, i);
		assert_int_equal(nr_kb_veth(kh, name, ls[i], "eth0", &up, &up), 0);
	}
	flush_ok(kh);
	tv = now_ms();
	for (i = 0; i < NLEAF; i++) {
		struct nr_prefix p;
		int idx;

		snprintf(name, sizeof(name), "h%d", i);
		idx = nr_kb_ifindex(kh, name);
		assert_true(idx > 0);
		leaf_addr(i, h, l, h6, l6);
		p = pfx(h);
		assert_int_equal(nr_kb_addr(kh, idx, &p, NULL, false), 0);
		p = pfx(h6);
		assert_int_equal(nr_kb_addr(kh, idx, &p, NULL, true), 0);
	}
	flush_ok(kh);
	ta = now_ms();
	for (i = 0; i < NLEAF; i++) {
		struct nr_kb *kl = kb_in(ls[i]);
		struct nr_nexthop nh = { .weight = 1 };
		struct nr_route rt;
		struct nr_prefix p;
		int idx = nr_kb_ifindex(kl, "eth0");

		assert_true(idx > 0);
		leaf_addr(i, h, l, h6, l6);
		p = pfx(l);
		assert_int_equal(nr_kb_addr(kl, idx, &p, NULL, false), 0);
		p = pfx(l6);
		assert_int_equal(nr_kb_addr(kl, idx, &p, NULL, true), 0);
		memset(&rt, 0, sizeof(rt));
		rt.family = AF_INET;
		rt.dst.addr.family = AF_INET;
		nh.gw = pfx(h).addr;
		nh.ifindex = idx;
		rt.nh = &nh;
		rt.nh_count = 1;
		assert_int_equal(nr_kb_route(kl, &rt), 0);
		flush_ok(kl);
		nr_kb_close(kl);
	}
	nr_kb_close(kh);
	t2 = now_ms();
	printf("# %d namespaces + hub: %.1f ms; %d veth pairs across them with IPv4+IPv6 "
	       "addresses and a default route each: %.1f ms (veths %.1f, hub addresses %.1f, "
	       "leaves %.1f)\n",
	       NLEAF, t1 - t0, NLEAF, t2 - t1, tv - t1, ta - tv, t2 - ta);

	/* The last leaf, read back, and reachable. */
	assert_int_equal(nr_os_snapshot_read(ls[NLEAF - 1], NR_OS_ROUTES, &s, &err), 0);
	r = find_route(s, NR_TABLE_MAIN, "0.0.0.0/0");
	assert_non_null(r);
	leaf_addr(NLEAF - 1, h, l, h6, l6);
	{
		struct nr_prefix hp = pfx(h);

		assert_true(nr_addr_eq(&r->nh[0].gw, &hp.addr));
	}
	nr_os_snapshot_free(s);
	*strchr(h, '/') = '\0';
	assert_int_equal(sh("ip netns exec %s ping -c1 -W2 %s >/dev/null", leaf[NLEAF - 1], h), 0);
	(void)out;

	nr_netns_close(hub);
	for (i = 0; i < NLEAF; i++) {
		nr_netns_close(ls[i]);
		assert_int_equal(nr_knetns_delete(leaf[i], &err), 0);
		leaf[i][0] = '\0';
	}
	assert_int_equal(nr_knetns_delete(ns_h, &err), 0);
	ns_h[0] = '\0';
}

static int setup(void **state)
{
	struct nr_os_error err;

	(void)state;
	snprintf(ns_a, sizeof(ns_a), "nrt-kbuild-%d-a", (int)getpid());
	snprintf(ns_b, sizeof(ns_b), "nrt-kbuild-%d-b", (int)getpid());
	if (nr_knetns_create(ns_a, &err) || nr_knetns_create(ns_b, &err)) {
		print_error("%s\n", err.msg);
		return -1;
	}
	if (nr_netns_open(ns_a, &na, &err) || nr_netns_open(ns_b, &nb, &err))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	cleanup();
	return 0;
}

static char *root_links(char *buf, size_t cap)
{
	/* Names and indexes only: counters and states of the host's links
	 * may change on their own. */
	return run_out(buf, cap, "ip -o link show | cut -d' ' -f1-2 | sort");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		/* First, before the kernel is busy reclaiming the namespaces
		 * the other tests delete: the timing means more. */
		cmocka_unit_test(test_100_pairs),
		cmocka_unit_test(test_netns),	     cmocka_unit_test(test_links),
		cmocka_unit_test(test_addrs_routes), cmocka_unit_test(test_rules_neigh),
		cmocka_unit_test(test_errors),	     cmocka_unit_test(test_sysctl),
		cmocka_unit_test(test_reserve_echo),
		cmocka_unit_test(test_create_with),
	};
	char after[sizeof(root_links_before)];
	int r;

	if (geteuid() != 0) {
		printf("SKIP: needs root (network namespaces)\n");
		return 77;
	}
	atexit(cleanup);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	root_links(root_links_before, sizeof(root_links_before));
	r = cmocka_run_group_tests(tests, setup, teardown);
	cleanup();
	root_links(after, sizeof(after));
	if (strcmp(root_links_before, after) != 0) {
		printf("FAIL: the root namespace's links changed:\nbefore:\n%safter:\n%s",
		       root_links_before, after);
		return 1;
	}
	return r;
}
