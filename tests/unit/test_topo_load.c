/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Topology loader: every file of tests/topo/bad/ fails with exactly the
 * message its "# expect:" line gives (FILE:LINE:COL), with the source line
 * and a caret under the column; every file of tests/topo/good/ and the
 * shipped scenarios load; every parsed field of good/everything.yaml and
 * scenarios/two-hosts.yaml is checked; size cap, stdin, missing file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netrig/iface.h"
#include "topo/topo.h"

static char src_dir[1024];

static int setup(void **state)
{
	const char *s = getenv("NETRIG_SOURCE_DIR");

	(void)state;
	snprintf(src_dir, sizeof(src_dir), "%s", s ? s : ".");
	return 0;
}

static char *slurp(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*ret_len = (size_t)n;
	return buf;
}

/* The error as printed, in a malloc'd string (through a real FILE). */
static char *printed(const struct nr_topo_error *e)
{
	FILE *f = tmpfile();
	char *buf;
	long n;

	assert_non_null(f);
	nr_topo_error_print(e, f);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

static struct nr_topo *load_ok(const char *path)
{
	struct nr_topo_error e = {0};
	struct nr_topo *t = NULL;
	int rc = nr_topo_load_file(path, &t, &e);

	if (rc < 0) {
		char *p = printed(&e);

		print_error("%s: unexpected error %d:\n%s", path, rc, p);
		free(p);
		fail();
	}
	assert_non_null(t);
	return t;
}

/* Lines where one byte is one column: the caret is at col - 1 spaces. */
static bool ascii_no_tab(const char *s)
{
	for (; *s; s++)
		if (*s == '\t' || (unsigned char)*s >= 0x80)
			return false;
	return true;
}

static void bad_file(const char *name)
{
	struct nr_topo_error e = {0};
	struct nr_topo *t = NULL;
	char *text, *want, *nl, *out, *l2, *l3;
	size_t len;
	int rc;

	text = slurp(name, &len);
	assert_true(strncmp(text, "# expect: ", 10) == 0);
	want = text + 10;
	nl = strchr(want, '\n');
	assert_non_null(nl);
	*nl = '\0';

	rc = nr_topo_load_file(name, &t, &e);
	assert_int_equal(rc, -EINVAL);
	assert_null(t);
	out = printed(&e);
	l2 = strchr(out, '\n');
	assert_non_null(l2);
	*l2++ = '\0';
	if (strcmp(out, want) != 0)
		print_error("%s:\n  want: %s\n  got:  %s\n", name, want, out);
	assert_string_equal(out, want);

	/* Line 2 is the source line, line 3 has the caret under the column. */
	l3 = strchr(l2, '\n');
	assert_non_null(l3);
	*l3++ = '\0';
	assert_true(strncmp(l2, "  ", 2) == 0);
	assert_string_equal(l2 + 2, e.line);
	if (ascii_no_tab(e.line)) {
		char caret[300];

		snprintf(caret, sizeof(caret), "  %*s^\n", (int)(e.pos.col - 1), "");
		assert_string_equal(l3, caret);
	}
	free(out);
	free(text);
}

static void test_bad_corpus(void **state)
{
	char dir[1200], cwd[1024];
	struct dirent *d;
	size_t n = 0;
	DIR *dp;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/tests/topo/bad", src_dir);
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	/* messages name the file as given: load by base name */
	assert_int_equal(chdir(dir), 0);
	dp = opendir(".");
	assert_non_null(dp);
	while ((d = readdir(dp))) {
		size_t l = strlen(d->d_name);

		if (l < 6 || strcmp(d->d_name + l - 5, ".yaml") != 0)
			continue;
		bad_file(d->d_name);
		n++;
	}
	closedir(dp);
	assert_int_equal(chdir(cwd), 0);
	assert_true(n >= 30);
}

static void test_good_corpus(void **state)
{
	static const char *const scenarios[] = {"two-hosts", "router-chain", "bridge-three-hosts",
						 "tun-scapy", "policy-routing"};
	char dir[1200], path[1500];
	struct dirent *d;
	size_t n = 0;
	DIR *dp;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/tests/topo/good", src_dir);
	dp = opendir(dir);
	assert_non_null(dp);
	while ((d = readdir(dp))) {
		size_t l = strlen(d->d_name);

		if (l < 6 || strcmp(d->d_name + l - 5, ".yaml") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		nr_topo_free(load_ok(path));
		n++;
	}
	closedir(dp);
	assert_true(n >= 3);
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		snprintf(path, sizeof(path), "%s/scenarios/%s.yaml", src_dir, scenarios[i]);
		nr_topo_free(load_ok(path));
	}
}

static void expect_addr(const struct nr_addr *a, const char *want)
{
	char buf[NR_ADDR_STRLEN];

	if (!want) {
		assert_int_equal(a->family, AF_UNSPEC);
		return;
	}
	assert_string_equal(nr_addr_format(a, buf, sizeof(buf)), want);
}

static void expect_prefix(const struct nr_prefix *p, const char *want)
{
	char buf[NR_PREFIX_STRLEN];

	assert_string_equal(nr_prefix_format(p, buf, sizeof(buf)), want);
}

static void expect_ref(const struct nr_topo *t, const struct nr_topo_ifref *r, const char *node,
		       const char *ifname, unsigned line)
{
	assert_true(r->node >= 0 && (size_t)r->node < t->nnodes);
	assert_string_equal(t->nodes[r->node].name, node);
	assert_string_equal(r->ifname, ifname);
	assert_int_equal(r->pos.line, line);
}

static const struct nr_topo_iface *iface(const struct nr_topo *t, const char *node, const char *ifname)
{
	for (size_t i = 0; i < t->nifaces; i++)
		if (strcmp(t->nodes[t->ifaces[i].ref.node].name, node) == 0 &&
		    strcmp(t->ifaces[i].ref.ifname, ifname) == 0)
			return &t->ifaces[i];
	fail_msg("no interface %s:%s", node, ifname);
	return NULL;
}

static void test_everything_nodes_links(void **state)
{
	char path[1200], mac[NR_LLADDR_STRLEN];
	const struct nr_topo_link *k;
	const struct nr_topo_iface *i;
	struct nr_topo *t;

	(void)state;
	snprintf(path, sizeof(path), "%s/tests/topo/good/everything.yaml", src_dir);
	t = load_ok(path);
	assert_string_equal(t->name, "every-thing_1");
	assert_string_equal(t->path, path);

	/* nodes, in file order, with their sysctls (true -> "1") */
	assert_int_equal(t->nnodes, 3);
	assert_string_equal(t->nodes[0].name, "h1");
	assert_int_equal(t->nodes[0].nsysctls, 0);
	assert_int_equal(t->nodes[0].pos.line, 6);
	assert_int_equal(t->nodes[0].pos.col, 3);
	assert_string_equal(t->nodes[1].name, "r1");
	assert_int_equal(t->nodes[1].nsysctls, 3);
	assert_string_equal(t->nodes[1].sysctls[0].key, "net.ipv4.ip_forward");
	assert_string_equal(t->nodes[1].sysctls[0].value, "1");
	assert_int_equal(t->nodes[1].sysctls[0].pos.line, 9);
	assert_int_equal(t->nodes[1].sysctls[0].pos.col, 7);
	assert_string_equal(t->nodes[1].sysctls[1].key, "net.ipv6.conf.all.forwarding");
	assert_string_equal(t->nodes[1].sysctls[1].value, "1");
	assert_string_equal(t->nodes[1].sysctls[2].key, "net.ipv4.conf.all.rp_filter");
	assert_string_equal(t->nodes[1].sysctls[2].value, "2");
	assert_string_equal(t->nodes[2].name, "sw");
	assert_int_equal(nr_topo_node_index(t, "sw"), 2);
	assert_int_equal(nr_topo_node_index(t, "sx"), -1);

	assert_int_equal(t->nlinks, 9);
	k = &t->links[0];
	assert_int_equal(k->kind, NR_TOPO_VETH);
	expect_ref(t, &k->ends[0], "h1", "eth0", 14);
	expect_ref(t, &k->ends[1], "r1", "eth0", 14);
	assert_int_equal(k->ends[0].pos.col, 26);
	assert_int_equal(k->ends[1].pos.col, 35);
	assert_int_equal(k->pos.line, 14);
	assert_int_equal(k->pos.col, 5);
	assert_int_equal(k->nports, 0);

	k = &t->links[1];
	assert_int_equal(k->kind, NR_TOPO_TAP);
	expect_ref(t, &k->ends[0], "h1", "tap0", 15);
	assert_int_equal(k->ends[1].node, -1);
	assert_true(k->pi && k->vnet_hdr && k->multi_queue && k->persist);

	k = &t->links[2];
	assert_int_equal(k->kind, NR_TOPO_TUN);
	expect_ref(t, &k->ends[0], "h1", "tun0", 16);
	assert_false(k->pi || k->vnet_hdr || k->multi_queue || k->persist);

	k = &t->links[3];
	assert_int_equal(k->kind, NR_TOPO_BRIDGE);
	expect_ref(t, &k->ends[0], "sw", "br0", 18);
	assert_int_equal(k->pos.line, 17);
	assert_int_equal(k->nports, 2);
	expect_ref(t, &k->ports[0], "sw", "p1", 19);
	expect_ref(t, &k->ports[1], "sw", "p2", 19);

	k = &t->links[6];
	assert_int_equal(k->kind, NR_TOPO_MACVLAN);
	expect_ref(t, &k->ends[0], "h1", "mv0", 22);
	assert_string_equal(k->parent, "eth0");
	assert_string_equal(k->macvlan_mode, "private");

	k = &t->links[7];
	assert_int_equal(k->kind, NR_TOPO_VXLAN);
	expect_ref(t, &k->ends[0], "h1", "vx0", 23);
	assert_int_equal(k->vni, 42);
	expect_addr(&k->vx_local, "198.51.100.1");
	expect_addr(&k->vx_remote, "198.51.100.2");
	expect_addr(&k->vx_group, NULL);
	assert_int_equal(k->vx_port, 4789);
	assert_string_equal(k->vx_dev, "eth0");

	k = &t->links[8];
	assert_int_equal(k->kind, NR_TOPO_VXLAN);
	expect_ref(t, &k->ends[0], "r1", "vx1", 24);
	assert_int_equal(k->vni, 7);
	expect_addr(&k->vx_local, NULL);
	expect_addr(&k->vx_remote, NULL);
	expect_addr(&k->vx_group, "239.1.1.1");
	assert_int_equal(k->vx_port, 8472);
	assert_string_equal(k->vx_dev, "eth0");

	/* interfaces: every one a link creates, in creation order, then lo */
	assert_int_equal(t->nifaces, 13);
	expect_ref(t, &t->ifaces[0].ref, "h1", "eth0", 14);
	expect_ref(t, &t->ifaces[4].ref, "sw", "br0", 18);
	expect_ref(t, &t->ifaces[12].ref, "h1", "lo", 34);
	i = iface(t, "h1", "eth0");
	assert_string_equal(nr_lladdr_format(&i->mac, mac, sizeof(mac)), "02:00:00:00:00:01");
	assert_int_equal(i->mtu, 1400);
	assert_int_equal(i->up, 1);
	assert_int_equal(i->naddrs, 2);
	expect_prefix(&i->addrs[0].local, "198.51.100.2/24");
	assert_false(i->addrs[0].nodad);
	expect_addr(&i->addrs[0].peer, NULL);
	assert_int_equal(i->addrs[0].pos.line, 29);
	assert_int_equal(i->addrs[0].pos.col, 13);
	expect_prefix(&i->addrs[1].local, "2001:db8:1::2/64");
	assert_true(i->addrs[1].nodad); /* IPv6 default */
	i = iface(t, "h1", "tap0");
	assert_int_equal(i->up, 0);
	assert_int_equal(i->mac.len, 0);
	assert_int_equal(i->mtu, 0);
	i = iface(t, "h1", "tun0");
	assert_int_equal(i->up, NR_TOPO_TRI_UNSET);
	assert_int_equal(i->naddrs, 0);
	i = iface(t, "r1", "eth0");
	assert_int_equal(i->naddrs, 3);
	expect_prefix(&i->addrs[0].local, "198.51.100.1/24");
	expect_prefix(&i->addrs[1].local, "2001:db8:1::1/64");
	assert_false(i->addrs[1].nodad); /* nodad: false asks for DAD */
	expect_prefix(&i->addrs[2].local, "192.0.2.1/32");
	expect_addr(&i->addrs[2].peer, "192.0.2.2");
	assert_int_equal(i->addrs[2].pos.line, 33);
	assert_int_equal(i->addrs[2].pos.col, 7);
	i = iface(t, "h1", "lo");
	assert_int_equal(i->naddrs, 1);
	expect_prefix(&i->addrs[0].local, "203.0.113.7/32");
	nr_topo_free(t);
}

static void test_everything_routes(void **state)
{
	const struct nr_topo_route *r;
	char path[1200];
	struct nr_topo *t;

	(void)state;
	snprintf(path, sizeof(path), "%s/tests/topo/good/everything.yaml", src_dir);
	t = load_ok(path);
	assert_int_equal(t->nroutes, 9);

	r = &t->routes[0]; /* default via 198.51.100.1 */
	assert_int_equal(r->node, 0);
	assert_int_equal(r->pos.line, 37);
	assert_int_equal(r->pos.col, 7);
	assert_int_equal(r->r.family, AF_INET);
	assert_int_equal(r->r.type, NR_RTN_UNICAST);
	expect_prefix(&r->r.dst, "0.0.0.0/0");
	assert_int_equal(r->r.table, NR_TABLE_MAIN);
	assert_int_equal(r->r.protocol, 3);
	assert_int_equal(r->r.scope, NR_SCOPE_UNIVERSE);
	assert_int_equal(r->r.metric, 0);
	assert_null(r->r.nh);
	assert_int_equal(r->r.nh_count, 0);
	assert_int_equal(r->nnh, 1);
	expect_addr(&r->nh[0].gw, "198.51.100.1");
	assert_string_equal(r->nh[0].dev, "");
	assert_int_equal(r->nh[0].weight, 1);
	assert_false(r->nh[0].onlink);

	r = &t->routes[1]; /* quoted: table 100 metric 5 src */
	assert_int_equal(r->pos.col, 7);
	expect_prefix(&r->r.dst, "203.0.113.0/24");
	assert_int_equal(r->r.table, 100);
	assert_int_equal(r->r.metric, 5);
	expect_addr(&r->r.prefsrc, "198.51.100.2");
	assert_int_equal(r->nnh, 1);
	expect_addr(&r->nh[0].gw, "198.51.100.1");
	assert_string_equal(r->nh[0].dev, "eth0");

	r = &t->routes[2]; /* blackhole */
	assert_int_equal(r->r.type, NR_RTN_BLACKHOLE);
	expect_prefix(&r->r.dst, "192.0.2.0/24");
	assert_int_equal(r->nnh, 0);
	assert_null(r->nh);

	r = &t->routes[3]; /* IPv6 multipath */
	assert_int_equal(r->r.family, AF_INET6);
	expect_prefix(&r->r.dst, "2001:db8:2::/64");
	assert_int_equal(r->nnh, 2);
	expect_addr(&r->nh[0].gw, "2001:db8:1::1");
	assert_string_equal(r->nh[0].dev, "eth0");
	assert_int_equal(r->nh[0].weight, 2);
	expect_addr(&r->nh[1].gw, "2001:db8:1::3");
	assert_string_equal(r->nh[1].dev, "eth1");
	assert_int_equal(r->nh[1].weight, 1);

	r = &t->routes[4]; /* local: table local, scope host */
	assert_int_equal(r->r.type, NR_RTN_LOCAL);
	expect_prefix(&r->r.dst, "198.51.100.77/32");
	assert_int_equal(r->r.table, NR_TABLE_LOCAL);
	assert_int_equal(r->r.scope, NR_SCOPE_HOST);
	assert_string_equal(r->nh[0].dev, "lo");

	r = &t->routes[5]; /* -6 unreachable default */
	assert_int_equal(r->r.family, AF_INET6);
	assert_int_equal(r->r.type, NR_RTN_UNREACHABLE);
	expect_prefix(&r->r.dst, "::/0");
	assert_int_equal(r->r.table, 200);
	assert_int_equal(r->r.metric, 1024);
	assert_int_equal(r->nnh, 0);

	r = &t->routes[6]; /* dev only: scope link, proto static, tos, mtu */
	assert_int_equal(r->r.scope, NR_SCOPE_LINK);
	assert_int_equal(r->r.protocol, 4);
	assert_int_equal(r->r.tos, 0x10);
	assert_int_equal(r->r.mtu, 1300);
	expect_addr(&r->nh[0].gw, NULL);

	r = &t->routes[7]; /* onlink */
	assert_true(r->nh[0].onlink);
	expect_addr(&r->nh[0].gw, "192.0.2.9");

	r = &t->routes[8]; /* throw */
	assert_int_equal(r->r.type, NR_RTN_THROW);
	assert_int_equal(r->r.table, NR_TABLE_MAIN);
	assert_int_equal(r->nnh, 0);
	nr_topo_free(t);
}

static void test_everything_rules_neigh(void **state)
{
	const struct nr_topo_rule *u;
	const struct nr_topo_neigh *n;
	char path[1200], mac[NR_LLADDR_STRLEN];
	struct nr_topo *t;

	(void)state;
	snprintf(path, sizeof(path), "%s/tests/topo/good/everything.yaml", src_dir);
	t = load_ok(path);
	assert_int_equal(t->nrules, 5);

	u = &t->rules[0];
	assert_int_equal(u->node, 0);
	assert_int_equal(u->pos.line, 48);
	assert_int_equal(u->r.family, AF_INET);
	expect_prefix(&u->r.from, "198.51.100.0/24");
	assert_int_equal(u->r.to.len, 0);
	assert_int_equal(u->r.action, NR_FR_ACT_TO_TBL);
	assert_int_equal(u->r.table, 100);
	assert_true(u->has_priority);
	assert_int_equal(u->r.priority, 100);
	assert_int_equal(u->r.fwmark, 0);
	assert_int_equal(u->r.fwmask, 0);
	assert_int_equal(u->r.suppress_prefixlen, -1);
	assert_int_equal(u->r.suppress_ifgroup, -1);
	assert_int_equal(u->r.flags, 0);

	u = &t->rules[1];
	assert_int_equal(u->r.fwmark, 1);
	assert_int_equal(u->r.fwmask, 0xff);
	assert_int_equal(u->r.table, 101);
	assert_int_equal(u->r.priority, 200);

	u = &t->rules[2];
	assert_int_equal(u->r.flags, NR_FIB_RULE_INVERT);
	expect_prefix(&u->r.to, "203.0.113.0/24");
	assert_int_equal(u->r.action, NR_FR_ACT_PROHIBIT);
	assert_int_equal(u->r.priority, 300);

	u = &t->rules[3];
	assert_int_equal(u->r.family, AF_INET6);
	assert_string_equal(u->r.iifname, "eth0");
	assert_string_equal(u->r.oifname, "eth1");
	assert_int_equal(u->r.ip_proto, 6);
	assert_int_equal(u->r.sport_lo, 1000);
	assert_int_equal(u->r.sport_hi, 2000);
	assert_int_equal(u->r.dport_lo, 53);
	assert_int_equal(u->r.dport_hi, 53);
	assert_true(u->r.has_uid_range);
	assert_int_equal(u->r.uid_lo, 1000);
	assert_int_equal(u->r.uid_hi, 1999);
	assert_int_equal(u->r.action, NR_FR_ACT_GOTO);
	assert_int_equal(u->r.goto_target, 500);
	assert_int_equal(u->r.priority, 400);

	u = &t->rules[4];
	assert_int_equal(u->r.table, NR_TABLE_MAIN);
	assert_int_equal(u->r.suppress_prefixlen, 0);
	assert_int_equal(u->r.priority, 32000);

	assert_int_equal(t->nneigh, 2);
	n = &t->neigh[0];
	assert_int_equal(n->node, 0);
	assert_int_equal(n->pos.line, 55);
	assert_int_equal(n->pos.col, 7);
	expect_addr(&n->addr, "198.51.100.9");
	assert_string_equal(nr_lladdr_format(&n->lladdr, mac, sizeof(mac)), "02:00:00:00:00:09");
	assert_string_equal(n->dev, "eth0");
	assert_int_equal(n->state, 0x80);
	assert_false(n->router);
	n = &t->neigh[1];
	expect_addr(&n->addr, "2001:db8:1::9");
	assert_int_equal(n->state, 0x04);
	assert_true(n->router);
	nr_topo_free(t);
}

static void test_two_hosts_fields(void **state)
{
	char path[1200];
	struct nr_topo *t;

	(void)state;
	snprintf(path, sizeof(path), "%s/scenarios/two-hosts.yaml", src_dir);
	t = load_ok(path);
	assert_string_equal(t->name, "two-hosts");
	assert_int_equal(t->nnodes, 2);
	assert_string_equal(t->nodes[0].name, "h1");
	assert_string_equal(t->nodes[1].name, "h2");
	assert_int_equal(t->nodes[0].nsysctls + t->nodes[1].nsysctls, 0);
	assert_int_equal(t->nlinks, 1);
	assert_int_equal(t->links[0].kind, NR_TOPO_VETH);
	expect_ref(t, &t->links[0].ends[0], "h1", "eth0", 13);
	expect_ref(t, &t->links[0].ends[1], "h2", "eth0", 13);
	assert_int_equal(t->nifaces, 2);
	for (size_t i = 0; i < 2; i++) {
		const struct nr_topo_iface *f = &t->ifaces[i];
		char want[32];

		assert_int_equal(f->ref.node, (int)i);
		assert_int_equal(f->up, NR_TOPO_TRI_UNSET);
		assert_int_equal(f->mtu, 0);
		assert_int_equal(f->mac.len, 0);
		assert_int_equal(f->naddrs, 2);
		snprintf(want, sizeof(want), "198.51.100.%zu/24", i + 1);
		expect_prefix(&f->addrs[0].local, want);
		assert_false(f->addrs[0].nodad);
		snprintf(want, sizeof(want), "2001:db8:1::%zu/64", i + 1);
		expect_prefix(&f->addrs[1].local, want);
		assert_true(f->addrs[1].nodad);
	}
	assert_int_equal(t->nroutes + t->nrules + t->nneigh, 0);
	nr_topo_free(t);
}

static void test_router_chain_forwarding(void **state)
{
	char path[1200];
	struct nr_topo *t;

	(void)state;
	snprintf(path, sizeof(path), "%s/scenarios/router-chain.yaml", src_dir);
	t = load_ok(path);
	/* the routers share one anchored sysctl block */
	for (size_t i = 1; i <= 3; i++) {
		assert_int_equal(t->nodes[i].nsysctls, 2);
		assert_string_equal(t->nodes[i].sysctls[0].key, "net.ipv4.ip_forward");
		assert_string_equal(t->nodes[i].sysctls[1].value, "1");
	}
	assert_int_equal(t->nodes[0].nsysctls, 0);
	assert_int_equal(t->nroutes, 15);
	nr_topo_free(t);
}

static void test_error_print(void **state)
{
	static const char text[] = "name: x\nnodes:\n  h1: {}\nlinks:\n\t- { kind: veth }\n";
	static const char text2[] = "name: x\nnodes: { h1: {} }\nlinks:\n  - { kind: vethh, ends: [] }\n";
	struct nr_topo_error e = {0};
	struct nr_topo *t = NULL;
	char *out;

	(void)state;
	assert_int_equal(nr_topo_load_text("lab.yaml", text2, strlen(text2), &t, &e), -EINVAL);
	out = printed(&e);
	assert_string_equal(out, "lab.yaml:4:13: unknown link kind 'vethh' (did you mean 'veth'?)\n"
				 "    - { kind: vethh, ends: [] }\n"
				 "              ^\n");
	free(out);
	/* a tab before the column is copied so the caret lines up */
	memset(&e, 0, sizeof(e));
	assert_int_equal(nr_topo_load_text("t.yaml", text, strlen(text), &t, &e), -EINVAL);
	assert_null(t);
	out = printed(&e);
	assert_string_equal(out, "t.yaml:5:1: YAML: tab character; indent with spaces\n"
				 "  \t- { kind: veth }\n"
				 "  ^\n");
	free(out);
	/* no position: one line */
	memset(&e, 0, sizeof(e));
	assert_int_equal(nr_topo_load_file("/nonexistent/x.yaml", &t, &e), -ENOENT);
	out = printed(&e);
	assert_string_equal(out, "/nonexistent/x.yaml: No such file or directory\n");
	free(out);
}

static void test_size_cap(void **state)
{
	size_t big = (4u << 20) + 1;
	struct nr_topo_error e = {0};
	struct nr_topo *t = NULL;
	char tmp[] = "/tmp/nr-topo-big-XXXXXX";
	char *text = malloc(big);
	FILE *f;
	int fd;

	(void)state;
	assert_non_null(text);
	/* a valid file padded with a comment: refused for its size alone */
	memset(text, ' ', big);
	memcpy(text, "name: x\nnodes: { h1: }\n#", 24);
	text[big - 1] = '\n';
	assert_int_equal(nr_topo_load_text("big.yaml", text, big, &t, &e), -EFBIG);
	assert_null(t);
	assert_string_equal(e.msg, "file is larger than 4 MiB; refusing it");
	/* one byte less is fine */
	assert_int_equal(nr_topo_load_text("big.yaml", text, big - 1, &t, &e), 0);
	nr_topo_free(t);
	t = NULL;
	fd = mkstemp(tmp);
	assert_true(fd >= 0);
	f = fdopen(fd, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, big, f), big);
	fclose(f);
	memset(&e, 0, sizeof(e));
	assert_int_equal(nr_topo_load_file(tmp, &t, &e), -EFBIG);
	assert_null(t);
	assert_string_equal(e.path, tmp);
	unlink(tmp);
	free(text);
}

