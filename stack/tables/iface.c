/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The interface table.
 *
 * Interfaces live in their own heap blocks so that the pointers handed out
 * stay put while other interfaces come and go. Three indexes point at them:
 *   - an array sorted by ifindex (binary search, and nr_iface_at() for free),
 *   - an open-addressing hash on the name,
 *   - an open-addressing multi-map from address to ifindex (the same address
 *     may sit on several interfaces: fe80::1 on every link is common).
 * Both hashes use linear probing with backward-shift deletion, so there are
 * no tombstones and a lookup stops at the first empty slot.
 */
#include "netrig/iface.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct addr_slot {
	struct nr_addr addr; /* family AF_UNSPEC marks an empty slot */
	int index;
};

struct nr_iface_table {
	struct nr_iface **by_index; /* sorted by index */
	size_t n, cap;

	struct nr_iface **names; /* hash on name; NULL = empty */
	size_t names_cap;        /* power of two */

	struct addr_slot *addrs; /* hash on address */
	size_t addrs_cap;        /* power of two */
	size_t addrs_used;

	uint64_t gen; /* see nr_iface_generation() */
};

/*
 * One counter for every table of the process, so that a generation names
 * one state of one table: a table freed and another allocated at the same
 * address cannot repeat a generation a cache saw.
 */
static _Atomic uint64_t gen_counter;

static void bump(struct nr_iface_table *t)
{
	t->gen = atomic_fetch_add_explicit(&gen_counter, 1, memory_order_relaxed) + 1;
}

/* Each interface remembers how much room its address array has. */
struct iface_box {
	struct nr_iface ifc;
	size_t addrs_cap;
};

