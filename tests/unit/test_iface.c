/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The interface table: ordering, lookups, errors, Scapy's get_if_*
 * helpers, the names iproute2 prints, and a randomized run against a
 * linear-scan oracle at 10k interfaces.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netrig/iface.h"

static void mk_iface(struct nr_iface *ifc, int index, const char *name)
{
	memset(ifc, 0, sizeof(*ifc));
	ifc->index = index;
	snprintf(ifc->name, sizeof(ifc->name), "%s", name);
	ifc->mtu = 1500;
	ifc->flags = 0x1043; /* UP|BROADCAST|RUNNING|MULTICAST */
}

static void mk_addr(struct nr_ifaddr *a, const char *pfx, uint8_t scope, uint32_t flags)
{
	memset(a, 0, sizeof(*a));
	assert_int_equal(nr_prefix_parse(pfx, AF_UNSPEC, NR_PREFIX_PARSE_HOST_BITS, &a->local), 0);
	a->scope = scope;
	a->flags = flags;
	a->valid_lft = a->preferred_lft = UINT32_MAX;
}

static void add_addr(struct nr_iface_table *t, int index, const char *pfx, uint8_t scope,
		     uint32_t flags)
{
	struct nr_ifaddr a;

	mk_addr(&a, pfx, scope, flags);
	assert_int_equal(nr_iface_addr_add(t, index, &a), 0);
}

static void test_add_order_lookup(void **state)
{
	struct nr_iface_table *t = nr_iface_table_new();
	struct nr_iface ifc;
	static const int order[] = {7, 1, 3, 12, 5};
	static const char *const names[] = {"e3", "lo", "e1", "br0", "e2"};

	(void)state;
	assert_non_null(t);
	assert_int_equal(nr_iface_count(t), 0);
	assert_null(nr_iface_at(t, 0));
	assert_null(nr_iface_by_name(t, "lo"));
	assert_null(nr_iface_by_index(t, 1));

	for (size_t i = 0; i < 5; i++) {
		mk_iface(&ifc, order[i], names[i]);
		assert_int_equal(nr_iface_add(t, &ifc), 0);
	}
	assert_int_equal(nr_iface_count(t), 5);
	/* nr_iface_at walks ascending index whatever the insertion order. */
	assert_int_equal(nr_iface_at(t, 0)->index, 1);
	assert_int_equal(nr_iface_at(t, 1)->index, 3);
	assert_int_equal(nr_iface_at(t, 2)->index, 5);
	assert_int_equal(nr_iface_at(t, 3)->index, 7);
	assert_int_equal(nr_iface_at(t, 4)->index, 12);
	assert_null(nr_iface_at(t, 5));

	assert_string_equal(nr_iface_by_index(t, 12)->name, "br0");
	assert_int_equal(nr_iface_by_name(t, "e2")->index, 5);
	assert_int_equal(nr_iface_by_index(t, 7)->mtu, 1500);
	assert_null(nr_iface_by_index(t, 2));
	assert_null(nr_iface_by_index(t, 0));
	assert_null(nr_iface_by_name(t, "e4"));
	assert_null(nr_iface_by_name(t, ""));
	assert_null(nr_iface_by_name(t, NULL));

	/* Delete in the middle; the others stay where they were. */
	assert_int_equal(nr_iface_del(t, 5), 0);
	assert_int_equal(nr_iface_del(t, 5), -ENODEV);
	assert_null(nr_iface_by_name(t, "e2"));
	assert_null(nr_iface_by_index(t, 5));
	assert_int_equal(nr_iface_count(t), 4);
	assert_int_equal(nr_iface_at(t, 2)->index, 7);
	assert_int_equal(nr_iface_by_name(t, "e3")->index, 7);

	nr_iface_table_free(t);
	nr_iface_table_free(NULL); /* destructors accept NULL */
}