static void test_stdin(void **state)
{
	static const char text[] = "name: piped\nnodes: { h1: }\n";
	char tmp[] = "/tmp/nr-topo-stdin-XXXXXX";
	struct nr_topo_error e = {0};
	struct nr_topo *t = NULL;
	int fd = mkstemp(tmp), saved = dup(0);

	(void)state;
	assert_true(fd >= 0 && saved >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(dup2(fd, 0), 0);
	clearerr(stdin);
	assert_int_equal(nr_topo_load_file("-", &t, &e), 0);
	assert_string_equal(t->name, "piped");
	assert_string_equal(t->path, "<stdin>");
	nr_topo_free(t);
	t = NULL;
	/* and an error from stdin names it */
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(ftruncate(fd, 0), 0);
	assert_int_equal(write(fd, "name: x\n", 8), 8);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	clearerr(stdin);
	assert_int_equal(nr_topo_load_file("-", &t, &e), -EINVAL);
	assert_string_equal(e.path, "<stdin>");
	assert_string_equal(e.msg, "the top level needs 'nodes'");
	assert_int_equal(dup2(saved, 0), 0);
	close(saved);
	close(fd);
	unlink(tmp);
}

/* Many keys in one mapping: duplicate detection stays fast and exact. */
static void test_many_keys(void **state)
{
	size_t n = 20000, cap = n * 24 + 64, len = 0;
	struct nr_topo_error e = {0};
	struct nr_topo *t = NULL;
	char *text = malloc(cap);

	(void)state;
	assert_non_null(text);
	len += (size_t)snprintf(text + len, cap - len, "name: many\nnodes:\n");
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, cap - len, "  n%zu: {}\n", i);
	assert_int_equal(nr_topo_load_text("many.yaml", text, len, &t, &e), 0);
	assert_int_equal(t->nnodes, n);
	assert_int_equal(nr_topo_node_index(t, "n19999"), 19999);
	nr_topo_free(t);
	t = NULL;
	/* the same with one name repeated far down */
	len += (size_t)snprintf(text + len, cap - len, "  n7: {}\n");
	assert_int_equal(nr_topo_load_text("many.yaml", text, len, &t, &e), -EINVAL);
	assert_int_equal(e.pos.line, (unsigned)n + 3);
	assert_string_equal(e.msg, "duplicate key 'n7' (first at line 10)");
	free(text);
}