static uint64_t fnv1a(const void *p, size_t len, uint64_t h)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < len; i++) {
		h ^= b[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

#define FNV_SEED 0xcbf29ce484222325ull

static size_t name_hash(const char *name)
{
	return (size_t)fnv1a(name, strlen(name), FNV_SEED);
}

static size_t addr_hash(const struct nr_addr *a)
{
	uint64_t h = fnv1a(&a->family, 1, FNV_SEED);

	return (size_t)fnv1a(a->bytes, nr_addr_bits(a->family) / 8, h);
}

/* Addresses compare on their family's bytes only, whatever the padding holds. */
static bool addr_same(const struct nr_addr *a, const struct nr_addr *b)
{
	return a->family == b->family &&
	       memcmp(a->bytes, b->bytes, nr_addr_bits(a->family) / 8) == 0;
}

/* ---- name hash -------------------------------------------------------- */

static size_t names_find_slot(const struct nr_iface_table *t, const char *name)
{
	size_t mask = t->names_cap - 1;
	size_t i = name_hash(name) & mask;

	while (t->names[i] && strcmp(t->names[i]->name, name) != 0)
		i = (i + 1) & mask;
	return i;
}

static int names_grow(struct nr_iface_table *t)
{
	size_t ncap = t->names_cap ? t->names_cap * 2 : 16;
	struct nr_iface **old = t->names;
	size_t ocap = t->names_cap;
	struct nr_iface **nv = calloc(ncap, sizeof(*nv));

	if (!nv)
		return -ENOMEM;
	t->names = nv;
	t->names_cap = ncap;
	for (size_t i = 0; i < ocap; i++)
		if (old[i])
			t->names[names_find_slot(t, old[i]->name)] = old[i];
	free(old);
	return 0;
}

static void names_remove(struct nr_iface_table *t, const char *name)
{
	size_t mask = t->names_cap - 1;
	size_t i = names_find_slot(t, name);

	if (!t->names[i])
		return;
	t->names[i] = NULL;
	/* Backward shift: pull later members of the cluster into the hole
	 * unless their home slot lies cyclically in (hole, j]. */
	for (size_t j = (i + 1) & mask; t->names[j]; j = (j + 1) & mask) {
		size_t home = name_hash(t->names[j]->name) & mask;

		if (((j - home) & mask) >= ((j - i) & mask)) {
			t->names[i] = t->names[j];
			t->names[j] = NULL;
			i = j;
		}
	}
}

/* ---- address multi-map ------------------------------------------------ */

static int addrs_insert(struct nr_iface_table *t, const struct nr_addr *a, int index);

static int addrs_grow(struct nr_iface_table *t)
{
	size_t ncap = t->addrs_cap ? t->addrs_cap * 2 : 32;
	struct addr_slot *old = t->addrs;
	size_t ocap = t->addrs_cap;
	struct addr_slot *nv = calloc(ncap, sizeof(*nv));

	if (!nv)
		return -ENOMEM;
	t->addrs = nv;
	t->addrs_cap = ncap;
	t->addrs_used = 0;
	for (size_t i = 0; i < ocap; i++)
		if (old[i].addr.family != AF_UNSPEC)
			(void)addrs_insert(t, &old[i].addr, old[i].index); /* room is there */
	free(old);
	return 0;
}

static int addrs_insert(struct nr_iface_table *t, const struct nr_addr *a, int index)
{
	size_t mask, i;
	int r;

	if ((t->addrs_used + 1) * 2 > t->addrs_cap) {
		r = addrs_grow(t);
		if (r < 0)
			return r;
	}
	mask = t->addrs_cap - 1;
	i = addr_hash(a) & mask;
	while (t->addrs[i].addr.family != AF_UNSPEC)
		i = (i + 1) & mask;
	t->addrs[i].addr = *a;
	t->addrs[i].index = index;
	t->addrs_used++;
	return 0;
}

static void addrs_remove(struct nr_iface_table *t, const struct nr_addr *a, int index)
{
	size_t mask, i;

	if (!t->addrs_cap)
		return;
	mask = t->addrs_cap - 1;
	for (i = addr_hash(a) & mask; t->addrs[i].addr.family != AF_UNSPEC; i = (i + 1) & mask)
		if (t->addrs[i].index == index && addr_same(&t->addrs[i].addr, a))
			break;
	if (t->addrs[i].addr.family == AF_UNSPEC)
		return;
	memset(&t->addrs[i], 0, sizeof(t->addrs[i]));
	t->addrs_used--;
	for (size_t j = (i + 1) & mask; t->addrs[j].addr.family != AF_UNSPEC; j = (j + 1) & mask) {
		size_t home = addr_hash(&t->addrs[j].addr) & mask;

		if (((j - home) & mask) >= ((j - i) & mask)) {
			t->addrs[i] = t->addrs[j];
			memset(&t->addrs[j], 0, sizeof(t->addrs[j]));
			i = j;
		}
	}
}

/* ---- the sorted index array ------------------------------------------- */

/* Position of index in by_index, or where it would go; *found says which. */
static size_t index_pos(const struct nr_iface_table *t, int index, bool *found)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->by_index[mid]->index < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < t->n && t->by_index[lo]->index == index;
	return lo;
}

static struct nr_iface *find_index(const struct nr_iface_table *t, int index)
{
	bool found;
	size_t pos;

	if (!t)
		return NULL;
	pos = index_pos(t, index, &found);
	return found ? t->by_index[pos] : NULL;
}

/* ---- public API ------------------------------------------------------- */

struct nr_iface_table *nr_iface_table_new(void)
{
	struct nr_iface_table *t = calloc(1, sizeof(struct nr_iface_table));

	if (t)
		bump(t);
	return t;
}

uint64_t nr_iface_generation(const struct nr_iface_table *t)
{
	return t ? t->gen : 0;
}

static void iface_free(struct nr_iface *ifc)
{
	if (!ifc)
		return;
	free(ifc->addrs);
	free((struct iface_box *)ifc);
}

void nr_iface_table_free(struct nr_iface_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		iface_free(t->by_index[i]);
	free(t->by_index);
	free(t->names);
	free(t->addrs);
	free(t);
}

static bool name_valid(const char *name)
{
	size_t len = strnlen(name, NR_IFNAMSIZ);

	return len > 0 && len < NR_IFNAMSIZ;
}

int nr_iface_add(struct nr_iface_table *t, const struct nr_iface *ifc)
{
	struct nr_iface *cur, *other = NULL;
	struct iface_box *box = NULL;
	bool found;
	size_t pos;
	int r;

	if (!t || !ifc || ifc->index <= 0 || !name_valid(ifc->name))
		return -EINVAL;

	if (t->names_cap) {
		other = t->names[names_find_slot(t, ifc->name)];
		if (other && other->index != ifc->index)
			return -EEXIST;
	}
	/* Keep the name hash at most half full; grow before anything changes
	 * so that a failure leaves the table as it was. */
	if ((t->n + 1) * 2 > t->names_cap) {
		r = names_grow(t);
		if (r < 0)
			return r;
	}

	pos = index_pos(t, ifc->index, &found);
	if (found) {
		/* Replace the link attributes; the addresses stay (RTM_NEWLINK
		 * does not carry them). */
		size_t naddrs;
		struct nr_ifaddr *addrs;

		cur = t->by_index[pos];
		names_remove(t, cur->name);
		naddrs = cur->naddrs;
		addrs = cur->addrs;
		*cur = *ifc;
		cur->naddrs = naddrs;
		cur->addrs = addrs;
		cur->name[NR_IFNAMSIZ - 1] = '\0';
		t->names[names_find_slot(t, cur->name)] = cur;
		bump(t);
		return 0;
	}

	if (t->n == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 16;
		struct nr_iface **nv = realloc(t->by_index, ncap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		t->by_index = nv;
		t->cap = ncap;
	}
	box = calloc(1, sizeof(*box));
	if (!box)
		return -ENOMEM;
	box->ifc = *ifc;
	box->ifc.naddrs = 0;
	box->ifc.addrs = NULL;
	box->ifc.name[NR_IFNAMSIZ - 1] = '\0';

	memmove(&t->by_index[pos + 1], &t->by_index[pos], (t->n - pos) * sizeof(t->by_index[0]));
	t->by_index[pos] = &box->ifc;
	t->n++;
	t->names[names_find_slot(t, box->ifc.name)] = &box->ifc;
	bump(t);
	return 0;
}

int nr_iface_del(struct nr_iface_table *t, int index)
{
	struct nr_iface *ifc;
	bool found;
	size_t pos;

	if (!t)
		return -EINVAL;
	pos = index_pos(t, index, &found);
	if (!found)
		return -ENODEV;
	ifc = t->by_index[pos];
	for (size_t i = 0; i < ifc->naddrs; i++)
		addrs_remove(t, &ifc->addrs[i].local.addr, index);
	names_remove(t, ifc->name);
	memmove(&t->by_index[pos], &t->by_index[pos + 1], (t->n - pos - 1) * sizeof(t->by_index[0]));
	t->n--;
	iface_free(ifc);
	bump(t);
	return 0;
}

static bool prefix_valid(const struct nr_prefix *p)
{
	return (p->addr.family == AF_INET || p->addr.family == AF_INET6) &&
	       p->len <= nr_addr_bits(p->addr.family);
}

/* Same local address and prefix length: host bits count, unlike nr_prefix_eq
 * which may be used on masked prefixes. */
static bool local_same(const struct nr_prefix *a, const struct nr_prefix *b)
{
	return a->len == b->len && addr_same(&a->addr, &b->addr);
}

int nr_iface_addr_add(struct nr_iface_table *t, int index, const struct nr_ifaddr *a)
{
	struct iface_box *box;
	struct nr_iface *ifc;
	int r;

	if (!t || !a || !prefix_valid(&a->local))
		return -EINVAL;
	ifc = find_index(t, index);
	if (!ifc)
		return -ENODEV;
	for (size_t i = 0; i < ifc->naddrs; i++)
		if (local_same(&ifc->addrs[i].local, &a->local))
			return -EEXIST;

	box = (struct iface_box *)ifc;
	if (ifc->naddrs == box->addrs_cap) {
		size_t ncap = box->addrs_cap ? box->addrs_cap * 2 : 4;
		struct nr_ifaddr *nv = realloc(ifc->addrs, ncap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		ifc->addrs = nv;
		box->addrs_cap = ncap;
	}
	r = addrs_insert(t, &a->local.addr, index);
	if (r < 0)
		return r;
	ifc->addrs[ifc->naddrs] = *a;
	ifc->addrs[ifc->naddrs].label[NR_IFNAMSIZ - 1] = '\0';
	ifc->naddrs++;
	bump(t);
	return 0;
}

int nr_iface_addr_del(struct nr_iface_table *t, int index, const struct nr_prefix *local)
{
	struct nr_iface *ifc;

	if (!t || !local)
		return -EINVAL;
	ifc = find_index(t, index);
	if (!ifc)
		return -ENODEV;
	for (size_t i = 0; i < ifc->naddrs; i++) {
		if (!local_same(&ifc->addrs[i].local, local))
			continue;
		addrs_remove(t, &local->addr, index);
		/* Keep the kernel's order for the rest. */
		memmove(&ifc->addrs[i], &ifc->addrs[i + 1],
			(ifc->naddrs - i - 1) * sizeof(ifc->addrs[0]));
		ifc->naddrs--;
		bump(t);
		return 0;
	}
	return -ENOENT;
}

size_t nr_iface_count(const struct nr_iface_table *t)
{
	return t ? t->n : 0;
}

const struct nr_iface *nr_iface_at(const struct nr_iface_table *t, size_t i)
{
	return t && i < t->n ? t->by_index[i] : NULL;
}

const struct nr_iface *nr_iface_by_index(const struct nr_iface_table *t, int index)
{
	return find_index(t, index);
}

const struct nr_iface *nr_iface_by_name(const struct nr_iface_table *t, const char *name)
{
	if (!t || !name || !t->names_cap)
		return NULL;
	return t->names[names_find_slot(t, name)];
}

const struct nr_iface *nr_iface_by_addr(const struct nr_iface_table *t, const struct nr_addr *a,
					const struct nr_ifaddr **ret_addr)
{
	const struct nr_iface *best = NULL;
	size_t mask;

	if (!t || !a || !t->addrs_cap || (a->family != AF_INET && a->family != AF_INET6))
		return NULL;
	/* Several interfaces may hold the address: answer the lowest index,
	 * so the answer does not depend on insertion history. */
	mask = t->addrs_cap - 1;
	for (size_t i = addr_hash(a) & mask; t->addrs[i].addr.family != AF_UNSPEC;
	     i = (i + 1) & mask) {
		if (!addr_same(&t->addrs[i].addr, a))
			continue;
		if (!best || t->addrs[i].index < best->index)
			best = find_index(t, t->addrs[i].index);
	}
	if (best && ret_addr) {
		for (size_t i = 0; i < best->naddrs; i++) {
			if (addr_same(&best->addrs[i].local.addr, a)) {
				*ret_addr = &best->addrs[i];
				break;
			}
		}
	}
	return best;
}

/* ---- names ------------------------------------------------------------ */

const char *nr_iff_name(uint32_t bit)
{
	/* iproute2's order and spelling (print_link_flags). */
	static const char *const names[] = {
		"UP",        "BROADCAST", "DEBUG",     "LOOPBACK", "POINTOPOINT",
		"NOTRAILERS", "RUNNING",  "NOARP",     "PROMISC",  "ALLMULTI",
		"MASTER",    "SLAVE",     "MULTICAST", "PORTSEL",  "AUTOMEDIA",
		"DYNAMIC",   "LOWER_UP",  "DORMANT",   "ECHO",
	};

	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (bit == (1u << i))
			return names[i];
	return NULL;
}

const char *nr_ifa_flag_name(uint32_t bit)
{
	return nr_ifa_flag_name_af(AF_INET, bit);
}

const char *nr_ifa_flag_name_af(int family, uint32_t bit)
{
	static const char *const names[] = {
		"secondary", "nodad",      "optimistic",    "dadfailed",
		"home",      "deprecated", "tentative",     "permanent",
		"mngtmpaddr", "noprefixroute", "autojoin", "stable-privacy",
	};

	/* Bit 0 is IFA_F_SECONDARY for IPv4 and IFA_F_TEMPORARY for IPv6. */
	if (bit == NR_IFA_F_SECONDARY && family == AF_INET6)
		return "temporary";
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (bit == (1u << i))
			return names[i];
	return NULL;
}

const char *nr_scope_name(uint8_t scope, char *buf, size_t cap)
{
	switch (scope) {
	case NR_SCOPE_UNIVERSE:
		return "global";
	case NR_SCOPE_SITE:
		return "site";
	case NR_SCOPE_LINK:
		return "link";
	case NR_SCOPE_HOST:
		return "host";
	case NR_SCOPE_NOWHERE:
		return "nowhere";
	default:
		break;
	}
	if (!buf || cap == 0)
		return NULL;
	snprintf(buf, cap, "%u", (unsigned)scope);
	return buf;
}

const char *nr_operstate_name(uint8_t operstate)
{
	static const char *const names[] = {
		"UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP",
	};

	return operstate < sizeof(names) / sizeof(names[0]) ? names[operstate] : NULL;
}

/* ---- Scapy's helpers -------------------------------------------------- */

int nr_iface_get_addr4(const struct nr_iface_table *t, const char *name, struct nr_addr *ret)
{
	const struct nr_iface *ifc = nr_iface_by_name(t, name);

	if (!ifc)
		return -ENODEV;
	for (size_t i = 0; i < ifc->naddrs; i++) {
		const struct nr_ifaddr *a = &ifc->addrs[i];

		if (a->local.addr.family == AF_INET && !(a->flags & NR_IFA_F_SECONDARY)) {
			if (ret)
				*ret = a->local.addr;
			return 0;
		}
	}
	return -EADDRNOTAVAIL;
}

int nr_iface_get_hwaddr(const struct nr_iface_table *t, const char *name, struct nr_lladdr *ret)
{
	const struct nr_iface *ifc = nr_iface_by_name(t, name);

	if (!ifc)
		return -ENODEV;
	if (ret)
		*ret = ifc->lladdr;
	return 0;
}

int nr_iface_get_addr6(const struct nr_iface_table *t, const char *name, struct nr_addr *ret)
{
	const struct nr_iface *ifc = nr_iface_by_name(t, name);
	const struct nr_ifaddr *deprecated = NULL;

	if (!ifc)
		return -ENODEV;
	for (size_t i = 0; i < ifc->naddrs; i++) {
		const struct nr_ifaddr *a = &ifc->addrs[i];

		if (a->local.addr.family != AF_INET6 || a->scope != NR_SCOPE_UNIVERSE ||
		    (a->flags & (NR_IFA_F_TENTATIVE | NR_IFA_F_DADFAILED)))
			continue;
		if (a->flags & NR_IFA_F_DEPRECATED) {
			if (!deprecated)
				deprecated = a;
			continue;
		}
		if (ret)
			*ret = a->local.addr;
		return 0;
	}
	if (!deprecated)
		return -EADDRNOTAVAIL;
	if (ret)
		*ret = deprecated->local.addr;
	return 0;
}