static void test_add_errors_and_replace(void **state)
{
	struct nr_iface_table *t = nr_iface_table_new();
	struct nr_iface ifc;
	const struct nr_iface *p;

	(void)state;
	mk_iface(&ifc, 0, "bad");
	assert_int_equal(nr_iface_add(t, &ifc), -EINVAL);
	mk_iface(&ifc, -3, "bad");
	assert_int_equal(nr_iface_add(t, &ifc), -EINVAL);
	mk_iface(&ifc, 2, "");
	assert_int_equal(nr_iface_add(t, &ifc), -EINVAL);
	mk_iface(&ifc, 2, "x");
	memset(ifc.name, 'a', sizeof(ifc.name)); /* no NUL inside IFNAMSIZ */
	assert_int_equal(nr_iface_add(t, &ifc), -EINVAL);
	assert_int_equal(nr_iface_add(NULL, &ifc), -EINVAL);
	assert_int_equal(nr_iface_add(t, NULL), -EINVAL);
	assert_int_equal(nr_iface_count(t), 0);

	mk_iface(&ifc, 2, "eth0");
	assert_int_equal(nr_iface_add(t, &ifc), 0);
	add_addr(t, 2, "198.51.100.1/24", NR_SCOPE_UNIVERSE, 0);
	mk_iface(&ifc, 3, "eth0");
	assert_int_equal(nr_iface_add(t, &ifc), -EEXIST); /* name taken by index 2 */
	assert_null(nr_iface_by_index(t, 3));

	/* Same index: replaced (renamed, new MTU), addresses kept, even if
	 * the caller's struct says otherwise. */
	mk_iface(&ifc, 2, "wan0");
	ifc.mtu = 9000;
	ifc.naddrs = 99;
	ifc.addrs = NULL;
	assert_int_equal(nr_iface_add(t, &ifc), 0);
	assert_int_equal(nr_iface_count(t), 1);
	assert_null(nr_iface_by_name(t, "eth0"));
	p = nr_iface_by_name(t, "wan0");
	assert_non_null(p);
	assert_int_equal(p->index, 2);
	assert_int_equal(p->mtu, 9000);
	assert_int_equal(p->naddrs, 1);
	assert_int_equal(nr_addr_v4(&p->addrs[0].local.addr), 0xc6336401u);
	/* The old name is free again. */
	mk_iface(&ifc, 3, "eth0");
	assert_int_equal(nr_iface_add(t, &ifc), 0);
	nr_iface_table_free(t);
}