/* Text that is not NUL-terminated and bytes libyaml refuses. */
static void test_raw_bytes(void **state)
{
	static const char nul[] = "name: x\nnodes: { h1: }\n\0\n";
	static const char badutf8[] = "name: \xff\xfe\x41\n";
	struct nr_topo_error e = {0};
	struct nr_topo *t = NULL;
	char exact[8];

	(void)state;
	assert_int_equal(nr_topo_load_text("nul.yaml", nul, sizeof(nul) - 1, &t, &e), -EINVAL);
	assert_int_equal(e.pos.line, 3);
	assert_int_equal(nr_topo_load_text("u.yaml", badutf8, sizeof(badutf8) - 1, &t, &e), -EINVAL);
	assert_null(t);
	memcpy(exact, "name: x", 7);
	assert_int_equal(nr_topo_load_text("x.yaml", exact, 7, &t, &e), -EINVAL);
	assert_string_equal(e.msg, "the top level needs 'nodes'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_corpus),
		cmocka_unit_test(test_good_corpus),
		cmocka_unit_test(test_everything_nodes_links),
		cmocka_unit_test(test_everything_routes),
		cmocka_unit_test(test_everything_rules_neigh),
		cmocka_unit_test(test_two_hosts_fields),
		cmocka_unit_test(test_router_chain_forwarding),
		cmocka_unit_test(test_error_print),
		cmocka_unit_test(test_size_cap),
		cmocka_unit_test(test_stdin),
		cmocka_unit_test(test_many_keys),
		cmocka_unit_test(test_raw_bytes),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
