/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The OS table reader: build a namespace with every kind of object, read
 * it, and compare each object with what iproute2 prints (`ip -j`), plus
 * hard expectations for the fields ip does not print the same way.
 *
 *   nrt-netns-PID-a                                   nrt-netns-PID-b
 *   +---------------------------------------------+   +------------+
 *   | va  198.51.100.1/24, .2/24 (secondary),      |---| vb (veth)  |
 *   |     .3/24 label va:1, 192.0.2.1/24,          |   |            |
 *   |     2001:db8:1::1/64, 2001:db8:9::1/64 (lft),|   |            |
 *   |     fec0::1/64 scope site (all nodad)        |   |            |
 *   | vc  203.0.113.1/24, 2001:db8:2::1/64         |---| vd (veth)  |
 *   | routes: default, ECMP 1:3, via inet6, onlink, |   +------------+
 *   |   tos, table 100 unreachable/prohibit/      |
 *   |   blackhole/throw/prefsrc+mtu; v6 pref high,|
 *   |   ECMP, from, table 200 prohibit/blackhole  |
 *   | rules 100..190 (every selector), v6 200     |
 *   | neighbour 198.51.100.77 permanent           |
 *   +---------------------------------------------+
 *   nrt-netns-PID-c: 200,192 IPv4 routes, timed.
 */
#include "netrig/neigh.h"
#include "netrig/nlsock.h"
#include "netrig/netns.h"
#include "netrig/resolv.h"
#include "netrig/stack.h"

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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include <cmocka.h>

static char ns_a[64], ns_b[64], ns_c[64], etc_dir[128];
static bool made_etc_netns;
static struct nr_os_snapshot *snap;

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	int r;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	r = system(cmd);
	return r == -1 ? -1 : WEXITSTATUS(r);
}

/* The JSON a command prints (NULL when it fails or prints none). */
static json_t *ip_json(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static json_t *ip_json(const char *fmt, ...)
{
	char cmd[1024];
	size_t n = 0, cap = 1 << 20;
	char *buf = malloc(cap);
	json_t *j = NULL;
	va_list ap;
	FILE *f;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	f = popen(cmd, "r");
	if (f && buf) {
		size_t m;

		while (n < cap - 1 && (m = fread(buf + n, 1, cap - 1 - n, f)) > 0)
			n += m;
		buf[n] = '\0';
		j = json_loads(buf, 0, NULL);
	}
	if (f)
		pclose(f);
	free(buf);
	return j;
}

static void cleanup(void)
{
	if (ns_a[0])
		sh("ip netns del %s 2>/dev/null", ns_a);
	if (ns_b[0])
		sh("ip netns del %s 2>/dev/null", ns_b);
	if (ns_c[0])
		sh("ip netns del %s 2>/dev/null", ns_c);
	ns_a[0] = ns_b[0] = ns_c[0] = '\0';
	if (etc_dir[0]) {
		sh("rm -f %s/resolv.conf; rmdir %s", etc_dir, etc_dir);
		if (made_etc_netns)
			rmdir("/etc/netns");
		etc_dir[0] = '\0';
	}
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
	char path[192];

	ns_del_signal_safe(ns_a);
	ns_del_signal_safe(ns_b);
	ns_del_signal_safe(ns_c);
	if (etc_dir[0]) {
		cat_safe(path, sizeof(path), etc_dir, "/resolv.conf");
		unlink(path);
		rmdir(etc_dir);
		if (made_etc_netns)
			rmdir("/etc/netns");
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static int build_topology(void)
{
	snprintf(ns_a, sizeof(ns_a), "nrt-netns-%d-a", (int)getpid());
	snprintf(ns_b, sizeof(ns_b), "nrt-netns-%d-b", (int)getpid());
	if (sh("ip netns add %s", ns_a) || sh("ip netns add %s", ns_b))
		return 77;
	if (sh("ip -n %s -batch - <<'EOF'\n"
	       "link set lo up\n"
	       "link add va type veth peer name vb netns %s\n"
	       "link add vc type veth peer name vd netns %s\n"
	       "link set va up\n"
	       "link set vc up mtu 1400\n"
	       "addr add 198.51.100.1/24 dev va\n"
	       "addr add 198.51.100.2/24 dev va\n"
	       "addr add 198.51.100.3/24 dev va label va:1\n"
	       "addr add 192.0.2.1/24 brd + dev va\n"
	       "addr add 203.0.113.1/24 dev vc\n"
	       "addr add 2001:db8:1::1/64 dev va nodad\n"
	       "addr add 2001:db8:9::1/64 dev va nodad preferred_lft 100 valid_lft 200\n"
	       "addr add fec0::1/64 dev va nodad scope site\n"
	       "addr add 2001:db8:2::1/64 dev vc nodad\n"
	       "route add default via 198.51.100.254 dev va metric 100\n"
	       "route add 192.0.2.128/25 nexthop via 198.51.100.254 dev va weight 1 "
	       "nexthop via 203.0.113.254 dev vc weight 3\n"
	       "route add unreachable 203.0.113.128/25 table 100\n"
	       "route add prohibit 198.51.100.128/25 table 100\n"
	       "route add blackhole 192.0.2.64/26 table 100\n"
	       "route add throw 192.0.2.32/27 table 100\n"
	       "route add 198.51.100.64/26 via 198.51.100.254 src 198.51.100.2 mtu 1400 table 100\n"
	       "route add 203.0.113.64/26 via inet6 fe80::2 dev vc\n"
	       "route add 198.51.100.200/32 via 192.0.2.99 dev vc onlink\n"
	       "route add 192.0.2.16/28 dev vc tos 0x10 proto static\n"
	       "rule add pref 100 from 198.51.100.0/24 to 192.0.2.0/24 table 100\n"
	       "rule add pref 110 iif va fwmark 0x10/0xff table 100\n"
	       "rule add pref 120 not from 203.0.113.0/24 lookup main suppress_prefixlength 0\n"
	       "rule add pref 130 ipproto udp dport 53 sport 1000-2000 table 100\n"
	       "rule add pref 140 uidrange 1000-2000 oif vc table 100\n"
	       "rule add pref 150 tos 0x10 prohibit\n"
	       "rule add pref 170 fwmark 0x20 table 100\n"
	       "rule add pref 160 goto 170\n"
	       "rule add pref 180 protocol static table 100\n"
	       "rule add pref 190 lookup main suppress_ifgroup 5\n"
	       "neigh add 198.51.100.77 lladdr 02:00:00:00:00:77 dev va nud permanent\n"
	       "EOF",
	       ns_a, ns_b, ns_b))
		return -1;
	if (sh("ip -6 -n %s -batch - <<'EOF'\n"
	       "route add 2001:db8:3::/64 via 2001:db8:1::2 dev va metric 512 pref high\n"
	       "route add unreachable 2001:db8:4::/64\n"
	       "route add 2001:db8:5::/64 nexthop via 2001:db8:1::2 dev va weight 2 "
	       "nexthop via 2001:db8:2::2 dev vc\n"
	       "route add 2001:db8:6::/64 from 2001:db8:1::/64 via 2001:db8:1::2 dev va\n"
	       "route add prohibit 2001:db8:7::/64 table 200\n"
	       "route add blackhole 2001:db8:8::/64 table 200\n"
	       "rule add pref 200 from 2001:db8:1::/64 table 200\n"
	       "EOF",
	       ns_a))
		return -1;
	if (sh("ip -n %s -batch - <<'EOF'\n"
	       "link set lo up\n"
	       "link set vb up\n"
	       "link set vd up\n"
	       "EOF",
	       ns_b))
		return -1;
	/* `ip netns exec` shows /etc/netns/NAME/resolv.conf as /etc/resolv.conf. */
	made_etc_netns = mkdir("/etc/netns", 0755) == 0;
	snprintf(etc_dir, sizeof(etc_dir), "/etc/netns/%s", ns_a);
	if (mkdir(etc_dir, 0755) < 0 ||
	    sh("printf 'nameserver 192.0.2.53\\nnameserver 2001:db8::53\\n' > %s/resolv.conf",
	       etc_dir))
		return -1;
	return 0;
}

/* ---- helpers ---- */

static const struct nr_iface *iface_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < snap->nifaces; i++)
		if (!strcmp(snap->ifaces[i].name, name))
			return &snap->ifaces[i];
	return NULL;
}

static const char *ifname(int idx)
{
	size_t i;

	for (i = 0; i < snap->nifaces; i++)
		if (snap->ifaces[i].index == idx)
			return snap->ifaces[i].name;
	return "?";
}

static const char *jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return v && json_is_string(v) ? json_string_value(v) : NULL;
}