static void test_addresses(void **state)
{
	struct nr_iface_table *t = nr_iface_table_new();
	struct nr_iface ifc;
	struct nr_ifaddr a;
	struct nr_prefix pfx;
	struct nr_addr x;
	const struct nr_ifaddr *ra = NULL;
	const struct nr_iface *p;

	(void)state;
	mk_iface(&ifc, 1, "lo");
	assert_int_equal(nr_iface_add(t, &ifc), 0);
	mk_iface(&ifc, 4, "e1");
	assert_int_equal(nr_iface_add(t, &ifc), 0);

	/* Kept in the order given (the loader gives the kernel's). */
	add_addr(t, 4, "192.0.2.1/26", NR_SCOPE_LINK, 0);
	add_addr(t, 4, "198.51.100.1/24", NR_SCOPE_UNIVERSE, 0);
	add_addr(t, 4, "2001:db8::1/64", NR_SCOPE_UNIVERSE, 0);
	add_addr(t, 4, "198.51.100.2/24", NR_SCOPE_UNIVERSE, NR_IFA_F_SECONDARY);
	add_addr(t, 4, "fe80::1/64", NR_SCOPE_LINK, 0);
	p = nr_iface_by_index(t, 4);
	assert_int_equal(p->naddrs, 5);
	assert_int_equal(p->addrs[0].local.len, 26);
	assert_int_equal(p->addrs[2].local.addr.family, AF_INET6);
	assert_int_equal(p->addrs[3].flags, NR_IFA_F_SECONDARY);

	/* Same local + length: refused; another length is another address. */
	mk_addr(&a, "198.51.100.1/24", NR_SCOPE_UNIVERSE, 0);
	assert_int_equal(nr_iface_addr_add(t, 4, &a), -EEXIST);
	mk_addr(&a, "198.51.100.1/25", NR_SCOPE_UNIVERSE, 0);
	assert_int_equal(nr_iface_addr_add(t, 4, &a), 0);
	assert_int_equal(nr_iface_addr_add(t, 9, &a), -ENODEV);
	a.local.len = 33;
	assert_int_equal(nr_iface_addr_add(t, 4, &a), -EINVAL);
	a.local.len = 24;
	a.local.addr.family = AF_UNSPEC;
	assert_int_equal(nr_iface_addr_add(t, 4, &a), -EINVAL);
	assert_int_equal(p->naddrs, 6);

	/* By address, either family, with the address record. */
	assert_int_equal(nr_addr_parse("2001:db8::1", AF_INET6, &x), 0);
	assert_ptr_equal(nr_iface_by_addr(t, &x, &ra), p);
	assert_ptr_equal(ra, &p->addrs[2]);
	assert_int_equal(nr_addr_parse("198.51.100.2", AF_INET, &x), 0);
	assert_ptr_equal(nr_iface_by_addr(t, &x, NULL), p);
	assert_int_equal(nr_addr_parse("198.51.100.3", AF_INET, &x), 0);
	ra = NULL;
	assert_null(nr_iface_by_addr(t, &x, &ra));
	assert_null(ra);
	/* 198.51.100.1 as an IPv6 address (same leading bytes) is not it. */
	memset(&x, 0, sizeof(x));
	x.family = AF_INET6;
	x.bytes[0] = 198, x.bytes[1] = 51, x.bytes[2] = 100, x.bytes[3] = 1;
	assert_null(nr_iface_by_addr(t, &x, NULL));

	/* Delete: exact prefix length, the rest keeps its order. */
	assert_int_equal(nr_prefix_parse("198.51.100.1/23", AF_INET, NR_PREFIX_PARSE_HOST_BITS, &pfx), 0);
	assert_int_equal(nr_iface_addr_del(t, 4, &pfx), -ENOENT);
	assert_int_equal(nr_prefix_parse("198.51.100.1/24", AF_INET, NR_PREFIX_PARSE_HOST_BITS, &pfx), 0);
	assert_int_equal(nr_iface_addr_del(t, 9, &pfx), -ENODEV);
	assert_int_equal(nr_iface_addr_del(t, 4, &pfx), 0);
	assert_int_equal(nr_iface_addr_del(t, 4, &pfx), -ENOENT);
	assert_int_equal(p->naddrs, 5);
	assert_int_equal(p->addrs[1].local.addr.family, AF_INET6);
	assert_int_equal(p->addrs[4].local.len, 25);
	/* The /25 still holds 198.51.100.1. */
	assert_int_equal(nr_addr_parse("198.51.100.1", AF_INET, &x), 0);
	assert_ptr_equal(nr_iface_by_addr(t, &x, &ra), p);
	assert_int_equal(ra->local.len, 25);
	pfx.len = 25;
	assert_int_equal(nr_iface_addr_del(t, 4, &pfx), 0);
	assert_null(nr_iface_by_addr(t, &x, NULL));

	nr_iface_table_free(t);
}

static void test_shared_address(void **state)
{
	struct nr_iface_table *t = nr_iface_table_new();
	struct nr_iface ifc;
	struct nr_addr x;
	const struct nr_ifaddr *ra;

	(void)state;
	/* fe80::1 on three links: the lowest index answers. */
	mk_iface(&ifc, 8, "e8");
	assert_int_equal(nr_iface_add(t, &ifc), 0);
	add_addr(t, 8, "fe80::1/64", NR_SCOPE_LINK, 0);
	mk_iface(&ifc, 5, "e5");
	assert_int_equal(nr_iface_add(t, &ifc), 0);
	add_addr(t, 5, "fe80::1/64", NR_SCOPE_LINK, NR_IFA_F_NODAD);
	mk_iface(&ifc, 6, "e6");
	assert_int_equal(nr_iface_add(t, &ifc), 0);
	add_addr(t, 6, "fe80::1/64", NR_SCOPE_LINK, 0);
	assert_int_equal(nr_addr_parse("fe80::1", AF_INET6, &x), 0);
	assert_int_equal(nr_iface_by_addr(t, &x, &ra)->index, 5);
	assert_int_equal(ra->flags, NR_IFA_F_NODAD);
	assert_int_equal(nr_iface_del(t, 5), 0);
	assert_int_equal(nr_iface_by_addr(t, &x, NULL)->index, 6);
	assert_int_equal(nr_iface_del(t, 6), 0);
	assert_int_equal(nr_iface_by_addr(t, &x, NULL)->index, 8);
	assert_int_equal(nr_iface_del(t, 8), 0);
	assert_null(nr_iface_by_addr(t, &x, NULL));
	nr_iface_table_free(t);
}

