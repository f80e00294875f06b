/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * iproute2-like strings -> route, rule and neighbour values. The words and
 * defaults are iproute2's (ip/iproute.c, ip/iprule.c, ip/ipneigh.c); what
 * the kernel would refuse anyway (a gateway on a blackhole route, an IPv4
 * gateway on an IPv6 route, host bits in a destination) is refused here,
 * where the error can still point at the word.
 */
#include "topo/iproute_parse.h"
#include "topo/schema.h"

#include "netrig/iface.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WORDS 1024
#define WORD_MAX 128

struct words {
	const char *s;
	size_t n, i;
	size_t off[MAX_WORDS], len[MAX_WORDS];
	char cur[WORD_MAX]; /* copy of the word last taken */
	struct nr_ipp_err *err;
	const struct nr_ipp_ctx *ctx;
};

static int fail(struct words *w, size_t off, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(struct words *w, size_t off, const char *fmt, ...)
{
	va_list ap;

	w->err->off = off;
	va_start(ap, fmt);
	vsnprintf(w->err->msg, sizeof(w->err->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int split(struct words *w, const char *s)
{
	size_t i = 0;

	w->s = s;
	w->n = 0;
	w->i = 0;
	while (s[i]) {
		size_t start;

		while (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
			i++;
		if (!s[i])
			break;
		start = i;
		while (s[i] && s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			i++;
		if (w->n == MAX_WORDS)
			return fail(w, start, "more than %d words", MAX_WORDS);
		if (i - start >= WORD_MAX)
			return fail(w, start, "word longer than %d characters", WORD_MAX - 1);
		w->off[w->n] = start;
		w->len[w->n++] = i - start;
	}
	return 0;
}

static bool more(const struct words *w)
{
	return w->i < w->n;
}

/* Offset of the word last taken (or of the end, when none was). */
static size_t here(const struct words *w)
{
	if (w->i == 0)
		return 0;
	return w->off[w->i - 1];
}

static const char *peek(struct words *w)
{
	if (!more(w))
		return NULL;
	memcpy(w->cur, w->s + w->off[w->i], w->len[w->i]);
	w->cur[w->len[w->i]] = '\0';
	return w->cur;
}

static const char *take(struct words *w)
{
	const char *t = peek(w);

	if (t)
		w->i++;
	return t;
}

/* The argument of keyword kw, or an error at kw. */
static int arg(struct words *w, const char *kw, const char **ret)
{
	size_t at = here(w);
	const char *t = take(w);

	if (!t)
		return fail(w, at, "'%s' needs a value", kw);
	*ret = t;
	return 0;
}

static int parse_u32(struct words *w, const char *kw, const char *t, uint64_t min, uint64_t max,
		     uint64_t *ret)
{
	unsigned long long v;
	char *end;

	if (t[0] < '0' || t[0] > '9')
		return fail(w, here(w), "%s: '%s' is not a number", kw, t);
	errno = 0;
	v = strtoull(t, &end, 0);
	if (*end || errno)
		return fail(w, here(w), "%s: '%s' is not a number", kw, t);
	if (v < min || v > max)
		return fail(w, here(w), "%s: %s is out of range (%llu to %llu)", kw, t,
			    (unsigned long long)min, (unsigned long long)max);
	*ret = v;
	return 0;
}

const char *nr_ipp_ifname_problem(const char *name)
{
	size_t n = strlen(name);

	if (n == 0)
		return "is empty";
	if (n >= NR_IFNAMSIZ)
		return "is longer than 15 characters";
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return "is not a valid interface name";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c == '/' || c == ':' || c <= ' ' || c == 0x7f)
			return "contains '/', ':', a space or a control character";
		if (c == '%')
			return "contains '%' (templates cannot be referred to)";
	}
	return NULL;
}

static int dev_word(struct words *w, const char *kw, char out[NR_IFNAMSIZ])
{
	const char *t = NULL, *why;
	int rc = arg(w, kw, &t);

	if (rc < 0)
		return rc;
	why = nr_ipp_ifname_problem(t);
	if (why)
		return fail(w, here(w), "interface name '%s' %s", t, why);
	if (w->ctx && w->ctx->has_dev && !w->ctx->has_dev(w->ctx->arg, t))
		return fail(w, here(w), "node '%s' has no interface '%s'",
			    w->ctx->node ? w->ctx->node : "?", t);
	memcpy(out, t, strlen(t) + 1);
	return 0;
}

static const char *fam_name(int f)
{
	return f == AF_INET6 ? "IPv6" : "IPv4";
}

int nr_ipp_prefix(const char *s, int family, bool host_bits, struct nr_prefix *ret,
		  struct nr_ipp_err *err)
{
	char a[NR_ADDR_STRLEN], buf[NR_PREFIX_STRLEN];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	struct nr_prefix p = {0};
	unsigned long len;
	unsigned bits;
	char *end;

	err->off = 0;
	if (n >= sizeof(a) || (memcpy(a, s, n), a[n] = '\0', nr_addr_parse(a, AF_UNSPEC, &p.addr) < 0)) {
		snprintf(err->msg, sizeof(err->msg), "'%.*s' is not an IPv4 or IPv6 address",
			 (int)(n > 60 ? 60 : n), s);
		return -EINVAL;
	}
	if (family != AF_UNSPEC && p.addr.family != family) {
		snprintf(err->msg, sizeof(err->msg), "%s address where %s is expected",
			 fam_name(p.addr.family), fam_name(family));
		return -EINVAL;
	}
	bits = nr_addr_bits(p.addr.family);
	len = bits;
	if (slash) {
		errno = 0;
		len = strtoul(slash + 1, &end, 10);
		if (slash[1] < '0' || slash[1] > '9' || *end || errno || len > bits) {
			err->off = n + 1;
			snprintf(err->msg, sizeof(err->msg),
				 "bad prefix length '%.8s' (0 to %u for %s)", slash + 1, bits,
				 fam_name(p.addr.family));
			return -EINVAL;
		}
	}
	p.len = (uint8_t)len;
	if (!host_bits) {
		struct nr_addr m = p.addr;

		nr_addr_mask(&m, p.len);
		if (!nr_addr_eq(&m, &p.addr)) {
			struct nr_prefix q = {.addr = m, .len = p.len};

			snprintf(err->msg, sizeof(err->msg), "host bits set in %s (did you mean %s?)",
				 s, nr_prefix_format(&q, buf, sizeof(buf)));
			return -EINVAL;
		}
	}
	*ret = p;
	return 0;
}

/* A prefix word of the string; err offsets shifted to the word's. */
static int prefix_word(struct words *w, const char *t, int family, struct nr_prefix *ret)
{
	int rc = nr_ipp_prefix(t, family, false, ret, w->err);

	if (rc < 0)
		w->err->off += here(w);
	return rc;
}

/* Tracks the family a string commits to, so a mismatch points at its word. */
struct fam {
	int f;
	const char *why;  /* what set it: "destination", "-6", "via" ... */
	const char *noun; /* "route", "rule" */
};

static int fam_set(struct words *w, struct fam *fm, int f, const char *what)
{
	if (fm->f == AF_UNSPEC) {
		fm->f = f;
		fm->why = what;
		return 0;
	}
	if (fm->f != f)
	{
		char why[48];

		if (strcmp(fm->why, "destination") == 0)
			snprintf(why, sizeof(why), "its destination is %s", fam_name(fm->f));
		else if (fm->why[0] == '-')
			snprintf(why, sizeof(why), "'%s' was given", fm->why);
		else
			snprintf(why, sizeof(why), "its '%s' is %s", fm->why, fam_name(fm->f));
		return fail(w, here(w), "%s address for '%s' in an %s %s (%s)", fam_name(f), what,
			    fam_name(fm->f), fm->noun, why);
	}
	return 0;
}

static int addr_word(struct words *w, const char *kw, struct fam *fm, struct nr_addr *ret)
{
	const char *t = NULL;
	int rc = arg(w, kw, &t);

	if (rc < 0)
		return rc;
	if (nr_addr_parse(t, AF_UNSPEC, ret) < 0)
		return fail(w, here(w), "%s: '%s' is not an IPv4 or IPv6 address", kw, t);
	return fm ? fam_set(w, fm, ret->family, kw) : 0;
}

static int once(struct words *w, bool *seen, const char *kw)
{
	if (*seen)
		return fail(w, here(w), "'%s' given twice", kw);
	*seen = true;
	return 0;
}

static int unknown(struct words *w, const char *t, const char *what, const char *const *words)
{
	const char *hint = nr_schema_suggest(t, words);

	if (hint)
		return fail(w, here(w), "unknown word '%s' in %s (did you mean '%s'?)", t, what, hint);
	return fail(w, here(w), "unknown word '%s' in %s", t, what);
}

static int lookup_name(const char *t, const char *const *names, const uint8_t *vals, uint8_t *ret)
{
	for (size_t i = 0; names[i]; i++) {
		if (strcmp(t, names[i]) == 0) {
			*ret = vals[i];
			return 0;
		}
	}
	return -ENOENT;
}

static int table_word(struct words *w, const char *kw, uint32_t *ret)
{
	const char *t = NULL;
	uint64_t v;
	int rc = arg(w, kw, &t);

	if (rc < 0)
		return rc;
	if (strcmp(t, "main") == 0)
		*ret = NR_TABLE_MAIN;
	else if (strcmp(t, "local") == 0)
		*ret = NR_TABLE_LOCAL;
	else if (strcmp(t, "default") == 0)
		*ret = NR_TABLE_DEFAULT;
	else if (t[0] < '0' || t[0] > '9')
		return fail(w, here(w), "%s: '%s' is not a table (main, local, default or 1 to 4294967295)",
			    kw, t);
	else if ((rc = parse_u32(w, kw, t, 1, UINT32_MAX, &v)) < 0)
		return rc;
	else
		*ret = (uint32_t)v;
	return 0;
}

static int u32_word(struct words *w, const char *kw, uint64_t min, uint64_t max, uint64_t *ret)
{
	const char *t = NULL;
	int rc = arg(w, kw, &t);

	return rc < 0 ? rc : parse_u32(w, kw, t, min, max, ret);
}

/* "N" or "N-M" */
static int range_word(struct words *w, const char *kw, uint64_t max, uint64_t *lo, uint64_t *hi)
{
	char a[WORD_MAX], *dash;
	const char *t = NULL;
	int rc = arg(w, kw, &t);

	if (rc < 0)
		return rc;
	snprintf(a, sizeof(a), "%s", t);
	dash = strchr(a, '-');
	if (dash)
		*dash = '\0';
	rc = parse_u32(w, kw, a, 0, max, lo);
	if (rc < 0)
		return rc;
	*hi = *lo;
	if (dash) {
		rc = parse_u32(w, kw, dash + 1, 0, max, hi);
		if (rc < 0)
			return rc;
		if (*hi < *lo)
			return fail(w, here(w), "%s: range %s ends before it starts", kw, t);
	}
	return 0;
}

/* --- routes --- */

static const char *const rtype_words[] = {"unicast",     "local",    "broadcast", "multicast",
					   "anycast",     "blackhole", "unreachable", "prohibit",
					   "throw",       NULL};
static const uint8_t rtype_vals[] = {NR_RTN_UNICAST,   NR_RTN_LOCAL,       NR_RTN_BROADCAST,
				     NR_RTN_MULTICAST, NR_RTN_ANYCAST,     NR_RTN_BLACKHOLE,
				     NR_RTN_UNREACHABLE, NR_RTN_PROHIBIT,  NR_RTN_THROW};
static const char *const scope_words[] = {"universe", "global", "site", "link", "host", "nowhere", NULL};
static const uint8_t scope_vals[] = {NR_SCOPE_UNIVERSE, NR_SCOPE_UNIVERSE, NR_SCOPE_SITE,
				     NR_SCOPE_LINK,     NR_SCOPE_HOST,     NR_SCOPE_NOWHERE};
static const char *const proto_words[] = {"redirect", "kernel", "boot", "static", "gated", "ra",
					  "mrt", "zebra", "bird", "dhcp", "keepalived", "babel",
					  "bgp", "isis", "ospf", "rip", "eigrp", NULL};
static const uint8_t proto_vals[] = {1, 2, 3, 4, 8, 9, 10, 11, 12, 16, 18, 42, 186, 187, 188, 189, 192};
static const char *const route_words[] = {"via", "dev", "table", "metric", "priority", "preference",
					  "src", "tos", "dsfield", "scope", "proto", "protocol",
					  "onlink", "mtu", "pref", "nexthop", NULL};
static const char *const nh_words[] = {"via", "dev", "weight", "onlink", "nexthop", NULL};

static bool is_reject(uint8_t type)
{
	return type == NR_RTN_BLACKHOLE || type == NR_RTN_UNREACHABLE || type == NR_RTN_PROHIBIT ||
	       type == NR_RTN_THROW;
}

static int byte_word(struct words *w, const char *kw, const char *const *names, const uint8_t *vals,
		     uint8_t *ret)
{
	const char *t = NULL;
	uint64_t v;
	int rc = arg(w, kw, &t);

	if (rc < 0)
		return rc;
	if (lookup_name(t, names, vals, ret) == 0)
		return 0;
	if (t[0] < '0' || t[0] > '9') {
		const char *hint = nr_schema_suggest(t, names);

		if (hint)
			return fail(w, here(w), "%s: unknown value '%s' (did you mean '%s'?)", kw, t,
				    hint);
		return fail(w, here(w), "%s: unknown value '%s'", kw, t);
	}
	rc = parse_u32(w, kw, t, 0, 255, &v);
	if (rc < 0)
		return rc;
	*ret = (uint8_t)v;
	return 0;
}

static int parse_nexthops(struct words *w, struct fam *fm, struct nr_topo_nexthop *nh, size_t *ret_n)
{
	size_t n = 0;
	int rc;

	while (more(w)) {
		const char *t = take(w);
		struct nr_topo_nexthop *h;
		bool via = false, dev = false, weight = false, onlink = false;
		size_t start = here(w);

		if (strcmp(t, "nexthop") != 0)
			return unknown(w, t, "a route (after 'nexthop' only nexthops may follow)", nh_words);
		if (n == NR_ROUTE_MAX_NH)
			return fail(w, here(w), "more than %d nexthops", NR_ROUTE_MAX_NH);
		h = &nh[n];
		memset(h, 0, sizeof(*h));
		h->weight = 1;
		while ((t = peek(w)) && strcmp(t, "nexthop") != 0) {
			uint64_t v;

			take(w);
			if (strcmp(t, "via") == 0) {
				if ((rc = once(w, &via, "via")) < 0 ||
				    (rc = addr_word(w, "via", fm, &h->gw)) < 0)
					return rc;
			} else if (strcmp(t, "dev") == 0) {
				if ((rc = once(w, &dev, "dev")) < 0 || (rc = dev_word(w, "dev", h->dev)) < 0)
					return rc;
			} else if (strcmp(t, "weight") == 0) {
				if ((rc = once(w, &weight, "weight")) < 0 ||
				    (rc = u32_word(w, "weight", 1, 256, &v)) < 0)
					return rc;
				h->weight = (uint16_t)v;
			} else if (strcmp(t, "onlink") == 0) {
				if ((rc = once(w, &onlink, "onlink")) < 0)
					return rc;
				h->onlink = true;
			} else {
				return unknown(w, t, "a nexthop", nh_words);
			}
		}
		if (!via && !dev)
			return fail(w, start, "a nexthop needs 'via' or 'dev'");
		n++;
	}
	if (n == 0)
		return fail(w, here(w), "'nexthop' needs 'via' or 'dev'");
	*ret_n = n;
	return 0;
}

int nr_ipp_route(const char *s, const struct nr_ipp_ctx *ctx, struct nr_topo_route *ret,
		 struct nr_ipp_err *err)
{
	struct words *w = calloc(1, sizeof(*w));
	struct nr_topo_nexthop *nh = calloc(NR_ROUTE_MAX_NH, sizeof(*nh));
	struct nr_route r = {0};
	struct fam fm = {AF_UNSPEC, NULL, "route"};
	bool seen[16] = {0}, have_dst_default = false, gw = false, table_set = false, scope_set = false;
	size_t nnh = 0, dst_at = 0, first_nh_at = SIZE_MAX, onlink_at = 0;
	const char *t = NULL;
	int rc;

	if (!w || !nh) {
		rc = -ENOMEM;
		goto out;
	}
	w->err = err;
	w->ctx = ctx;
	rc = split(w, s);
	if (rc < 0)
		goto out;
	r.type = NR_RTN_UNICAST;
	r.protocol = 3; /* RTPROT_BOOT, as `ip route add` */
	r.table = NR_TABLE_MAIN;
	nh[0].weight = 1;
	t = peek(w);
	if (t && (strcmp(t, "-4") == 0 || strcmp(t, "-6") == 0)) {
		take(w);
		fm.f = t[1] == '6' ? AF_INET6 : AF_INET;
		fm.why = t[1] == '6' ? "-6" : "-4";
	}
	t = peek(w);
	if (t && lookup_name(t, rtype_words, rtype_vals, &r.type) == 0)
		take(w);
	t = take(w);
	if (!t) {
		rc = fail(w, here(w), "a route needs a destination (a prefix or 'default')");
		goto out;
	}
	dst_at = here(w);
	if (strcmp(t, "default") == 0 || strcmp(t, "all") == 0) {
		have_dst_default = true;
	} else if ((rc = prefix_word(w, t, AF_UNSPEC, &r.dst)) < 0) {
		goto out;
	} else if ((rc = fam_set(w, &fm, r.dst.addr.family, "destination")) < 0) {
		goto out;
	}
	while (more(w)) {
		uint64_t v;

		t = peek(w);
		if ((strcmp(t, "via") == 0 || strcmp(t, "dev") == 0 || strcmp(t, "nexthop") == 0) &&
		    first_nh_at == SIZE_MAX)
			first_nh_at = w->off[w->i];
		if (strcmp(t, "nexthop") == 0) {
			if (seen[0] || seen[1]) {
				rc = fail(w, w->off[w->i],
					  "'nexthop' cannot follow a route's own 'via' or 'dev'");
				goto out;
			}
			rc = parse_nexthops(w, &fm, nh, &nnh);
			if (rc < 0)
				goto out;
			break;
		}
		take(w);
		if (strcmp(t, "via") == 0) {
			if ((rc = once(w, &seen[0], t)) < 0 || (rc = addr_word(w, "via", &fm, &nh[0].gw)) < 0)
				goto out;
			gw = true;
		} else if (strcmp(t, "dev") == 0) {
			if ((rc = once(w, &seen[1], t)) < 0 || (rc = dev_word(w, "dev", nh[0].dev)) < 0)
				goto out;
		} else if (strcmp(t, "table") == 0) {
			if ((rc = once(w, &seen[2], t)) < 0 || (rc = table_word(w, "table", &r.table)) < 0)
				goto out;
			table_set = true;
		} else if (strcmp(t, "metric") == 0 || strcmp(t, "priority") == 0 ||
			   strcmp(t, "preference") == 0) {
			char kw[WORD_MAX];

			snprintf(kw, sizeof(kw), "%s", t);
			if ((rc = once(w, &seen[3], "metric")) < 0 ||
			    (rc = u32_word(w, kw, 0, UINT32_MAX, &v)) < 0)
				goto out;
			r.metric = (uint32_t)v;
		} else if (strcmp(t, "src") == 0) {
			if ((rc = once(w, &seen[4], t)) < 0 || (rc = addr_word(w, "src", &fm, &r.prefsrc)) < 0)
				goto out;
		} else if (strcmp(t, "tos") == 0 || strcmp(t, "dsfield") == 0) {
			if ((rc = once(w, &seen[5], "tos")) < 0 || (rc = u32_word(w, "tos", 0, 255, &v)) < 0)
				goto out;
			r.tos = (uint8_t)v;
		} else if (strcmp(t, "scope") == 0) {
			if ((rc = once(w, &seen[6], t)) < 0 ||
			    (rc = byte_word(w, "scope", scope_words, scope_vals, &r.scope)) < 0)
				goto out;
			scope_set = true;
		} else if (strcmp(t, "proto") == 0 || strcmp(t, "protocol") == 0) {
			if ((rc = once(w, &seen[7], "proto")) < 0 ||
			    (rc = byte_word(w, "proto", proto_words, proto_vals, &r.protocol)) < 0)
				goto out;
		} else if (strcmp(t, "onlink") == 0) {
			if ((rc = once(w, &seen[8], t)) < 0)
				goto out;
			nh[0].onlink = true;
			onlink_at = here(w);
		} else if (strcmp(t, "mtu") == 0) {
			if ((rc = once(w, &seen[9], t)) < 0 || (rc = u32_word(w, "mtu", 68, 65535, &v)) < 0)
				goto out;
			r.mtu = (uint32_t)v;
		} else if (strcmp(t, "pref") == 0) {
			static const char *const prefs[] = {"low", "medium", "high", NULL};
			static const uint8_t pv[] = {NR_RT_PREF_LOW, NR_RT_PREF_MEDIUM, NR_RT_PREF_HIGH};

			if ((rc = once(w, &seen[10], t)) < 0 ||
			    (rc = byte_word(w, "pref", prefs, pv, &r.pref)) < 0)
				goto out;
			if ((rc = fam_set(w, &fm, AF_INET6, "pref")) < 0)
				goto out;
		} else {
			rc = unknown(w, t, "a route", route_words);
			goto out;
		}
	}
	if (fm.f == AF_UNSPEC)
		fm.f = AF_INET; /* as iproute2: "default dev eth0" is IPv4 unless -6 */
	r.family = (uint8_t)fm.f;
	if (have_dst_default) {
		r.dst.addr.family = r.family;
		r.dst.len = 0;
	}
	if (is_reject(r.type)) {
		if (seen[0] || seen[1] || nnh) {
			rc = fail(w, first_nh_at, "a %s route takes no 'via', 'dev' or 'nexthop'",
				  nr_rtype_name(r.type));
			goto out;
		}
	} else if (nnh == 0) {
		if (!seen[0] && !seen[1]) {
			rc = fail(w, dst_at, "a %s route needs 'via', 'dev' or 'nexthop'",
				  nr_rtype_name(r.type));
			goto out;
		}
		nnh = 1;
	}
	if (seen[8] && !gw) {
		rc = fail(w, onlink_at, "'onlink' needs a gateway ('via')");
		goto out;
	}
	for (size_t i = 0; i < nnh; i++)
		gw = gw || nh[i].gw.family != AF_UNSPEC;
	/* iproute2's defaults (ip/iproute.c, iproute_modify) */
	if (!table_set && (r.type == NR_RTN_LOCAL || r.type == NR_RTN_BROADCAST ||
			   r.type == NR_RTN_ANYCAST))
		r.table = NR_TABLE_LOCAL;
	if (!scope_set) {
		if (r.family == AF_INET6)
			r.scope = NR_SCOPE_UNIVERSE;
		else if (r.type == NR_RTN_LOCAL)
			r.scope = NR_SCOPE_HOST;
		else if (r.type == NR_RTN_BROADCAST || r.type == NR_RTN_MULTICAST ||
			 r.type == NR_RTN_ANYCAST)
			r.scope = NR_SCOPE_LINK;
		else if (r.type == NR_RTN_UNICAST && !gw)
			r.scope = NR_SCOPE_LINK;
	}
	if (nnh == 0) {
		free(nh);
		nh = NULL;
	}
	ret->r = r;
	ret->nh = nh;
	ret->nnh = nnh;
	nh = NULL;
	rc = 0;
out:
	free(nh);
	free(w);
	return rc;
}

/* --- rules --- */

static const char *const rule_words[] = {"not", "from", "to", "tos", "dsfield", "fwmark", "iif",
					 "oif", "ipproto", "sport", "dport", "uidrange", "priority",
					 "pref", "preference", "order", "lookup", "table", "goto",
					 "nop", "blackhole", "unreachable", "prohibit",
					 "suppress_prefixlength", "suppress_ifgroup", NULL};

static int rule_prefix(struct words *w, const char *kw, struct fam *fm, struct nr_prefix *p)
{
	const char *t = NULL;
	int rc = arg(w, kw, &t);

	if (rc < 0)
		return rc;
	if (strcmp(t, "all") == 0) {
		memset(p, 0, sizeof(*p));
		return 0;
	}
	rc = prefix_word(w, t, AF_UNSPEC, p);
	return rc < 0 ? rc : fam_set(w, fm, p->addr.family, kw);
}

static int set_action(struct words *w, struct nr_rule *r, uint8_t action)
{
	if (r->action != NR_FR_ACT_UNSPEC)
		return fail(w, here(w), "a rule has one action; '%s' comes after '%s'",
			    nr_rule_action_name(action), nr_rule_action_name(r->action));
	r->action = action;
	return 0;
}

int nr_ipp_rule(const char *s, const struct nr_ipp_ctx *ctx, struct nr_topo_rule *ret,
		struct nr_ipp_err *err)
{
	static const char *const protos[] = {"icmp", "tcp", "udp", "sctp", "ipv6-icmp", "icmpv6", NULL};
	static const uint8_t pvals[] = {1, 6, 17, 132, 58, 58};
	struct words *w = calloc(1, sizeof(*w));
	struct nr_rule r = {0};
	struct fam fm = {AF_UNSPEC, NULL, "rule"};
	bool seen[32] = {0}, has_priority = false;
	size_t goto_at = 0;
	const char *t = NULL;
	int rc;

	if (!w)
		return -ENOMEM;
	w->err = err;
	w->ctx = ctx;
	rc = split(w, s);
	if (rc < 0)
		goto out;
	r.suppress_prefixlen = -1;
	r.suppress_ifgroup = -1;
	r.protocol = 3; /* boot, as `ip rule add` */
	t = peek(w);
	if (t && (strcmp(t, "-4") == 0 || strcmp(t, "-6") == 0)) {
		take(w);
		fm.f = t[1] == '6' ? AF_INET6 : AF_INET;
		fm.why = t[1] == '6' ? "-6" : "-4";
	}
	while ((t = take(w))) {
		uint64_t v = 0, hi = 0;
		char kw[WORD_MAX];
		size_t k;

		/* t points into a buffer the next word overwrites: keep the keyword */
		snprintf(kw, sizeof(kw), "%s", t);
		t = kw;
		for (k = 0; rule_words[k] && strcmp(rule_words[k], t) != 0; k++)
			;
		if (!rule_words[k]) {
			rc = unknown(w, t, "a rule", rule_words);
			goto out;
		}
		/* aliases share one "given twice" slot */
		if (strcmp(t, "dsfield") == 0)
			k = 3;
		else if (strcmp(t, "pref") == 0 || strcmp(t, "preference") == 0 || strcmp(t, "order") == 0)
			k = 12;
		else if (strcmp(t, "table") == 0)
			k = 16;
		if ((rc = once(w, &seen[k], t)) < 0)
			goto out;
		switch (k) {
		case 0:
			r.flags |= NR_FIB_RULE_INVERT;
			break;
		case 1:
			rc = rule_prefix(w, "from", &fm, &r.from);
			break;
		case 2:
			rc = rule_prefix(w, "to", &fm, &r.to);
			break;
		case 3:
			rc = u32_word(w, "tos", 0, 255, &v);
			r.tos = (uint8_t)v;
			break;
		case 5: {
			char a[WORD_MAX], *slash;
			const char *m = NULL;

			if ((rc = arg(w, "fwmark", &m)) < 0)
				goto out;
			snprintf(a, sizeof(a), "%s", m);
			slash = strchr(a, '/');
			if (slash)
				*slash = '\0';
			if ((rc = parse_u32(w, "fwmark", a, 0, UINT32_MAX, &v)) < 0)
				goto out;
			r.fwmark = (uint32_t)v;
			r.fwmask = UINT32_MAX;
			if (slash) {
				if ((rc = parse_u32(w, "fwmark mask", slash + 1, 0, UINT32_MAX, &v)) < 0)
					goto out;
				r.fwmask = (uint32_t)v;
			}
			break;
		}
		case 6:
			rc = dev_word(w, "iif", r.iifname);
			break;
		case 7:
			rc = dev_word(w, "oif", r.oifname);
			break;
		case 8:
			rc = byte_word(w, "ipproto", protos, pvals, &r.ip_proto);
			break;
		case 9:
		case 10:
			if ((rc = range_word(w, t, 65535, &v, &hi)) < 0)
				goto out;
			if (k == 9) {
				r.sport_lo = (uint16_t)v;
				r.sport_hi = (uint16_t)hi;
			} else {
				r.dport_lo = (uint16_t)v;
				r.dport_hi = (uint16_t)hi;
			}
			break;
		case 11:
			if ((rc = range_word(w, t, UINT32_MAX, &v, &hi)) < 0)
				goto out;
			r.uid_lo = (uint32_t)v;
			r.uid_hi = (uint32_t)hi;
			r.has_uid_range = true;
			break;
		case 12:
			rc = u32_word(w, t, 0, UINT32_MAX, &v);
			r.priority = (uint32_t)v;
			has_priority = true;
			break;
		case 16:
			if ((rc = set_action(w, &r, NR_FR_ACT_TO_TBL)) < 0)
				goto out;
			rc = table_word(w, t, &r.table);
			break;
		case 18:
			if ((rc = set_action(w, &r, NR_FR_ACT_GOTO)) < 0)
				goto out;
			goto_at = here(w);
			rc = u32_word(w, "goto", 0, UINT32_MAX, &v);
			r.goto_target = (uint32_t)v;
			break;
		case 19:
			rc = set_action(w, &r, NR_FR_ACT_NOP);
			break;
		case 20:
			rc = set_action(w, &r, NR_FR_ACT_BLACKHOLE);
			break;
		case 21:
			rc = set_action(w, &r, NR_FR_ACT_UNREACHABLE);
			break;
		case 22:
			rc = set_action(w, &r, NR_FR_ACT_PROHIBIT);
			break;
		case 23:
			rc = u32_word(w, t, 0, 128, &v);
			r.suppress_prefixlen = (int32_t)v;
			break;
		case 24:
			rc = u32_word(w, t, 0, INT32_MAX, &v);
			r.suppress_ifgroup = (int32_t)v;
			break;
		default:
			break;
		}
		if (rc < 0)
			goto out;
	}
	if (r.action == NR_FR_ACT_UNSPEC) {
		rc = fail(w, 0, "a rule needs an action: lookup TABLE, goto PRIORITY, nop, blackhole, "
			  "unreachable or prohibit");
		goto out;
	}
	if (r.action == NR_FR_ACT_GOTO && has_priority && r.goto_target <= r.priority) {
		rc = fail(w, goto_at, "'goto %u' must jump forward, past the rule's priority %u",
			  r.goto_target, r.priority);
		goto out;
	}
	r.family = (uint8_t)(fm.f == AF_UNSPEC ? AF_INET : fm.f);
	if (r.from.addr.family == AF_UNSPEC)
		r.from.addr.family = r.family;
	if (r.to.addr.family == AF_UNSPEC)
		r.to.addr.family = r.family;
	ret->r = r;
	ret->has_priority = has_priority;
	rc = 0;
out:
	free(w);
	return rc;
}

/* --- neighbours --- */

int nr_ipp_neigh(const char *s, const struct nr_ipp_ctx *ctx, struct nr_topo_neigh *ret,
		 struct nr_ipp_err *err)
{
	static const char *const words_[] = {"lladdr", "dev", "nud", "router", NULL};
	static const char *const nuds[] = {"permanent", "noarp", "reachable", "stale", NULL};
	static const uint16_t nud_vals[] = {0x80, 0x40, 0x02, 0x04};
	struct words *w = calloc(1, sizeof(*w));
	struct nr_topo_neigh n = {0};
	bool seen[4] = {0};
	size_t router_at = 0;
	const char *t = NULL;
	int rc;

	if (!w)
		return -ENOMEM;
	w->err = err;
	w->ctx = ctx;
	rc = split(w, s);
	if (rc < 0)
		goto out;
	n.state = 0x80;
	t = take(w);
	if (!t) {
		rc = fail(w, 0, "a neighbour needs an address, 'lladdr' and 'dev'");
		goto out;
	}
	if (nr_addr_parse(t, AF_UNSPEC, &n.addr) < 0) {
		rc = fail(w, here(w), "'%s' is not an IPv4 or IPv6 address", t);
		goto out;
	}
	while ((t = take(w))) {
		size_t k;

		for (k = 0; words_[k] && strcmp(words_[k], t) != 0; k++)
			;
		if (!words_[k]) {
			rc = unknown(w, t, "a neighbour", words_);
			goto out;
		}
		if ((rc = once(w, &seen[k], t)) < 0)
			goto out;
		if (k == 0) {
			const char *m = NULL;

			if ((rc = arg(w, "lladdr", &m)) < 0)
				goto out;
			/* every link kind here is Ethernet-like (tun takes no neighbours) */
			if (nr_lladdr_parse(m, &n.lladdr) < 0 || n.lladdr.len != 6) {
				rc = fail(w, here(w), "lladdr: '%s' is not a MAC address (02:00:00:00:00:09)",
					  m);
				goto out;
			}
		} else if (k == 1) {
			if ((rc = dev_word(w, "dev", n.dev)) < 0)
				goto out;
		} else if (k == 2) {
			const char *m = NULL;
			size_t j;

			if ((rc = arg(w, "nud", &m)) < 0)
				goto out;
			for (j = 0; nuds[j] && strcmp(nuds[j], m) != 0; j++)
				;
			if (!nuds[j]) {
				rc = fail(w, here(w),
					  "nud: unknown state '%s' (expected permanent, noarp, reachable, stale)",
					  m);
				goto out;
			}
			n.state = nud_vals[j];
		} else {
			n.router = true;
			router_at = here(w);
		}
	}
	if (!seen[0] || !seen[1]) {
		rc = fail(w, 0, "a neighbour needs %s", !seen[0] ? "'lladdr'" : "'dev'");
		goto out;
	}
	if (n.router && n.addr.family != AF_INET6) {
		rc = fail(w, router_at, "'router' applies to IPv6 neighbours only");
		goto out;
	}
	n.node = ret->node;
	n.pos = ret->pos;
	*ret = n;
	rc = 0;
out:
	free(w);
	return rc;
}