static long long jint(json_t *o, const char *key, long long dflt)
{
	json_t *v = json_object_get(o, key);

	return v && json_is_integer(v) ? json_integer_value(v) : dflt;
}

/* ---- links ---- */

static void test_links(void **state)
{
	static const struct {
		const char *name;
		uint32_t bit;
	} iff[] = { { "UP", 0x1 },	  { "BROADCAST", 0x2 }, { "LOOPBACK", 0x8 },
		    { "POINTOPOINT", 0x10 }, { "NOARP", 0x80 },    { "MULTICAST", 0x1000 },
		    { "LOWER_UP", 0x10000 } };
	json_t *j = ip_json("ip -n %s -d -j link", ns_a);
	size_t i, k;

	(void)state;
	assert_non_null(j);
	assert_int_equal(json_array_size(j), snap->nifaces);
	assert_int_equal(snap->nifaces, 3); /* lo, va, vc */
	for (i = 0; i < json_array_size(j); i++) {
		json_t *e = json_array_get(j, i), *fl = json_object_get(e, "flags");
		const struct nr_iface *ifc = &snap->ifaces[i];
		char ll[NR_LLADDR_STRLEN];
		uint32_t flags = 0;
		const char *kind = NULL;

		assert_int_equal(ifc->index, jint(e, "ifindex", -1));
		assert_string_equal(ifc->name, jstr(e, "ifname"));
		assert_int_equal(ifc->mtu, jint(e, "mtu", -1));
		assert_string_equal(nr_operstate_name(ifc->operstate), jstr(e, "operstate"));
		assert_string_equal(nr_lladdr_format(&ifc->lladdr, ll, sizeof(ll)), jstr(e, "address"));
		assert_string_equal(nr_lladdr_format(&ifc->broadcast, ll, sizeof(ll)),
				    jstr(e, "broadcast"));
		assert_int_equal(ifc->link, jint(e, "link_index", 0));
		assert_int_equal(ifc->master, 0);
		assert_int_equal(ifc->group, 0);
		assert_string_equal(jstr(e, "group"), "default");
		for (k = 0; k < json_array_size(fl); k++) {
			size_t b;

			for (b = 0; b < sizeof(iff) / sizeof(iff[0]); b++)
				if (!strcmp(json_string_value(json_array_get(fl, k)), iff[b].name))
					flags |= iff[b].bit;
		}
		for (k = 0; k < sizeof(iff) / sizeof(iff[0]); k++)
			assert_int_equal(ifc->flags & iff[k].bit, flags & iff[k].bit);
		if (json_object_get(e, "linkinfo"))
			kind = jstr(json_object_get(e, "linkinfo"), "info_kind");
		assert_string_equal(ifc->kind, kind ? kind : "");
	}
	assert_int_equal(iface_by_name("lo")->type, 772);  /* ARPHRD_LOOPBACK */
	assert_int_equal(iface_by_name("va")->type, 1);    /* ARPHRD_ETHER */
	assert_int_equal(iface_by_name("va")->lladdr.len, 6);
	assert_int_equal(iface_by_name("vc")->mtu, 1400);
	assert_string_equal(iface_by_name("va")->kind, "veth");
	json_decref(j);
}

/* ---- addresses ---- */