static void test_scapy_helpers(void **state)
{
	struct nr_iface_table *t = nr_iface_table_new();
	struct nr_iface ifc;
	struct nr_addr a, keep;
	struct nr_lladdr ll;
	char buf[NR_ADDR_STRLEN];

	(void)state;
	mk_iface(&ifc, 2, "eth0");
	assert_int_equal(nr_lladdr_parse("02:00:00:00:00:0a", &ifc.lladdr), 0);
	assert_int_equal(nr_iface_add(t, &ifc), 0);
	mk_iface(&ifc, 3, "tun0"); /* no link-layer address, no addresses */
	assert_int_equal(nr_iface_add(t, &ifc), 0);
	/* Listed first, but secondary: skipped. */
	add_addr(t, 2, "198.51.100.9/24", NR_SCOPE_UNIVERSE, NR_IFA_F_SECONDARY);
	add_addr(t, 2, "fe80::a/64", NR_SCOPE_LINK, 0);
	add_addr(t, 2, "2001:db8::7/64", NR_SCOPE_UNIVERSE, NR_IFA_F_TENTATIVE);
	add_addr(t, 2, "2001:db8::8/64", NR_SCOPE_UNIVERSE, NR_IFA_F_DADFAILED);
	add_addr(t, 2, "2001:db8::9/64", NR_SCOPE_UNIVERSE, NR_IFA_F_DEPRECATED);
	add_addr(t, 2, "203.0.113.1/24", NR_SCOPE_UNIVERSE, 0);
	add_addr(t, 2, "2001:db8::a/64", NR_SCOPE_UNIVERSE, 0);

	assert_int_equal(nr_iface_get_addr4(t, "eth0", &a), 0);
	assert_string_equal(nr_addr_format(&a, buf, sizeof(buf)), "203.0.113.1");
	assert_int_equal(nr_iface_get_addr6(t, "eth0", &a), 0);
	assert_string_equal(nr_addr_format(&a, buf, sizeof(buf)), "2001:db8::a");
	assert_int_equal(nr_iface_get_hwaddr(t, "eth0", &ll), 0);
	assert_int_equal(ll.len, 6);
	assert_int_equal(ll.bytes[5], 0x0a);

	memset(&keep, 0x5a, sizeof(keep));
	a = keep;
	assert_int_equal(nr_iface_get_addr4(t, "tun0", &a), -EADDRNOTAVAIL);
	assert_int_equal(nr_iface_get_addr6(t, "tun0", &a), -EADDRNOTAVAIL);
	assert_int_equal(nr_iface_get_addr4(t, "nope", &a), -ENODEV);
	assert_int_equal(nr_iface_get_addr6(t, "nope", &a), -ENODEV);
	assert_int_equal(nr_iface_get_hwaddr(t, "nope", &ll), -ENODEV);
	assert_memory_equal(&a, &keep, sizeof(a));
	assert_int_equal(nr_iface_get_hwaddr(t, "tun0", &ll), 0);
	assert_int_equal(ll.len, 0);

	/* Only a deprecated global left: it is the answer. */
	add_addr(t, 3, "fe80::b/64", NR_SCOPE_LINK, 0);
	add_addr(t, 3, "2001:db8::b/64", NR_SCOPE_UNIVERSE, NR_IFA_F_TENTATIVE);
	assert_int_equal(nr_iface_get_addr6(t, "tun0", &a), -EADDRNOTAVAIL);
	add_addr(t, 3, "2001:db8::c/64", NR_SCOPE_UNIVERSE, NR_IFA_F_DEPRECATED);
	assert_int_equal(nr_iface_get_addr6(t, "tun0", &a), 0);
	assert_string_equal(nr_addr_format(&a, buf, sizeof(buf)), "2001:db8::c");
	nr_iface_table_free(t);
}

