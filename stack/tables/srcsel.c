/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Source-address selection, the kernel's way (see srcsel.h for the rules and
 * where they come from). Pure functions of the interface table.
 */
#include "netrig/srcsel.h"

#include <errno.h>
#include <string.h>

/* ---- IPv4 ------------------------------------------------------------- */

/*
 * inet_ifa_match(): the subnet is taken from IFA_ADDRESS, which is the peer
 * on a point-to-point address, under the local prefix length.
 */
static uint32_t v4_word(const struct nr_addr *a)
{
	const uint8_t *b = a->bytes;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* dst is AF_INET. One masked word compare: this runs on every IPv4 lookup. */
static bool ifa4_match(const struct nr_ifaddr *a, const struct nr_addr *dst)
{
	const struct nr_addr *net = a->peer.family == AF_INET ? &a->peer : &a->local.addr;
	unsigned len = a->local.len > 32 ? 32 : a->local.len;
	uint32_t mask = (uint32_t)(UINT64_MAX << (32 - len));

	if (net->family != AF_INET)
		return false;
	return ((v4_word(net) ^ v4_word(dst)) & mask) == 0;
}

static int srcsel4_walk(const struct nr_iface_table *t, int ifindex, const struct nr_addr *dst,
			uint8_t scope, struct nr_addr *ret, const char **ret_reason)
{
	const struct nr_ifaddr *first = NULL;
	const struct nr_iface *ifc;
	bool have_dst = false;

	if (dst && dst->family != AF_UNSPEC) {
		if (dst->family != AF_INET)
			return -EINVAL;
		have_dst = v4_word(dst) != 0;
	}
	ifc = nr_iface_by_index(t, ifindex);
	if (!ifc)
		return -ENODEV;

	for (size_t i = 0; i < ifc->naddrs; i++) {
		const struct nr_ifaddr *a = &ifc->addrs[i];
		/* min(ifa_scope, RT_SCOPE_HOST) with route_localnet off. */
		uint8_t s = a->scope < NR_SCOPE_HOST ? a->scope : NR_SCOPE_HOST;

		if (a->local.addr.family != AF_INET || (a->flags & NR_IFA_F_SECONDARY) || s > scope)
			continue;
		if (have_dst && ifa4_match(a, dst)) {
			*ret = a->local.addr;
			if (ret_reason)
				*ret_reason = "same-subnet";
			return 0;
		}
		if (!have_dst) {
			/* The kernel's !dst: the first suitable address. */
			*ret = a->local.addr;
			if (ret_reason)
				*ret_reason = "first-primary";
			return 0;
		}
		if (!first)
			first = a;
	}
	if (first) {
		*ret = first->local.addr;
		if (ret_reason)
			*ret_reason = "first-primary";
		return 0;
	}

	/* in_dev_select_addr() over every device, lo first: link-scope
	 * addresses are never borrowed from another device. */
	for (size_t d = 0; d < nr_iface_count(t); d++) {
		const struct nr_iface *o = nr_iface_at(t, d);

		for (size_t i = 0; i < o->naddrs; i++) {
			const struct nr_ifaddr *a = &o->addrs[i];

			if (a->local.addr.family != AF_INET || (a->flags & NR_IFA_F_SECONDARY))
				continue;
			if (a->scope != NR_SCOPE_LINK && a->scope <= scope) {
				*ret = a->local.addr;
				if (ret_reason)
					*ret_reason = "other-device";
				return 0;
			}
		}
	}
	return -EADDRNOTAVAIL;
}

/*
 * Answers per thread (lookups take a const table, and several threads may
 * look up at once), direct-mapped. Under one interface table generation
 * the answer is a function of the device, the gateway (0 for on-link
 * routes, so a table has few) and the scope; a generation is unique
 * across tables, so an entry is never taken for another table's. It
 * saves the device search and the address walk, most of the source
 * choice in an IPv4 lookup.
 */
#define SEL4_CACHE_SLOTS 64

struct sel4_cache_entry {
	uint64_t gen; /* 0: empty */
	int ifindex;
	uint32_t dst;
	uint8_t scope;
	int err;
	struct nr_addr src;
	const char *reason;
	char reason16[16]; /* reason, zero-padded (see nr_srcsel4_word) */
};

static _Thread_local struct sel4_cache_entry sel4_cache[SEL4_CACHE_SLOTS];

/*
 * A cache miss: walk and fill e. Out of line and cold, so that the hit
 * path below saves no registers for it.
 */
static __attribute__((noinline, cold)) void sel4_fill(struct sel4_cache_entry *e,
						      const struct nr_iface_table *t,
						      uint64_t gen, int ifindex, uint32_t d,
						      const struct nr_addr *dst, bool from_word,
						      uint8_t scope)
{
	struct nr_addr src, dw;
	const char *reason = NULL;
	size_t len;

	if (from_word) {
		nr_addr_set_v4(&dw, d);
		dst = &dw;
	}
	memset(&src, 0, sizeof(src));
	e->err = srcsel4_walk(t, ifindex, dst, scope, &src, &reason);
	e->gen = gen;
	e->ifindex = ifindex;
	e->dst = d;
	e->scope = scope;
	e->src = src;
	e->reason = reason;
	memset(e->reason16, 0, sizeof(e->reason16));
	if (reason) {
		len = strlen(reason);
		memcpy(e->reason16, reason, len < sizeof(e->reason16) ? len : sizeof(e->reason16) - 1);
	}
}

/*
 * The entry answering (t, ifindex, d, scope). dst is d as the caller gave
 * it (NULL: none), or with from_word the walk is given d as an address.
 * Inline in both callers: it is most of a cache hit.
 */
static inline __attribute__((always_inline)) const struct sel4_cache_entry *
sel4_entry(const struct nr_iface_table *t, int ifindex, uint32_t d, const struct nr_addr *dst,
	   bool from_word, uint8_t scope)
{
	struct sel4_cache_entry *e;
	uint64_t gen = nr_iface_generation(t);
	uint32_t h = (d ^ (d >> 15) ^ (uint32_t)ifindex * 0x9e3779b1u ^ (uint32_t)scope << 7) *
		     0x85ebca6bu;

	_Static_assert(SEL4_CACHE_SLOTS == 64, "the slot is the hash's top 6 bits");
	e = &sel4_cache[h >> 26];
	if (e->gen != gen || e->ifindex != ifindex || e->dst != d || e->scope != scope)
		sel4_fill(e, t, gen, ifindex, d, dst, from_word, scope);
	return e;
}

int nr_srcsel4(const struct nr_iface_table *t, int ifindex, const struct nr_addr *dst, uint8_t scope,
	       struct nr_addr *ret, const char **ret_reason)
{
	const struct sel4_cache_entry *e;
	uint32_t d = 0;

	if (dst && dst->family != AF_UNSPEC) {
		if (dst->family != AF_INET)
			return -EINVAL;
		d = v4_word(dst);
	}
	if (!t)
		return srcsel4_walk(t, ifindex, dst, scope, ret, ret_reason);
	e = sel4_entry(t, ifindex, d, dst, false, scope);
	if (e->err)
		return e->err;
	*ret = e->src;
	if (ret_reason)
		*ret_reason = e->reason;
	return 0;
}

int nr_srcsel4_word(const struct nr_iface_table *t, int ifindex, uint32_t dst, uint8_t scope,
		    uint32_t *ret_src, const char **ret_reason16)
{
	const struct sel4_cache_entry *e;

	if (!t)
		return -ENODEV;
	e = sel4_entry(t, ifindex, dst, NULL, true, scope);
	if (e->err)
		return e->err;
	*ret_src = v4_word(&e->src);
	*ret_reason16 = e->reason16;
	return 0;
}

/* ---- IPv6 address types, scopes, labels ------------------------------- */

static uint32_t be32_at(const struct nr_addr *a, unsigned word)
{
	const uint8_t *b = &a->bytes[word * 4];

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

#define SCOPE_TYPE(s) ((s) << 16)

int nr_ipv6_addr_type(const struct nr_addr *a)
{
	uint32_t w0;

	if (!a || a->family != AF_INET6)
		return NR_IPV6_ADDR_ANY;
	w0 = be32_at(a, 0);

	/* Anything not starting 000 or 111 is global unicast. */
	if ((w0 & 0xe0000000u) != 0 && (w0 & 0xe0000000u) != 0xe0000000u)
		return NR_IPV6_ADDR_UNICAST | SCOPE_TYPE(NR_IPV6_SCOPE_GLOBAL);

	if ((w0 & 0xff000000u) == 0xff000000u) {
		int scope = a->bytes[1] & 0x0f;
		int type = NR_IPV6_ADDR_MULTICAST | SCOPE_TYPE(scope);

		/* ipv6_addr_scope2type(): three scopes also carry a type bit. */
		if (scope == NR_IPV6_SCOPE_NODELOCAL)
			type |= NR_IPV6_ADDR_LOOPBACK;
		else if (scope == NR_IPV6_SCOPE_LINKLOCAL)
			type |= NR_IPV6_ADDR_LINKLOCAL;
		else if (scope == NR_IPV6_SCOPE_SITELOCAL)
			type |= NR_IPV6_ADDR_SITELOCAL;
		return type;
	}
	if ((w0 & 0xffc00000u) == 0xfe800000u)
		return NR_IPV6_ADDR_LINKLOCAL | NR_IPV6_ADDR_UNICAST |
		       SCOPE_TYPE(NR_IPV6_SCOPE_LINKLOCAL);
	if ((w0 & 0xffc00000u) == 0xfec00000u)
		return NR_IPV6_ADDR_SITELOCAL | NR_IPV6_ADDR_UNICAST |
		       SCOPE_TYPE(NR_IPV6_SCOPE_SITELOCAL);
	if ((w0 & 0xfe000000u) == 0xfc000000u) /* ULA: global, RFC 4193 */
		return NR_IPV6_ADDR_UNICAST | SCOPE_TYPE(NR_IPV6_SCOPE_GLOBAL);

	if ((w0 | be32_at(a, 1)) == 0) {
		uint32_t w2 = be32_at(a, 2), w3 = be32_at(a, 3);

		if (w2 == 0) {
			if (w3 == 0)
				return NR_IPV6_ADDR_ANY;
			if (w3 == 1) /* RFC 6724 3.4: loopback is link-local */
				return NR_IPV6_ADDR_LOOPBACK | NR_IPV6_ADDR_UNICAST |
				       SCOPE_TYPE(NR_IPV6_SCOPE_LINKLOCAL);
			return NR_IPV6_ADDR_COMPATv4 | NR_IPV6_ADDR_UNICAST |
			       SCOPE_TYPE(NR_IPV6_SCOPE_GLOBAL);
		}
		if (w2 == 0x0000ffffu) /* the kernel leaves UNICAST off here */
			return NR_IPV6_ADDR_MAPPED | SCOPE_TYPE(NR_IPV6_SCOPE_GLOBAL);
	}
	return NR_IPV6_ADDR_UNICAST | SCOPE_TYPE(NR_IPV6_SCOPE_GLOBAL);
}

int nr_ipv6_addr_src_scope(int type)
{
	return type == NR_IPV6_ADDR_ANY ? NR_IPV6_SCOPE_INVALID : type >> 16;
}

int nr_ipv6_addr_scope(const struct nr_addr *a)
{
	return nr_ipv6_addr_src_scope(nr_ipv6_addr_type(a));
}

struct label_entry {
	uint8_t prefix[16];
	uint8_t len;
	int addrtype; /* must equal the address's MAPPED|COMPATv4|LOOPBACK bits when set */
	uint32_t label;
};

/*
 * The kernel's default table in the order its insertion leaves it: longer
 * prefixes first, and for equal lengths the one added later first (::/96
 * before ::ffff:0:0/96). addrtype is what ip6addrlbl_alloc derives: ::/96
 * has type ANY, so it carries no type restriction.
 */
static const struct label_entry label_table[] = {
	{{[15] = 1}, 128, NR_IPV6_ADDR_LOOPBACK, 0},
	{{0}, 96, 0, 3},
	{{[10] = 0xff, [11] = 0xff}, 96, NR_IPV6_ADDR_MAPPED, 4},
	{{0x20, 0x01}, 32, 0, 6},
	{{0x20, 0x01, 0x00, 0x10}, 28, 0, 7},
	{{0x20, 0x02}, 16, 0, 2},
	{{0x3f, 0xfe}, 16, 0, 12},
	{{0xfe, 0xc0}, 10, 0, 11},
	{{0xfc}, 7, 0, 5},
	{{0}, 0, 0, 1},
};

/* Leading bits two IPv6 addresses share, a word at a time. */
static unsigned common_bits6(const struct nr_addr *a, const struct nr_addr *b)
{
	for (unsigned i = 0; i < 4; i++) {
		uint32_t x = be32_at(a, i) ^ be32_at(b, i);

		if (x)
			return 32 * i + (unsigned)__builtin_clz(x);
	}
	return 128;
}

/* Do the first len bits of a equal prefix's? Bytes compared in place. */
static bool bytes_prefix(const uint8_t *a, const uint8_t *prefix, unsigned len)
{
	unsigned whole = len / 8, rest = len % 8;

	if (memcmp(a, prefix, whole) != 0)
		return false;
	return !rest || ((a[whole] ^ prefix[whole]) & (0xff00u >> rest) & 0xffu) == 0;
}

/* Asked for every candidate of every IPv6 selection: no copies, no nr_prefix. */
static uint32_t label_of(const struct nr_addr *a, int type)
{
	type &= NR_IPV6_ADDR_MAPPED | NR_IPV6_ADDR_COMPATv4 | NR_IPV6_ADDR_LOOPBACK;
	if (a->family != AF_INET6)
		return NR_IPV6_ADDR_LABEL_DEFAULT;
	for (size_t i = 0; i < sizeof(label_table) / sizeof(label_table[0]); i++) {
		const struct label_entry *e = &label_table[i];

		if (e->addrtype && e->addrtype != type)
			continue;
		if (bytes_prefix(a->bytes, e->prefix, e->len))
			return e->label;
	}
	return NR_IPV6_ADDR_LABEL_DEFAULT;
}

uint32_t nr_ipv6_addr_label(const struct nr_addr *a)
{
	if (!a || a->family != AF_INET6)
		return NR_IPV6_ADDR_LABEL_DEFAULT;
	return label_of(a, nr_ipv6_addr_type(a));
}

/* ipv6_addr_orchid(): 2001:10::/28. */
static bool is_orchid(const struct nr_addr *a)
{
	return (be32_at(a, 0) & 0xfffffff0u) == 0x20010010u;
}

/* ---- IPv6 selection --------------------------------------------------- */

void nr_srcsel6_opts_default(struct nr_srcsel6_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->rule_not_optimistic = true;
}

enum {
	R_INIT,
	R_LOCAL,
	R_SCOPE,
	R_PREFERRED,
	R_HOA,
	R_OIF,
	R_LABEL,
	R_PRIVACY,
	R_ORCHID,
	R_PREFIX,
	R_NOT_OPTIMISTIC,
	R_MAX,
};

static const char *const rule_names[R_MAX] = {
	[R_INIT] = "rule 0 (only candidate)",
	[R_LOCAL] = "rule 1 (same address)",
	[R_SCOPE] = "rule 2 (scope)",
	[R_PREFERRED] = "rule 3 (avoid deprecated)",
	[R_HOA] = "rule 4 (home address)",
	[R_OIF] = "rule 5 (outgoing interface)",
	[R_LABEL] = "rule 6 (matching label)",
	[R_PRIVACY] = "rule 7 (privacy)",
	[R_ORCHID] = "rule 8- (orchid)",
	[R_PREFIX] = "rule 8 (longest match)",
	[R_NOT_OPTIMISTIC] = "rule 8+ (not optimistic)",
};

struct sel_dst {
	const struct nr_addr *addr;
	int ifindex;
	int scope;
	uint32_t label;
	bool orchid;
	const struct nr_srcsel6_opts *o;
};

/* A candidate's value for every rule; larger is better on each. */
static void score(const struct sel_dst *d, const struct nr_ifaddr *a, int ifindex, int type,
		  int v[R_MAX])
{
	uint32_t avoid = NR_IFA_F_DEPRECATED;
	int s = nr_ipv6_addr_src_scope(type);
	unsigned match;

	v[R_INIT] = 1;
	v[R_LOCAL] = nr_addr_eq(&a->local.addr, d->addr);
	/* Smallest scope that is enough; failing that, the largest. */
	v[R_SCOPE] = s >= d->scope ? -s : s - 128;
	if (!d->o->use_optimistic)
		avoid |= NR_IFA_F_OPTIMISTIC;
	v[R_PREFERRED] =
		(type & (NR_IPV6_ADDR_MAPPED | NR_IPV6_ADDR_COMPATv4 | NR_IPV6_ADDR_LOOPBACK)) ||
		!(a->flags & avoid);
	v[R_HOA] = d->o->rule_home ? !!(a->flags & NR_IFA_F_HOMEADDRESS) : 0;
	v[R_OIF] = !d->ifindex || d->ifindex == ifindex;
	v[R_LABEL] = label_of(&a->local.addr, type) == d->label;
	v[R_PRIVACY] = !(a->flags & NR_IFA_F_TEMPORARY) ^ (d->o->use_tempaddr >= 2);
	v[R_ORCHID] = is_orchid(&a->local.addr) == d->orchid;
	match = common_bits6(&a->local.addr, d->addr);
	v[R_PREFIX] = (int)(match < a->local.len ? match : a->local.len);
	v[R_NOT_OPTIMISTIC] = d->o->rule_not_optimistic ? !(a->flags & NR_IFA_F_OPTIMISTIC) : 0;
}

struct sel_state {
	const struct nr_ifaddr *best;
	int best_v[R_MAX];
	bool second_pass;
	int closest; /* second pass: highest rule that separates a rival from best */
	size_t rivals;
	/* First pass: how many leading bits of the destination the scores
	 * depended on (see sel_cache). */
	unsigned bits;
};

/* The first rule on which two candidates differ; R_MAX when they never do. */
static int first_diff(const int a[R_MAX], const int b[R_MAX])
{
	int i;

	for (i = R_LOCAL; i < R_MAX; i++)
		if (a[i] != b[i])
			break;
	return i;
}

/*
 * __ipv6_dev_get_saddr() for one device: in the first pass keep the best
 * candidate as the kernel does (replace only when strictly better, so a
 * full tie keeps the earlier one); in the second, measure every other
 * candidate against it.
 */
static void consider_dev(const struct sel_dst *d, const struct nr_iface *ifc, struct sel_state *st)
{
	for (size_t k = 0; k < ifc->naddrs; k++) {
		const struct nr_ifaddr *a = &ifc->addrs[k];
		int v[R_MAX];
		int type, i;

		if (a->local.addr.family != AF_INET6)
			continue;
		/* Tentative is not assigned unless optimistic; a DAD failure
		 * leaves the address tentative in the kernel. */
		if ((a->flags & NR_IFA_F_TENTATIVE) && !(a->flags & NR_IFA_F_OPTIMISTIC))
			continue;
		if (a->flags & NR_IFA_F_DADFAILED)
			continue;
		type = nr_ipv6_addr_type(&a->local.addr);
		if (type == NR_IPV6_ADDR_ANY || (type & NR_IPV6_ADDR_MULTICAST))
			continue;

		score(d, a, ifc->index, type, v);
		if (!st->second_pass) {
			/*
			 * Rules 1 and 8 are the only ones that look at the
			 * destination beyond its type, scope and label, and
			 * both are fixed by the bits it shares with this
			 * address plus the next one (which differs): a
			 * destination agreeing on those has the same shared
			 * length and equals the address only if this one does.
			 */
			unsigned m = common_bits6(&a->local.addr, d->addr);
			unsigned need = m < 128 ? m + 1 : 128;

			if (need > st->bits)
				st->bits = need;
		}
		if (st->second_pass) {
			if (a == st->best)
				continue;
			i = first_diff(v, st->best_v);
			if (i > st->closest)
				st->closest = i;
			st->rivals++;
			continue;
		}
		if (!st->best) {
			st->best = a;
			memcpy(st->best_v, v, sizeof(v));
			continue;
		}
		/* The kernel stops scanning a device when rule 2 loses with a
		 * positive scope distance; that distance is never positive for
		 * a unicast candidate, so the case is left out. */
		i = first_diff(v, st->best_v);
		if (i < R_MAX && v[i] > st->best_v[i]) {
			st->best = a;
			memcpy(st->best_v, v, sizeof(v));
		}
	}
}

static void set_reason(char *reason, size_t cap, const char *text)
{
	size_t len;

	if (!reason || !cap)
		return;
	/* Not snprintf: this runs on every cached route lookup. */
	len = strlen(text);
	if (len >= cap)
		len = cap - 1;
	memcpy(reason, text, len);
	reason[len] = '\0';
}

/* R_* for the rule that decided, or one of these. */
#define WHY_TIE R_MAX
#define WHY_NONE (-1)

static const char *why_text(int why)
{
	if (why == WHY_NONE)
		return "no candidate";
	if (why == WHY_TIE)
		return "tie (first kept)";
	return rule_names[why];
}

/*
 * Answers with default options, per thread (lookups take a const table, and
 * several threads may look up at once). Under one interface table generation
 * and one output device, the answer depends on the destination only through
 * its type, scope, label and orchid bit, all fixed by its first class_bits
 * bits outside ::/32 (at most 32), and through rules 1 and 8, fixed by the
 * bits st.bits counts. So an entry holds for every destination sharing its
 * first bits bits. A generation is unique across tables, so an entry can never be
 * mistaken for another table's. A full cache replaces its most specific
 * entry, which covers the fewest destinations.
 */
#define SEL_CACHE_WAYS 8

/*
 * The leading bits of dst (outside ::/32) that fix its type, scope, label
 * and orchid bit. Outside 000 and 111 every address is global unicast
 * (3 bits), and only the label table's 2001::/32, 2001:10::/28 (also
 * orchid), 2002::/16 and 3ffe::/16 tell addresses apart: dst needs the
 * bits that put it inside one, or the bits up to where it leaves each.
 * So random destinations across 2000::/3 fall in a few wide classes
 * instead of one class per /32 (a miss per lookup in a BGP-like table).
 */
static unsigned class_bits(const struct nr_addr *dst)
{
	static const struct {
		uint32_t prefix;
		unsigned len;
	} special[] = {
		{0x20010000u, 32}, {0x20010010u, 28}, {0x20020000u, 16}, {0x3ffe0000u, 16},
	};
	uint32_t w0 = be32_at(dst, 0);
	unsigned top3 = w0 >> 29, need = 3;

	if (top3 == 0 || top3 == 7)
		return 32;
	for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++) {
		uint32_t x = w0 ^ special[i].prefix;
		unsigned c = x ? (unsigned)__builtin_clz(x) : 32;
		unsigned n = c >= special[i].len ? special[i].len : c + 1;

		if (n > need)
			need = n;
	}
	return need;
}

struct sel_cache_entry {
	uint64_t gen; /* 0: empty */
	int ifindex;
	unsigned bits;
	struct nr_addr dst;
	struct nr_addr src;
	int err;
	int why;
};

static _Thread_local struct sel_cache_entry sel_cache[SEL_CACHE_WAYS];

static const struct sel_cache_entry *cache_find(uint64_t gen, int ifindex,
						const struct nr_addr *dst)
{
	for (unsigned i = 0; i < SEL_CACHE_WAYS; i++) {
		const struct sel_cache_entry *e = &sel_cache[i];

		if (e->gen == gen && e->ifindex == ifindex &&
		    common_bits6(&e->dst, dst) >= e->bits)
			return e;
	}
	return NULL;
}

static void cache_put(uint64_t gen, int ifindex, const struct nr_addr *dst, unsigned bits,
		      const struct nr_addr *src, int err, int why)
{
	struct sel_cache_entry *victim = &sel_cache[0];

	for (unsigned i = 0; i < SEL_CACHE_WAYS; i++) {
		struct sel_cache_entry *e = &sel_cache[i];

		if (!e->gen || e->gen != gen) {
			victim = e;
			break;
		}
		if (e->bits > victim->bits)
			victim = e;
	}
	victim->gen = gen;
	victim->ifindex = ifindex;
	victim->bits = bits;
	victim->dst = *dst;
	victim->src = *src;
	victim->err = err;
	victim->why = why;
}

static void walk(const struct sel_dst *d, const struct nr_iface_table *t, const struct nr_iface *oif,
		 bool oif_only, struct sel_state *st)
{
	if (oif_only) {
		consider_dev(d, oif, st);
		return;
	}
	for (size_t i = 0; i < nr_iface_count(t); i++)
		consider_dev(d, nr_iface_at(t, i), st);
}

int nr_srcsel6_ex(const struct nr_iface_table *t, int ifindex, const struct nr_addr *dst,
		  const struct nr_srcsel6_opts *opts, struct nr_addr *ret, char *reason,
		  size_t cap)
{
	struct nr_srcsel6_opts defaults;
	const struct nr_iface *oif = NULL;
	struct sel_state st = {.best = NULL};
	struct sel_dst d;
	struct nr_addr src = {.family = AF_UNSPEC};
	uint64_t gen = 0;
	bool oif_only;
	int dst_type, why, err = 0;

	if (!dst || dst->family != AF_INET6)
		return -EINVAL;
	/* Outside ::/32 the destination's type and label need no more bits
	 * than a cache entry keeps; inside, they may need all 128. */
	if (!opts && t && be32_at(dst, 0) != 0) {
		const struct sel_cache_entry *e;

		gen = nr_iface_generation(t);
		e = cache_find(gen, ifindex, dst);
		if (e) {
			if (e->err)
				return e->err;
			*ret = e->src;
			set_reason(reason, cap, why_text(e->why));
			return 0;
		}
	}
	if (ifindex) {
		oif = nr_iface_by_index(t, ifindex);
		if (!oif)
			return -ENODEV;
	}
	if (!opts) {
		nr_srcsel6_opts_default(&defaults);
		opts = &defaults;
	}

	dst_type = nr_ipv6_addr_type(dst);
	d.addr = dst;
	d.ifindex = ifindex;
	d.scope = nr_ipv6_addr_src_scope(dst_type);
	d.label = label_of(dst, dst_type);
	d.orchid = is_orchid(dst);
	d.o = opts;

	/* RFC 6724 section 4: multicast and link-local destinations take
	 * their source from the outgoing link only. */
	oif_only = oif && ((dst_type & NR_IPV6_ADDR_MULTICAST) ||
			   d.scope <= NR_IPV6_SCOPE_LINKLOCAL || opts->use_oif_addrs_only);
	st.bits = gen ? class_bits(dst) : 32;
	walk(&d, t, oif, oif_only, &st);
	if (!st.best) {
		err = -EADDRNOTAVAIL;
		why = WHY_NONE;
	} else if ((reason && cap) || gen) {
		/* The reason is worked out when asked, or once for the cache. */
		st.second_pass = true;
		st.closest = R_INIT;
		walk(&d, t, oif, oif_only, &st);
		if (!st.rivals)
			why = R_INIT;
		else if (st.closest == R_MAX)
			why = WHY_TIE;
		else
			why = st.closest;
	} else {
		why = R_INIT; /* not reported */
	}
	if (st.best)
		src = st.best->local.addr;
	if (gen)
		cache_put(gen, ifindex, dst, st.bits, &src, err, why);
	set_reason(reason, cap, why_text(why));
	if (err)
		return err;
	*ret = src;
	return 0;
}

int nr_srcsel6(const struct nr_iface_table *t, int ifindex, const struct nr_addr *dst,
	       struct nr_addr *ret, char *reason, size_t cap)
{
	return nr_srcsel6_ex(t, ifindex, dst, NULL, ret, reason, cap);
}