static void test_addrs(void **state)
{
	static const struct {
		const char *name;
		uint32_t bit;
	} ifa[] = { { "secondary", NR_IFA_F_SECONDARY },   { "nodad", NR_IFA_F_NODAD },
		    { "tentative", NR_IFA_F_TENTATIVE },   { "deprecated", NR_IFA_F_DEPRECATED },
		    { "noprefixroute", NR_IFA_F_NOPREFIXROUTE } };
	json_t *j = ip_json("ip -n %s -j addr", ns_a);
	size_t i, k, total = 0;

	(void)state;
	assert_non_null(j);
	for (i = 0; i < json_array_size(j); i++) {
		json_t *e = json_array_get(j, i), *ai = json_object_get(e, "addr_info");
		int idx = (int)jint(e, "ifindex", -1);
		size_t pos = 0;

		for (k = 0; k < json_array_size(ai); k++) {
			json_t *x = json_array_get(ai, k);
			const struct nr_os_addr *a = NULL;
			char s[NR_ADDR_STRLEN], sc[16];
			size_t b;
			long long lft;

			/* The k-th address of this link in the snapshot: the
			 * dump order, which ip keeps per link. */
			for (; pos < snap->naddrs; pos++)
				if (snap->addrs[pos].ifindex == idx) {
					a = &snap->addrs[pos++];
					break;
				}
			assert_non_null(a);
			total++;
			assert_string_equal(a->family == AF_INET ? "inet" : "inet6", jstr(x, "family"));
			assert_string_equal(nr_addr_format(&a->a.local.addr, s, sizeof(s)),
					    jstr(x, "local"));
			assert_int_equal(a->a.local.len, jint(x, "prefixlen", -1));
			if (jstr(x, "broadcast"))
				assert_string_equal(nr_addr_format(&a->a.broadcast, s, sizeof(s)),
						    jstr(x, "broadcast"));
			else
				assert_int_equal(a->a.broadcast.family, AF_UNSPEC);
			if (jstr(x, "address"))
				assert_string_equal(nr_addr_format(&a->a.peer, s, sizeof(s)),
						    jstr(x, "address"));
			else
				assert_int_equal(a->a.peer.family, AF_UNSPEC);
			assert_string_equal(nr_scope_name(a->a.scope, sc, sizeof(sc)), jstr(x, "scope"));
			assert_string_equal(a->a.label, jstr(x, "label") ? jstr(x, "label") : "");
			for (b = 0; b < sizeof(ifa) / sizeof(ifa[0]); b++)
				assert_int_equal(!!(a->a.flags & ifa[b].bit),
						 json_is_true(json_object_get(x, ifa[b].name)));
			assert_int_equal(!(a->a.flags & NR_IFA_F_PERMANENT),
					 json_is_true(json_object_get(x, "dynamic")));
			/* Lifetimes count down between the two reads. */
			lft = jint(x, "valid_life_time", -1);
			assert_true(a->a.valid_lft == lft ||
				    (lft != UINT32_MAX && a->a.valid_lft - lft <= 5));
			lft = jint(x, "preferred_life_time", -1);
			assert_true(a->a.preferred_lft == lft ||
				    (lft != UINT32_MAX && a->a.preferred_lft - lft <= 5));
		}
	}
	assert_int_equal(total, snap->naddrs);
	/* Hard expectations: IPv4 first in the dump, secondary and label. */
	assert_int_equal(snap->addrs[0].family, AF_INET);
	assert_int_equal(snap->addrs[snap->naddrs - 1].family, AF_INET6);
	for (i = 0; i < snap->naddrs; i++) {
		char s[NR_ADDR_STRLEN];
		const struct nr_os_addr *a = &snap->addrs[i];

		nr_addr_format(&a->a.local.addr, s, sizeof(s));
		if (!strcmp(s, "198.51.100.3")) {
			assert_string_equal(a->a.label, "va:1");
			assert_true(a->a.flags & NR_IFA_F_SECONDARY);
		}
		if (!strcmp(s, "192.0.2.1"))
			assert_string_equal(nr_addr_format(&a->a.broadcast, s, sizeof(s)),
					    "192.0.2.255");
		if (!strcmp(s, "2001:db8:9::1")) {
			assert_true(a->a.valid_lft <= 200 && a->a.valid_lft > 190);
			assert_true(a->a.preferred_lft <= 100 && a->a.preferred_lft > 90);
		}
		if (!strcmp(s, "fec0::1"))
			assert_int_equal(a->a.scope, NR_SCOPE_SITE);
	}
	json_decref(j);
}

/* ---- routes ---- */

static uint32_t table_num(const char *s)
{
	if (!s || !strcmp(s, "main"))
		return 254;
	if (!strcmp(s, "local"))
		return 255;
	if (!strcmp(s, "default"))
		return 253;
	return (uint32_t)strtoul(s, NULL, 10);
}

static unsigned proto_num(const char *s)
{
	static const char *const names[] = { [1] = "redirect", [2] = "kernel", [3] = "boot",
					     [4] = "static", [9] = "ra", [16] = "dhcp" };
	unsigned i;

	if (!s)
		return 3; /* ip leaves "boot" out */
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i] && !strcmp(names[i], s))
			return i;
	return (unsigned)strtoul(s, NULL, 0);
}

static unsigned scope_num(const char *s)
{
	if (!s || !strcmp(s, "global") || !strcmp(s, "universe"))
		return 0;
	if (!strcmp(s, "link"))
		return 253;
	if (!strcmp(s, "host"))
		return 254;
	if (!strcmp(s, "site"))
		return 200;
	return (unsigned)strtoul(s, NULL, 0);
}

static unsigned nhflags(json_t *fl)
{
	static const struct {
		const char *name;
		unsigned bit;
	} f[] = { { "dead", 1 }, { "pervasive", 2 }, { "onlink", 4 }, { "offload", 8 },
		  { "linkdown", 16 } };
	unsigned r = 0;
	size_t i, k;

	for (i = 0; i < json_array_size(fl); i++)
		for (k = 0; k < sizeof(f) / sizeof(f[0]); k++)
			if (!strcmp(json_string_value(json_array_get(fl, i)), f[k].name))
				r |= f[k].bit;
	return r;
}

static bool is_reject(uint8_t t)
{
	return t == NR_RTN_BLACKHOLE || t == NR_RTN_UNREACHABLE || t == NR_RTN_PROHIBIT ||
	       t == NR_RTN_THROW;
}