static void test_names(void **state)
{
	static const char *const iff[] = {
		"UP",        "BROADCAST", "DEBUG",     "LOOPBACK", "POINTOPOINT",
		"NOTRAILERS", "RUNNING",  "NOARP",     "PROMISC",  "ALLMULTI",
		"MASTER",    "SLAVE",     "MULTICAST", "PORTSEL",  "AUTOMEDIA",
		"DYNAMIC",   "LOWER_UP",  "DORMANT",   "ECHO",
	};
	char buf[8];

	(void)state;
	/* IFF_* values from linux/if.h, spelled as `ip link` prints them. */
	for (unsigned i = 0; i < 19; i++)
		assert_string_equal(nr_iff_name(1u << i), iff[i]);
	assert_string_equal(nr_iff_name(0x10000), "LOWER_UP");
	assert_string_equal(nr_iff_name(0x1000), "MULTICAST");
	assert_null(nr_iff_name(1u << 19));
	assert_null(nr_iff_name(0));
	assert_null(nr_iff_name(0x3)); /* one bit at a time */

	assert_string_equal(nr_ifa_flag_name(NR_IFA_F_SECONDARY), "secondary");
	assert_string_equal(nr_ifa_flag_name(NR_IFA_F_NODAD), "nodad");
	assert_string_equal(nr_ifa_flag_name(NR_IFA_F_OPTIMISTIC), "optimistic");
	assert_string_equal(nr_ifa_flag_name(NR_IFA_F_DADFAILED), "dadfailed");
	assert_string_equal(nr_ifa_flag_name(NR_IFA_F_HOMEADDRESS), "home");
	assert_string_equal(nr_ifa_flag_name(NR_IFA_F_DEPRECATED), "deprecated");
	assert_string_equal(nr_ifa_flag_name(NR_IFA_F_TENTATIVE), "tentative");
	assert_string_equal(nr_ifa_flag_name(NR_IFA_F_PERMANENT), "permanent");
	assert_string_equal(nr_ifa_flag_name(NR_IFA_F_MANAGETEMPADDR), "mngtmpaddr");
	assert_string_equal(nr_ifa_flag_name(NR_IFA_F_NOPREFIXROUTE), "noprefixroute");
	assert_string_equal(nr_ifa_flag_name(NR_IFA_F_MCAUTOJOIN), "autojoin");
	assert_string_equal(nr_ifa_flag_name(NR_IFA_F_STABLE_PRIVACY), "stable-privacy");
	assert_null(nr_ifa_flag_name(0x1000));
	assert_null(nr_ifa_flag_name(0));
	assert_string_equal(nr_ifa_flag_name_af(AF_INET6, NR_IFA_F_TEMPORARY), "temporary");
	assert_string_equal(nr_ifa_flag_name_af(AF_INET, NR_IFA_F_SECONDARY), "secondary");
	assert_string_equal(nr_ifa_flag_name_af(AF_INET6, NR_IFA_F_NODAD), "nodad");

	assert_string_equal(nr_scope_name(NR_SCOPE_UNIVERSE, buf, sizeof(buf)), "global");
	assert_string_equal(nr_scope_name(NR_SCOPE_SITE, buf, sizeof(buf)), "site");
	assert_string_equal(nr_scope_name(NR_SCOPE_LINK, buf, sizeof(buf)), "link");
	assert_string_equal(nr_scope_name(NR_SCOPE_HOST, buf, sizeof(buf)), "host");
	assert_string_equal(nr_scope_name(NR_SCOPE_NOWHERE, buf, sizeof(buf)), "nowhere");
	assert_string_equal(nr_scope_name(100, buf, sizeof(buf)), "100");
	assert_ptr_equal(nr_scope_name(7, buf, sizeof(buf)), buf);
	assert_null(nr_scope_name(7, NULL, 0));

	assert_string_equal(nr_operstate_name(NR_OPER_UNKNOWN), "UNKNOWN");
	assert_string_equal(nr_operstate_name(NR_OPER_NOTPRESENT), "NOTPRESENT");
	assert_string_equal(nr_operstate_name(NR_OPER_DOWN), "DOWN");
	assert_string_equal(nr_operstate_name(NR_OPER_LOWERLAYERDOWN), "LOWERLAYERDOWN");
	assert_string_equal(nr_operstate_name(NR_OPER_TESTING), "TESTING");
	assert_string_equal(nr_operstate_name(NR_OPER_DORMANT), "DORMANT");
	assert_string_equal(nr_operstate_name(NR_OPER_UP), "UP");
	assert_null(nr_operstate_name(7));
}

/* ---- scale and a randomized oracle ------------------------------------ */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % n);
}

#define NIF 10000
#define SLOTS 12000

/* What the oracle knows of slot i: present, its name and its two addresses. */
struct oracle {
	bool present[SLOTS + 1];
	unsigned gen[SLOTS + 1];
};

static void oracle_name(char *buf, size_t cap, int index, unsigned gen)
{
	snprintf(buf, cap, "v%d.%u", index, gen % 100);
}