/* One line per route, the same from a snapshot route and from ip's JSON. */
static void route_key(const struct nr_route *r, char *buf, size_t cap)
{
	char d[NR_PREFIX_STRLEN], s[NR_PREFIX_STRLEN], p[NR_ADDR_STRLEN], g[NR_ADDR_STRLEN];
	size_t n, i;

	n = (size_t)snprintf(buf, cap, "%d %s t%u %s from %s tos%u proto%u scope%u m%u src %s pref%u mtu%u f%u",
			     r->family, nr_rtype_name(r->type), r->table,
			     nr_prefix_format(&r->dst, d, sizeof(d)),
			     nr_prefix_format(&r->src, s, sizeof(s)), r->tos, r->protocol, r->scope,
			     r->metric,
			     r->prefsrc.family ? nr_addr_format(&r->prefsrc, p, sizeof(p)) : "-",
			     r->pref, r->mtu, r->flags & 0x1fu);
	for (i = 0; i < r->nh_count && n < cap; i++)
		n += (size_t)snprintf(buf + n, cap - n, " nh[%d %s %s w%u f%u]", r->nh[i].gw.family,
				      r->nh[i].gw.family ? nr_addr_format(&r->nh[i].gw, g, sizeof(g)) : "-",
				      ifname(r->nh[i].ifindex), r->nh[i].weight, r->nh[i].flags & 0x1fu);
}

static void json_gw(json_t *e, int family, struct nr_addr *gw)
{
	json_t *via = json_object_get(e, "via");

	gw->family = AF_UNSPEC;
	if (jstr(e, "gateway"))
		assert_int_equal(nr_addr_parse(jstr(e, "gateway"), family, gw), 0);
	else if (via)
		assert_int_equal(nr_addr_parse(jstr(via, "host"), AF_UNSPEC, gw), 0);
}

static int ifindex_by_name(const char *name)
{
	const struct nr_iface *ifc = name ? iface_by_name(name) : NULL;

	return ifc ? ifc->index : 0;
}

static void json_route_key(json_t *e, int family, char *buf, size_t cap)
{
	struct nr_nexthop nh[NR_ROUTE_MAX_NH];
	struct nr_route r;
	json_t *mx = json_object_get(e, "metrics"), *nhs = json_object_get(e, "nexthops");
	const char *dst = jstr(e, "dst"), *type = jstr(e, "type"), *pref = jstr(e, "pref");
	size_t i;

	memset(&r, 0, sizeof(r));
	r.family = (uint8_t)family;
	if (!type || nr_rtype_parse(type, &r.type) < 0)
		r.type = NR_RTN_UNICAST;
	r.table = table_num(jstr(e, "table"));
	if (!strcmp(dst, "default")) {
		r.dst.addr.family = (uint8_t)family;
	} else {
		assert_int_equal(nr_prefix_parse(dst, family, 0, &r.dst), 0);
	}
	r.src.addr.family = (uint8_t)family;
	if (jstr(e, "from"))
		assert_int_equal(nr_prefix_parse(jstr(e, "from"), family, 0, &r.src), 0);
	r.tos = jstr(e, "tos") ? (uint8_t)strtoul(jstr(e, "tos"), NULL, 16) : 0;
	r.protocol = (uint8_t)proto_num(jstr(e, "protocol"));
	r.scope = (uint8_t)scope_num(jstr(e, "scope"));
	r.metric = (uint32_t)jint(e, "metric", 0);
	r.prefsrc.family = AF_UNSPEC;
	if (jstr(e, "prefsrc"))
		assert_int_equal(nr_addr_parse(jstr(e, "prefsrc"), family, &r.prefsrc), 0);
	r.pref = !pref || !strcmp(pref, "medium") ? 0 : !strcmp(pref, "high") ? 1 : 3;
	for (i = 0; i < json_array_size(mx); i++)
		if (json_object_get(json_array_get(mx, i), "mtu"))
			r.mtu = (uint32_t)jint(json_array_get(mx, i), "mtu", 0);
	r.flags = nhflags(json_object_get(e, "flags"));
	if (nhs) {
		for (i = 0; i < json_array_size(nhs); i++) {
			json_t *x = json_array_get(nhs, i);

			memset(&nh[i], 0, sizeof(nh[i]));
			json_gw(x, family, &nh[i].gw);
			nh[i].ifindex = ifindex_by_name(jstr(x, "dev"));
			nh[i].weight = (uint16_t)jint(x, "weight", 1);
			nh[i].flags = (uint8_t)nhflags(json_object_get(x, "flags"));
		}
		r.nh_count = (uint16_t)i;
	} else if (!is_reject(r.type)) {
		memset(&nh[0], 0, sizeof(nh[0]));
		json_gw(e, family, &nh[0].gw);
		nh[0].ifindex = ifindex_by_name(jstr(e, "dev"));
		nh[0].weight = 1;
		nh[0].flags = (uint8_t)r.flags;
		r.nh_count = 1;
	}
	r.nh = nh;
	route_key(&r, buf, cap);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void compare_routes(int family)
{
	json_t *j = ip_json("ip -n %s %s -j route show table all", ns_a,
			    family == AF_INET6 ? "-6" : "-4");
	size_t n = json_array_size(j), m = 0, i;
	char **mine, **theirs;

	assert_non_null(j);
	mine = calloc(snap->nroutes + 1, sizeof(char *));
	theirs = calloc(n + 1, sizeof(char *));
	for (i = 0; i < snap->nroutes; i++) {
		if (snap->routes[i].family != family)
			continue;
		mine[m] = malloc(1024);
		route_key(&snap->routes[i], mine[m++], 1024);
	}
	for (i = 0; i < n; i++) {
		theirs[i] = malloc(1024);
		json_route_key(json_array_get(j, i), family, theirs[i], 1024);
	}
	qsort(mine, m, sizeof(char *), cmp_str);
	qsort(theirs, n, sizeof(char *), cmp_str);
	for (i = 0; i < m && i < n; i++)
		if (strcmp(mine[i], theirs[i]))
			print_message("mine   %s\nip     %s\n", mine[i], theirs[i]);
	assert_int_equal(m, n);
	assert_true(n >= 15); /* the comparison is not vacuous */
	for (i = 0; i < n; i++) {
		assert_string_equal(mine[i], theirs[i]);
		free(mine[i]);
		free(theirs[i]);
	}
	free(mine);
	free(theirs);
	json_decref(j);
}

static const struct nr_route *find_route(const char *prefix, uint32_t table)
{
	struct nr_prefix p;
	size_t i;

	assert_int_equal(nr_prefix_parse(prefix, AF_UNSPEC, 0, &p), 0);
	for (i = 0; i < snap->nroutes; i++)
		if (nr_prefix_eq(&snap->routes[i].dst, &p) && snap->routes[i].table == table)
			return &snap->routes[i];
	return NULL;
}

static void test_routes4(void **state)
{
	const struct nr_route *r;
	char s[NR_ADDR_STRLEN];

	(void)state;
	compare_routes(AF_INET);
	/* ECMP weights 1:3 */
	r = find_route("192.0.2.128/25", 254);
	assert_non_null(r);
	assert_int_equal(r->nh_count, 2);
	assert_int_equal(r->nh[0].weight, 1);
	assert_int_equal(r->nh[1].weight, 3);
	assert_int_equal(r->nh[1].ifindex, iface_by_name("vc")->index);
	/* IPv4 via an IPv6 gateway keeps the gateway's family */
	r = find_route("203.0.113.64/26", 254);
	assert_non_null(r);
	assert_int_equal(r->nh[0].gw.family, AF_INET6);
	assert_string_equal(nr_addr_format(&r->nh[0].gw, s, sizeof(s)), "fe80::2");
	/* onlink */
	r = find_route("198.51.100.200/32", 254);
	assert_non_null(r);
	assert_true(r->nh[0].flags & NR_RTNH_F_ONLINK);
	/* prefsrc and mtu in a custom table */
	r = find_route("198.51.100.64/26", 100);
	assert_non_null(r);
	assert_string_equal(nr_addr_format(&r->prefsrc, s, sizeof(s)), "198.51.100.2");
	assert_int_equal(r->mtu, 1400);
	/* reject types have no nexthop */
	r = find_route("192.0.2.32/27", 100);
	assert_non_null(r);
	assert_int_equal(r->type, NR_RTN_THROW);
	assert_int_equal(r->nh_count, 0);
	r = find_route("203.0.113.128/25", 100);
	assert_non_null(r);
	assert_int_equal(r->type, NR_RTN_UNREACHABLE);
	/* tos and protocol */
	r = find_route("192.0.2.16/28", 254);
	assert_non_null(r);
	assert_int_equal(r->tos, 0x10);
	assert_int_equal(r->protocol, 4);
	/* the local table: local and broadcast routes */
	r = find_route("198.51.100.1/32", 255);
	assert_non_null(r);
	assert_int_equal(r->type, NR_RTN_LOCAL);
	r = find_route("198.51.100.255/32", 255);
	assert_non_null(r);
	assert_int_equal(r->type, NR_RTN_BROADCAST);
}

static void test_routes6(void **state)
{
	const struct nr_route *r;
	char s[NR_ADDR_STRLEN];

	(void)state;
	compare_routes(AF_INET6);
	r = find_route("2001:db8:3::/64", 254);
	assert_non_null(r);
	assert_int_equal(r->pref, NR_RT_PREF_HIGH);
	assert_int_equal(r->metric, 512);
	r = find_route("2001:db8:5::/64", 254);
	assert_non_null(r);
	assert_int_equal(r->nh_count, 2);
	assert_int_equal(r->nh[0].weight, 2);
	assert_string_equal(nr_addr_format(&r->nh[1].gw, s, sizeof(s)), "2001:db8:2::2");
	r = find_route("2001:db8:6::/64", 254);
	assert_non_null(r);
	assert_int_equal(r->src.len, 64);
	assert_string_equal(nr_addr_format(&r->src.addr, s, sizeof(s)), "2001:db8:1::");
	r = find_route("2001:db8:7::/64", 200);
	assert_non_null(r);
	assert_int_equal(r->type, NR_RTN_PROHIBIT);
	assert_int_equal(r->nh_count, 0);
	r = find_route("2001:db8:1::1/128", 255);
	assert_non_null(r);
	assert_int_equal(r->type, NR_RTN_LOCAL);
}

/* ---- rules ---- */

static const struct nr_rule *find_rule(int family, uint32_t prio)
{
	size_t i;

	for (i = 0; i < snap->nrules; i++)
		if (snap->rules[i].family == family && snap->rules[i].priority == prio)
			return &snap->rules[i];
	return NULL;
}

static void test_rules(void **state)
{
	json_t *j4 = ip_json("ip -n %s -4 -j rule", ns_a), *j6 = ip_json("ip -n %s -6 -j rule", ns_a);
	const struct nr_rule *r;
	char s[NR_PREFIX_STRLEN];
	size_t i, n4 = 0;

	(void)state;
	assert_non_null(j4);
	assert_non_null(j6);
	for (i = 0; i < snap->nrules; i++)
		n4 += snap->rules[i].family == AF_INET;
	assert_int_equal(n4, json_array_size(j4));
	assert_int_equal(snap->nrules - n4, json_array_size(j6));
	/* Same priorities and tables, in the same order as ip. */
	for (i = 0; i < json_array_size(j4); i++) {
		json_t *e = json_array_get(j4, i);

		assert_int_equal(snap->rules[i].priority, jint(e, "priority", -1));
		if (jstr(e, "table"))
			assert_int_equal(snap->rules[i].table, table_num(jstr(e, "table")));
	}

	r = find_rule(AF_INET, 100);
	assert_non_null(r);
	assert_int_equal(r->action, NR_FR_ACT_TO_TBL);
	assert_int_equal(r->table, 100);
	assert_string_equal(nr_prefix_format(&r->from, s, sizeof(s)), "198.51.100.0/24");
	assert_string_equal(nr_prefix_format(&r->to, s, sizeof(s)), "192.0.2.0/24");
	r = find_rule(AF_INET, 110);
	assert_non_null(r);
	assert_string_equal(r->iifname, "va");
	assert_int_equal(r->fwmark, 0x10);
	assert_int_equal(r->fwmask, 0xff);
	r = find_rule(AF_INET, 120);
	assert_non_null(r);
	assert_true(r->flags & NR_FIB_RULE_INVERT);
	assert_int_equal(r->suppress_prefixlen, 0);
	assert_int_equal(r->suppress_ifgroup, -1);
	assert_int_equal(r->table, 254);
	r = find_rule(AF_INET, 130);
	assert_non_null(r);
	assert_int_equal(r->ip_proto, 17);
	assert_int_equal(r->dport_lo, 53);
	assert_int_equal(r->dport_hi, 53);
	assert_int_equal(r->sport_lo, 1000);
	assert_int_equal(r->sport_hi, 2000);
	r = find_rule(AF_INET, 140);
	assert_non_null(r);
	assert_true(r->has_uid_range);
	assert_int_equal(r->uid_lo, 1000);
	assert_int_equal(r->uid_hi, 2000);
	assert_string_equal(r->oifname, "vc");
	r = find_rule(AF_INET, 150);
	assert_non_null(r);
	assert_int_equal(r->action, NR_FR_ACT_PROHIBIT);
	assert_int_equal(r->tos, 0x10);
	r = find_rule(AF_INET, 160);
	assert_non_null(r);
	assert_int_equal(r->action, NR_FR_ACT_GOTO);
	assert_int_equal(r->goto_target, 170);
	r = find_rule(AF_INET, 170);
	assert_non_null(r);
	assert_int_equal(r->fwmask, 0xffffffffu); /* mark without a mask */
	r = find_rule(AF_INET, 180);
	assert_non_null(r);
	assert_int_equal(r->protocol, 4);
	r = find_rule(AF_INET, 190);
	assert_non_null(r);
	assert_int_equal(r->suppress_ifgroup, 5);
	assert_int_equal(r->suppress_prefixlen, -1);
	r = find_rule(AF_INET, 32766);
	assert_non_null(r);
	assert_false(r->has_uid_range);
	assert_int_equal(r->table, 254);
	r = find_rule(AF_INET6, 200);
	assert_non_null(r);
	assert_int_equal(r->table, 200);
	assert_string_equal(nr_prefix_format(&r->from, s, sizeof(s)), "2001:db8:1::/64");
	json_decref(j4);
	json_decref(j6);
}

/* ---- neighbours, nameservers ---- */

static void test_neigh_resolv(void **state)
{
	struct nr_addr want;
	size_t i, found = 0;
	char ll[NR_LLADDR_STRLEN];

	(void)state;
	assert_int_equal(nr_addr_parse("198.51.100.77", AF_INET, &want), 0);
	for (i = 0; i < snap->nneigh; i++) {
		const struct nr_os_neigh *n = &snap->neigh[i];

		if (!nr_addr_eq(&n->dst, &want))
			continue;
		found++;
		assert_int_equal(n->state, NUD_PERMANENT);
		assert_int_equal(n->ifindex, iface_by_name("va")->index);
		assert_string_equal(nr_lladdr_format(&n->lladdr, ll, sizeof(ll)), "02:00:00:00:00:77");
	}
	assert_int_equal(found, 1);
	assert_non_null(strstr(snap->resolv_path, ns_a));
	assert_string_equal(snap->resolv_text, "nameserver 192.0.2.53\nnameserver 2001:db8::53\n");
	assert_int_equal(snap->resolv_len, strlen(snap->resolv_text));
}

/* ---- the route dump with a callback ---- */

struct walk {
	size_t n, stop_at;
	int family;
};

static int count_route(const struct nr_route *r, void *arg)
{
	struct walk *w = arg;

	assert_int_equal(r->family, w->family);
	assert_true(r->nh_count == 0 || r->nh != NULL);
	if (++w->n == w->stop_at)
		return 42;
	return 0;
}

static void test_dump_routes(void **state)
{
	struct nr_os_error err = { 0 };
	struct nr_netns *ns = NULL;
	struct walk w = { 0 };
	size_t i, n4 = 0;

	(void)state;
	for (i = 0; i < snap->nroutes; i++)
		n4 += snap->routes[i].family == AF_INET;
	assert_int_equal(nr_netns_open(ns_a, &ns, &err), 0);
	w.family = AF_INET;
	assert_int_equal(nr_os_dump_routes(ns, AF_INET, count_route, &w, &err), 0);
	assert_int_equal(w.n, n4);
	w = (struct walk){ .family = AF_INET6 };
	assert_int_equal(nr_os_dump_routes(ns, AF_INET6, count_route, &w, &err), 0);
	assert_int_equal(w.n, snap->nroutes - n4);
	/* A non-zero return from the callback stops the walk and comes back. */
	w = (struct walk){ .family = AF_INET, .stop_at = 3 };
	assert_int_equal(nr_os_dump_routes(ns, AF_INET, count_route, &w, &err), 42);
	assert_int_equal(w.n, 3);
	assert_int_equal(nr_os_dump_routes(ns, 99, count_route, &w, &err), -EAFNOSUPPORT);
	nr_netns_close(ns);
}

/* ---- route get's load: the tables a lookup can reach ---- */

/* Routes of family in the listed tables, in a full read taken now (the
 * group's snapshot is older: IPv6 local routes come with DAD's end). */
static size_t count_in(int family, const uint32_t *tables, size_t n)
{
	struct nr_os_error err = { 0 };
	struct nr_os_snapshot *now = NULL;
	struct nr_netns *ns = NULL;
	size_t i, k, c = 0;

	assert_int_equal(nr_netns_open(ns_a, &ns, &err), 0);
	assert_int_equal(nr_os_snapshot_read(ns, NR_OS_ROUTES, &now, &err), 0);
	for (i = 0; i < now->nroutes; i++) {
		if (now->routes[i].family != family)
			continue;
		for (k = 0; k < n; k++)
			c += now->routes[i].table == tables[k];
	}
	nr_os_snapshot_free(now);
	nr_netns_close(ns);
	return c;
}

static void test_load_reachable(void **state)
{
	/* IPv4 rules reach table 100, IPv6 ones table 200 (an unreached
	 * table left out is test_cli_route_get's table 500). */
	static const uint32_t t4[] = { 255, 254, 253, 100 }, t6[] = { 255, 254, 253, 200 };
	struct nr_os_error err = { 0 };
	struct nr_netns *ns = NULL;
	struct nr_stack *s = nr_stack_new();
	size_t rules4;

	(void)state;
	assert_non_null(s);
	assert_int_equal(nr_netns_open(ns_a, &ns, &err), 0);
	assert_int_equal(nr_os_load(ns, s, NR_OS_LINKS | NR_OS_ADDRS | NR_OS_RULES, &err), 0);
	rules4 = nr_stack_rule_count(s, AF_INET);
	assert_int_equal(nr_stack_route_count(s, AF_INET), 0);
	assert_int_equal(nr_os_load_routes_reachable(ns, s, AF_INET, &err), 0);
	assert_int_equal(nr_stack_route_count(s, AF_INET), count_in(AF_INET, t4, 4));
	assert_true(count_in(AF_INET, t4, 4) > count_in(AF_INET, t4, 3)); /* table 100 in */
	assert_int_equal(nr_stack_route_count(s, AF_INET6), 0);
	/* A family is loaded once: no replacing it alone. */
	assert_int_equal(nr_os_load_routes_reachable(ns, s, AF_INET, &err), -EEXIST);
	assert_int_equal(nr_os_load_routes_reachable(ns, s, 99, &err), -EAFNOSUPPORT);
	assert_int_equal(nr_os_load_routes_reachable(ns, s, AF_INET6, &err), 0);
	assert_int_equal(nr_stack_route_count(s, AF_INET6), count_in(AF_INET6, t6, 4));
	assert_true(count_in(AF_INET6, t6, 4) > count_in(AF_INET6, t6, 3)); /* table 200 in */
	nr_stack_free(s);

	/* An interrupted stream (faked) is dropped and read again; the
	 * other family's routes and the rules stay. */
	s = nr_stack_new();
	assert_non_null(s);
	assert_int_equal(nr_os_load(ns, s, NR_OS_LINKS | NR_OS_ADDRS | NR_OS_RULES, &err), 0);
	assert_int_equal(nr_os_load_routes_reachable(ns, s, AF_INET, &err), 0);
	setenv("NETRIG_TEST_STREAM_INTR", "1", 1);
	assert_int_equal(nr_os_load_routes_reachable(ns, s, AF_INET6, &err), 0);
	unsetenv("NETRIG_TEST_STREAM_INTR");
	assert_int_equal(nr_stack_route_count(s, AF_INET6), count_in(AF_INET6, t6, 4));
	assert_int_equal(nr_stack_route_count(s, AF_INET), count_in(AF_INET, t4, 4));
	assert_int_equal(nr_stack_rule_count(s, AF_INET), rules4);
	nr_stack_free(s);

	/* A table the kernel does not have holds no route. */
	{
		static const uint32_t none[] = { 4242 };
		struct nr_os_snapshot *sn = NULL;

		assert_int_equal(nr_os_snapshot_read_tables(ns, AF_INET, none, 1, &sn, &err), 0);
		assert_int_equal(sn->nroutes, 0);
		nr_os_snapshot_free(sn);
		assert_int_equal(nr_os_snapshot_read_tables(ns, AF_INET6, t6, 4, &sn, &err), 0);
		assert_int_equal(sn->nroutes, count_in(AF_INET6, t6, 4));
		nr_os_snapshot_free(sn);
	}
	nr_netns_close(ns);
}

/* Raw messages counted (nr_nlsock_dump's callback). */
static int route_fn_count(struct nlmsghdr *h, void *arg)
{
	struct walk *w = arg;

	(void)h;
	w->n++;
	return 0;
}

/* A dump the kernel refuses: its errno and extended-ack text come back. */
static void test_dump_error(void **state)
{
	struct nr_os_error err = { 0 };
	struct nr_netns *ns = NULL;
	struct nr_nlsock *sock = NULL;
	/* Strict checking refuses a prefix length in a FIB dump request. */
	struct rtmsg bad = { .rtm_family = AF_INET, .rtm_dst_len = 8 };
	struct walk w = { .family = AF_INET };

	(void)state;
	assert_int_equal(nr_netns_open(ns_a, &ns, &err), 0);
	assert_int_equal(nr_nlsock_open(ns, &sock, &err), 0);
	assert_int_equal(nr_nlsock_dump(sock, "RTM_GETROUTE", RTM_GETROUTE, &bad, sizeof(bad),
					route_fn_count, NULL, &w, &err),
			 -EINVAL);
	assert_int_equal(err.err, -EINVAL);
	assert_int_equal(strncmp(err.msg, "RTM_GETROUTE: ", 14), 0);
	/* The kernel's own words, not strerror's. */
	assert_null(strstr(err.msg, strerror(EINVAL)));
	assert_true(strlen(err.msg) > 14);
	/* The socket is clean for the next request. */
	bad.rtm_dst_len = 0;
	memset(&err, 0, sizeof(err));
	assert_int_equal(nr_nlsock_dump(sock, "RTM_GETROUTE", RTM_GETROUTE, &bad, sizeof(bad),
					route_fn_count, NULL, &w, &err),
			 0);
	assert_true(w.n > 0);
	nr_nlsock_close(sock);
	nr_netns_close(ns);
}

/* ---- into a stack ---- */

static void test_load_stack(void **state)
{
	struct nr_os_error err = { 0 };
	struct nr_netns *ns = NULL;
	struct nr_stack *s = nr_stack_new();
	const struct nr_iface *va;
	struct nr_addr nb;
	size_t i, n4 = 0, r4 = 0;

	(void)state;
	assert_non_null(s);
	for (i = 0; i < snap->nroutes; i++)
		n4 += snap->routes[i].family == AF_INET;
	for (i = 0; i < snap->nrules; i++)
		r4 += snap->rules[i].family == AF_INET;
	assert_int_equal(nr_netns_open(ns_a, &ns, &err), 0);
	assert_int_equal(nr_os_load(ns, s, NR_OS_ALL, &err), 0);
	assert_int_equal(nr_iface_count(nr_stack_ifaces(s)), snap->nifaces);
	va = nr_iface_by_name(nr_stack_ifaces(s), "va");
	assert_non_null(va);
	assert_int_equal(va->naddrs, 4 + 4); /* 4 IPv4, 3 static IPv6 + link-local */
	assert_int_equal(nr_stack_route_count(s, AF_INET), n4);
	assert_int_equal(nr_stack_route_count(s, AF_INET6), snap->nroutes - n4);
	assert_int_equal(nr_stack_rule_count(s, AF_INET), r4);
	assert_int_equal(nr_stack_rule_count(s, AF_INET6), snap->nrules - r4);
	assert_int_equal(nr_resolv_nameserver_count(nr_stack_resolv(s)), 2);
	assert_int_equal(nr_addr_parse("198.51.100.77", AF_INET, &nb), 0);
	assert_non_null(nr_neigh_lookup(nr_stack_neigh_const(s), va->index, &nb));
	assert_int_equal(nr_addr_parse("198.51.100.78", AF_INET, &nb), 0);
	assert_null(nr_neigh_lookup(nr_stack_neigh_const(s), va->index, &nb));
	/* Loading again replaces, it does not add. */
	assert_int_equal(nr_os_load(ns, s, NR_OS_ALL, &err), 0);
	assert_int_equal(nr_stack_route_count(s, AF_INET), n4);
	assert_int_equal(nr_stack_rule_count(s, AF_INET), r4);
	assert_int_equal(nr_iface_by_name(nr_stack_ifaces(s), "va")->naddrs, 8);
	/* Routes alone keep the rules. */
	assert_int_equal(nr_os_load(ns, s, NR_OS_ROUTES, &err), 0);
	assert_int_equal(nr_stack_rule_count(s, AF_INET), r4);
	nr_netns_close(ns);
	nr_stack_free(s);
}

/* ---- 200k routes ---- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int nop_route(const struct nr_route *r, void *arg)
{
	(void)r;
	++*(size_t *)arg;
	return 0;
}

static void test_200k(void **state)
{
	/* 782 tables x the 256 host routes of 198.51.100.0/24: the
	 * documentation ranges hold too few distinct prefixes for one table. */
	enum { TABLES = 782, PER = 256 };
	char path[] = "/tmp/nrt-netns-batch-XXXXXX";
	struct nr_os_error err = { 0 };
	struct nr_os_snapshot *big = NULL;
	struct nr_netns *ns = NULL;
	struct nr_stack *s;
	size_t n = 0;
	double t0, t1;
	FILE *f;
	int fd, t, i;

	(void)state;
	snprintf(ns_c, sizeof(ns_c), "nrt-netns-%d-c", (int)getpid());
	assert_int_equal(sh("ip netns add %s", ns_c), 0);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fprintf(f, "link set lo up\nlink add vz type veth peer name vy\nlink set vz up\n"
		   "addr add 198.51.100.1/24 dev vz\n");
	for (t = 0; t < TABLES; t++)
		for (i = 0; i < PER; i++)
			fprintf(f, "route add 198.51.100.%d/32 dev vz table %d\n", i, 1000 + t);
	fclose(f);
	t0 = now_s();
	assert_int_equal(sh("ip -n %s -batch %s", ns_c, path), 0);
	t1 = now_s();
	unlink(path);
	print_message("ip -batch: %d routes added in %.2f s\n", TABLES * PER, t1 - t0);

	assert_int_equal(nr_netns_open(ns_c, &ns, &err), 0);
	t0 = now_s();
	assert_int_equal(nr_os_snapshot_read(ns, NR_OS_ROUTES, &big, &err), 0);
	t1 = now_s();
	print_message("nr_os_snapshot_read: %zu routes in %.3f s\n", big->nroutes, t1 - t0);
	assert_true(big->nroutes >= (size_t)TABLES * PER);
	nr_os_snapshot_free(big);
	t0 = now_s();
	assert_int_equal(nr_os_dump_routes(ns, AF_INET, nop_route, &n, &err), 0);
	t1 = now_s();
	print_message("nr_os_dump_routes: %zu routes in %.3f s\n", n, t1 - t0);
	s = nr_stack_new();
	assert_non_null(s);
	t0 = now_s();
	assert_int_equal(nr_os_load(ns, s, NR_OS_LINKS | NR_OS_ADDRS | NR_OS_ROUTES, &err), 0);
	t1 = now_s();
	print_message("nr_os_load into a stack: %zu IPv4 routes in %.3f s\n",
		      nr_stack_route_count(s, AF_INET), t1 - t0);
	assert_int_equal(nr_stack_route_count(s, AF_INET), n);
	nr_stack_free(s);
	nr_netns_close(ns);
	sh("ip netns del %s", ns_c);
	ns_c[0] = '\0';
}

static int setup(void **state)
{
	struct nr_os_error err = { 0 };
	struct nr_netns *ns = NULL;
	int r;

	(void)state;
	if (nr_netns_open(ns_a, &ns, &err) < 0)
		return -1;
	r = nr_os_snapshot_read(ns, NR_OS_ALL, &snap, &err);
	if (r < 0)
		print_message("snapshot: %s\n", err.msg);
	nr_netns_close(ns);
	return r < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	nr_os_snapshot_free(snap);
	snap = NULL;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_links),	     cmocka_unit_test(test_addrs),
		cmocka_unit_test(test_routes4),	     cmocka_unit_test(test_routes6),
		cmocka_unit_test(test_rules),	     cmocka_unit_test(test_neigh_resolv),
		cmocka_unit_test(test_dump_routes),  cmocka_unit_test(test_load_stack),
		cmocka_unit_test(test_load_reachable), cmocka_unit_test(test_dump_error),
		cmocka_unit_test(test_200k),
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
	r = cmocka_run_group_tests(tests, setup, teardown);
	cleanup();
	return r;
}