static void oracle_addr(struct nr_addr *a, int index, int which)
{
	if (which == 0) {
		/* 198.51.100.0/24 is too small for 12k hosts; any 10.x works
		 * here: nothing leaves this process. */
		nr_addr_set_v4(a, 0x0a000000u | (uint32_t)index);
	} else {
		uint8_t b[16] = {0x20, 0x01, 0x0d, 0xb8};

		b[14] = (uint8_t)(index >> 8);
		b[15] = (uint8_t)index;
		nr_addr_set_v6(a, b);
	}
}

static void check_against_oracle(const struct nr_iface_table *t, const struct oracle *o)
{
	size_t n = 0, pos = 0;
	char name[NR_IFNAMSIZ];

	for (int i = 1; i <= SLOTS; i++) {
		const struct nr_iface *p = nr_iface_by_index(t, i);
		struct nr_addr a;

		oracle_name(name, sizeof(name), i, o->gen[i]);
		oracle_addr(&a, i, (int)(o->gen[i] & 1));
		if (!o->present[i]) {
			assert_null(p);
			assert_null(nr_iface_by_addr(t, &a, NULL));
			continue;
		}
		n++;
		assert_non_null(p);
		assert_ptr_equal(nr_iface_at(t, pos++), p);
		assert_ptr_equal(nr_iface_by_name(t, name), p);
		assert_ptr_equal(nr_iface_by_addr(t, &a, NULL), p);
	}
	assert_int_equal(nr_iface_count(t), n);
}

static void test_scale_random(void **state)
{
	struct nr_iface_table *t = nr_iface_table_new();
	static struct oracle o;
	struct nr_iface ifc;
	struct nr_ifaddr a;

	(void)state;
	memset(&o, 0, sizeof(o));
	/* 10k interfaces, in scrambled index order, one address each. */
	for (int k = 0; k < NIF; k++) {
		int i = (int)((uint32_t)k * 7919u % SLOTS) + 1;
		char name[NR_IFNAMSIZ];

		oracle_name(name, sizeof(name), i, 0);
		mk_iface(&ifc, i, name);
		assert_int_equal(nr_iface_add(t, &ifc), 0);
		memset(&a, 0, sizeof(a));
		oracle_addr(&a.local.addr, i, 0);
		a.local.len = 32;
		assert_int_equal(nr_iface_addr_add(t, i, &a), 0);
		o.present[i] = true;
	}
	check_against_oracle(t, &o);

	/* Random deletes, re-adds under a new name and address, renames. */
	for (int step = 0; step < 30000; step++) {
		int i = (int)rnd(SLOTS) + 1;
		char name[NR_IFNAMSIZ];

		if (o.present[i] && rnd(2)) {
			assert_int_equal(nr_iface_del(t, i), 0);
			o.present[i] = false;
			continue;
		}
		if (o.present[i]) {
			/* rename only: addresses stay */
			struct nr_prefix old;

			oracle_addr(&old.addr, i, (int)(o.gen[i] & 1));
			old.len = (o.gen[i] & 1) ? 128 : 32;
			assert_int_equal(nr_iface_addr_del(t, i, &old), 0);
			o.gen[i] += 2;
			oracle_name(name, sizeof(name), i, o.gen[i]);
			mk_iface(&ifc, i, name);
			assert_int_equal(nr_iface_add(t, &ifc), 0);
			memset(&a, 0, sizeof(a));
			a.local.addr = old.addr;
			a.local.len = old.len;
			assert_int_equal(nr_iface_addr_add(t, i, &a), 0);
			continue;
		}
		o.gen[i]++;
		oracle_name(name, sizeof(name), i, o.gen[i]);
		mk_iface(&ifc, i, name);
		assert_int_equal(nr_iface_add(t, &ifc), 0);
		memset(&a, 0, sizeof(a));
		oracle_addr(&a.local.addr, i, (int)(o.gen[i] & 1));
		a.local.len = (o.gen[i] & 1) ? 128 : 32;
		assert_int_equal(nr_iface_addr_add(t, i, &a), 0);
		o.present[i] = true;
	}
	check_against_oracle(t, &o);
	nr_iface_table_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_order_lookup),
		cmocka_unit_test(test_add_errors_and_replace),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_shared_address),
		cmocka_unit_test(test_scapy_helpers),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_scale_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
