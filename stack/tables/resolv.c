/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * resolv.conf as glibc 2.36 reads it; see netrig/resolv.h for the rules
 * and where we part from glibc. Each line is copied into a bounded,
 * NUL-terminated buffer and handled by one function per keyword; anything
 * glibc would silently skip or misread becomes a warning with its line.
 */
#include "netrig/resolv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct nr_resolv {
	struct nr_resolv_nameserver *ns;
	size_t nns, cap_ns;
	char *search[NR_RESOLV_SEARCH_MAX];
	size_t nsearch;
	bool search_is_domain;
	struct nr_resolv_sort sort[NR_RESOLV_SORTLIST_MAX];
	size_t nsort;
	struct nr_resolv_options opt;
	struct nr_resolv_warning warn[NR_RESOLV_WARNINGS_MAX];
	size_t nwarn;
	size_t warn_dropped;
};

/* One line being parsed. */
struct resolv_line {
	struct nr_resolv *r;
	unsigned no;
	int err; /* first allocation failure */
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* ------------------------------------------------------------------ */
/* Lifecycle and accessors                                            */

static void search_clear(struct nr_resolv *r)
{
	for (size_t i = 0; i < r->nsearch; i++)
		free(r->search[i]);
	r->nsearch = 0;
	r->search_is_domain = false;
}

void nr_resolv_clear(struct nr_resolv *r)
{
	if (!r)
		return;
	search_clear(r);
	free(r->ns);
	r->ns = NULL;
	r->nns = r->cap_ns = 0;
	r->nsort = 0;
	r->nwarn = 0;
	r->warn_dropped = 0;
	memset(&r->opt, 0, sizeof(r->opt));
	r->opt.ndots = NR_RESOLV_NDOTS_DEFAULT;
	r->opt.timeout = NR_RESOLV_TIMEOUT_DEFAULT;
	r->opt.attempts = NR_RESOLV_ATTEMPTS_DEFAULT;
}

struct nr_resolv *nr_resolv_new(void)
{
	struct nr_resolv *r = calloc(1, sizeof(*r));

	if (r)
		nr_resolv_clear(r);
	return r;
}

void nr_resolv_free(struct nr_resolv *r)
{
	if (!r)
		return;
	nr_resolv_clear(r);
	free(r);
}

size_t nr_resolv_nameserver_count(const struct nr_resolv *r)
{
	return r->nns;
}

const struct nr_resolv_nameserver *nr_resolv_nameserver_at(const struct nr_resolv *r, size_t i)
{
	return i < r->nns ? &r->ns[i] : NULL;
}

size_t nr_resolv_search_count(const struct nr_resolv *r)
{
	return r->nsearch;
}

const char *nr_resolv_search_at(const struct nr_resolv *r, size_t i)
{
	return i < r->nsearch ? r->search[i] : NULL;
}

bool nr_resolv_search_is_domain(const struct nr_resolv *r)
{
	return r->search_is_domain;
}

size_t nr_resolv_sortlist_count(const struct nr_resolv *r)
{
	return r->nsort;
}

const struct nr_resolv_sort *nr_resolv_sortlist_at(const struct nr_resolv *r, size_t i)
{
	return i < r->nsort ? &r->sort[i] : NULL;
}

const struct nr_resolv_options *nr_resolv_options(const struct nr_resolv *r)
{
	return &r->opt;
}

size_t nr_resolv_warning_count(const struct nr_resolv *r)
{
	return r->nwarn;
}

const struct nr_resolv_warning *nr_resolv_warning_at(const struct nr_resolv *r, size_t i)
{
	return i < r->nwarn ? &r->warn[i] : NULL;
}

size_t nr_resolv_warnings_dropped(const struct nr_resolv *r)
{
	return r->warn_dropped;
}

/* ------------------------------------------------------------------ */
/* Warnings                                                           */

__attribute__((format(printf, 4, 5))) static void warn(struct resolv_line *l,
							enum nr_resolv_warning_code code,
							bool rejected, const char *fmt, ...)
{
	struct nr_resolv_warning *w;
	va_list ap;

	if (l->r->nwarn >= NR_RESOLV_WARNINGS_MAX) {
		l->r->warn_dropped++;
		return;
	}
	w = &l->r->warn[l->r->nwarn++];
	w->line = l->no;
	w->code = (uint8_t)code;
	w->rejected = rejected;
	va_start(ap, fmt);
	vsnprintf(w->msg, sizeof(w->msg), fmt, ap);
	va_end(ap);
}

/* A printable, bounded copy of untrusted text for a message. */
static const char *shown(const char *s, char *buf, size_t cap)
{
	size_t o = 0;

	for (; *s && o + 5 < cap; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c < 0x7f) {
			buf[o++] = (char)c;
		} else {
			snprintf(buf + o, cap - o, "\\x%02x", c);
			o += 4;
		}
	}
	if (*s && o + 3 < cap) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

/* ------------------------------------------------------------------ */
/* inet_aton, exact                                                   */

/*
 * glibc's __inet_aton_exact: 1 to 4 parts, each a C integer (decimal,
 * 0-octal, 0x-hex) starting with a digit; the last part fills the
 * remaining bytes; nothing may follow.
 */
static bool aton_exact(const char *s, uint32_t *ret)
{
	uint32_t parts[4];
	size_t n = 0;
	uint64_t val;

	for (;;) {
		unsigned base = 10;

		if (*s < '0' || *s > '9')
			return false;
		if (*s == '0') {
			base = 8;
			if ((s[1] == 'x' || s[1] == 'X') &&
			    ((s[2] >= '0' && s[2] <= '9') || (s[2] >= 'a' && s[2] <= 'f') ||
			     (s[2] >= 'A' && s[2] <= 'F'))) {
				base = 16;
				s += 2;
			}
		}
		val = 0;
		for (;; s++) {
			unsigned d;

			if (*s >= '0' && *s <= '9')
				d = (unsigned)(*s - '0');
			else if (base == 16 && *s >= 'a' && *s <= 'f')
				d = (unsigned)(*s - 'a' + 10);
			else if (base == 16 && *s >= 'A' && *s <= 'F')
				d = (unsigned)(*s - 'A' + 10);
			else
				break;
			if (d >= base)
				return false; /* "08": strtoul stops, the rest is junk */
			val = val * base + d;
			if (val > 0xffffffffu)
				return false;
		}
		if (*s != '.')
			break;
		if (n == 3 || val > 0xff)
			return false;
		parts[n++] = (uint32_t)val;
		s++;
	}
	if (*s != '\0')
		return false;
	/* The last part fills the bytes the others left. */
	if ((n == 1 && val > 0xffffff) || (n == 2 && val > 0xffff) || (n == 3 && val > 0xff))
		return false;
	{
		uint32_t a = (uint32_t)val;

		for (size_t i = 0; i < n; i++)
			a |= parts[i] << (24 - 8 * i);
		*ret = a;
	}
	return true;
}

/* Parse an IPv4 address glibc-style; warn when it is not a plain dotted quad. */
static bool parse_v4(struct resolv_line *l, const char *what, const char *tok,
		     struct nr_addr *ret)
{
	char buf[NR_ADDR_STRLEN], sh[64];
	uint32_t v;

	if (!aton_exact(tok, &v))
		return false;
	nr_addr_set_v4(ret, v);
	nr_addr_format(ret, buf, sizeof(buf));
	if (strcmp(buf, tok) != 0)
		warn(l, NR_RESOLV_W_NONCANONICAL, false, "%s '%s' is read as %s (inet_aton form)",
		     what, shown(tok, sh, sizeof(sh)), buf);
	return true;
}

/* ------------------------------------------------------------------ */
/* Keywords                                                           */

static int ns_append(struct nr_resolv *r, const struct nr_resolv_nameserver *ns)
{
	if (r->nns == r->cap_ns) {
		size_t ncap = r->cap_ns ? r->cap_ns * 2 : 4;
		struct nr_resolv_nameserver *n = realloc(r->ns, ncap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		r->ns = n;
		r->cap_ns = ncap;
	}
	r->ns[r->nns] = *ns;
	r->ns[r->nns].used = r->nns < NR_RESOLV_MAXNS;
	r->nns++;
	return 0;
}

static void kw_nameserver(struct resolv_line *l, char *v)
{
	struct nr_resolv_nameserver ns;
	char sh[64];
	char *end = v + strcspn(v, " \t"), *pct;
	bool had_rest = false;

	memset(&ns, 0, sizeof(ns));
	ns.line = l->no;
	if (*end) {
		char *rest = end + strspn(end, " \t");

		had_rest = *rest != '\0';
		if (had_rest && *rest != '#' && *rest != ';')
			warn(l, NR_RESOLV_W_TRAILING, false,
			     "text after the address ignored: '%s'", shown(rest, sh, sizeof(sh)));
		*end = '\0';
	}
	if (parse_v4(l, "nameserver", v, &ns.addr))
		goto add;
	pct = strchr(v, '%');
	if (pct)
		*pct = '\0';
	if (nr_addr_parse(v, AF_INET6, &ns.addr) == 0) {
		if (pct && strchr(pct + 1, '\r')) {
			warn(l, NR_RESOLV_W_CARRIAGE_RETURN, false,
			     "zone '%s' ends in a carriage return (CRLF file?): zone dropped",
			     shown(pct + 1, sh, sizeof(sh)));
		} else if (pct && strlen(pct + 1) >= sizeof(ns.zone)) {
			warn(l, NR_RESOLV_W_ZONE, false,
			     "zone '%s' longer than %d characters: dropped (glibc uses scope 0)",
			     shown(pct + 1, sh, sizeof(sh)), NR_IFNAMSIZ - 1);
		} else if (pct) {
			strcpy(ns.zone, pct + 1);
		}
		goto add;
	}
	if (pct)
		*pct = '%';
	if (strchr(v, '\r'))
		warn(l, NR_RESOLV_W_CARRIAGE_RETURN, true,
		     "nameserver '%s' ends in a carriage return (CRLF file?): glibc ignores it",
		     shown(v, sh, sizeof(sh)));
	else
		warn(l, NR_RESOLV_W_BAD_ADDRESS, true,
		     "nameserver '%s' is not an IPv4 or IPv6 address: line ignored",
		     shown(v, sh, sizeof(sh)));
	return;
add:
	if (l->r->nns >= NR_RESOLV_MAXNS)
		warn(l, NR_RESOLV_W_UNUSED_NAMESERVER, false,
		     "nameserver %zu kept but not queried: glibc uses the first %d (MAXNS)",
		     l->r->nns + 1, NR_RESOLV_MAXNS);
	if (ns_append(l->r, &ns) < 0)
		l->err = -ENOMEM;
}

static int search_add(struct nr_resolv *r, const char *s, size_t len)
{
	char *d;

	if (r->nsearch >= NR_RESOLV_SEARCH_MAX)
		return -ENOSPC;
	d = malloc(len + 1);
	if (!d)
		return -ENOMEM;
	memcpy(d, s, len);
	d[len] = '\0';
	r->search[r->nsearch++] = d;
	return 0;
}

static void check_domain_word(struct resolv_line *l, const char *w, size_t len)
{
	char tmp[64], sh[64];
	size_t n = len < sizeof(tmp) - 1 ? len : sizeof(tmp) - 1;

	memcpy(tmp, w, n);
	tmp[n] = '\0';
	if (*w == '#' || *w == ';')
		warn(l, NR_RESOLV_W_COMMENT_IN_VALUE, false,
		     "'%s' looks like a comment but glibc uses it as a search domain",
		     shown(tmp, sh, sizeof(sh)));
	else if (memchr(w, '\r', len))
		warn(l, NR_RESOLV_W_CARRIAGE_RETURN, false,
		     "search domain '%s' contains a carriage return (CRLF file?), kept as glibc does",
		     shown(tmp, sh, sizeof(sh)));
}

static void kw_domain(struct resolv_line *l, char *v)
{
	size_t len = strcspn(v, " \t");
	char sh[64];

	if (v[len] && v[len + strspn(v + len, " \t")])
		warn(l, NR_RESOLV_W_TRAILING, false,
		     "domain takes one name: '%s' ignored",
		     shown(v + len + strspn(v + len, " \t"), sh, sizeof(sh)));
	search_clear(l->r);
	check_domain_word(l, v, len);
	if (search_add(l->r, v, len) < 0)
		l->err = -ENOMEM;
	l->r->search_is_domain = true;
}

static void kw_search(struct resolv_line *l, char *v)
{
	size_t chars = 0, total = 0;

	search_clear(l->r);
	while (*v) {
		size_t len = strcspn(v, " \t");
		int r;

		total++;
		chars += len + 1;
		check_domain_word(l, v, len);
		r = search_add(l->r, v, len);
		if (r == -ENOMEM)
			l->err = r;
		v += len;
		v += strspn(v, " \t");
	}
	if (total > NR_RESOLV_SEARCH_MAX)
		warn(l, NR_RESOLV_W_SEARCH_CAP, false,
		     "%zu search domains: only the first %d kept (netrig's limit; glibc 2.26+ has none)",
		     total, NR_RESOLV_SEARCH_MAX);
	if (total > NR_RESOLV_SEARCH_OLD_MAX || chars > NR_RESOLV_SEARCH_OLD_CHARS)
		warn(l, NR_RESOLV_W_SEARCH_OLD_LIMIT, false,
		     "search list of %zu domains, %zu characters: glibc before 2.26 used at most "
		     "%d domains and %d characters",
		     total, chars, NR_RESOLV_SEARCH_OLD_MAX, NR_RESOLV_SEARCH_OLD_CHARS);
}

/* The classful mask glibc's net_mask() gives an address without one. */
static uint32_t natural_mask(uint32_t a)
{
	if (!(a & 0x80000000u))
		return 0xff000000u;
	if ((a & 0xc0000000u) == 0x80000000u)
		return 0xffff0000u;
	return 0xffffff00u;
}

static void kw_sortlist(struct resolv_line *l, char *v)
{
	char sh[64], mbuf[NR_ADDR_STRLEN];

	/*
	 * glibc's scanner stops on such a byte without moving past it and
	 * tries again from the same place, for ever.
	 */
	for (const char *p = v; *p && *p != ';'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c >= 0x80 || c == '\r' || c == '\v' || c == '\f') {
			warn(l, NR_RESOLV_W_GLIBC_HANG, true,
			     "sortlist with byte 0x%02x at column %zu: glibc 2.36's res_init loops "
			     "for ever on this line; line ignored",
			     c, (size_t)(p - v) + 1);
			return;
		}
	}

	while (*v) {
		size_t len = strcspn(v, " \t");
		char *next = v + len, *semi, *sep;
		struct nr_resolv_sort e;
		bool last = false;

		if (*next) {
			*next = '\0';
			next++;
		}
		semi = strchr(v, ';');
		if (semi) {
			/* glibc stops the whole list at ';'. */
			*semi = '\0';
			last = true;
		}
		sep = v + strcspn(v, "/&");
		if (*v == '\0')
			break;
		{
			char s = *sep;

			*sep = '\0';
			if (!parse_v4(l, "sortlist address", v, &e.addr)) {
				warn(l, NR_RESOLV_W_BAD_ADDRESS, true,
				     "sortlist entry '%s' is not an IPv4 address: skipped",
				     shown(v, sh, sizeof(sh)));
				goto next_entry;
			}
			*sep = s;
		}
		if (*sep) {
			if (!parse_v4(l, "sortlist mask", sep + 1, &e.mask)) {
				nr_addr_set_v4(&e.mask, natural_mask(nr_addr_v4(&e.addr)));
				warn(l, NR_RESOLV_W_BAD_MASK, false,
				     "sortlist mask '%s' unreadable: classful mask %s used",
				     shown(sep + 1, sh, sizeof(sh)),
				     nr_addr_format(&e.mask, mbuf, sizeof(mbuf)));
			}
		} else {
			nr_addr_set_v4(&e.mask, natural_mask(nr_addr_v4(&e.addr)));
		}
		if (l->r->nsort >= NR_RESOLV_SORTLIST_MAX) {
			warn(l, NR_RESOLV_W_SORTLIST_FULL, true,
			     "sortlist entry '%s' past the %d glibc keeps: dropped",
			     shown(v, sh, sizeof(sh)), NR_RESOLV_SORTLIST_MAX);
		} else {
			l->r->sort[l->r->nsort++] = e;
		}
next_entry:
		if (last)
			break;
		v = next + strspn(next, " \t");
	}
}

/* ndots:/timeout:/attempts: values, as glibc's atoi + cap, with warnings. */
static void opt_number(struct resolv_line *l, const char *name, const char *s, unsigned cap,
		       unsigned *ret)
{
	char sh[64];
	unsigned long v = 0;
	const char *p = s;

	if (*p == '-') {
		warn(l, NR_RESOLV_W_OPTION_VALUE, true,
		     "%s:%s is negative: ignored (glibc would store it)", name,
		     shown(s, sh, sizeof(sh)));
		return;
	}
	for (; *p >= '0' && *p <= '9'; p++)
		if (v <= 1000000)
			v = v * 10 + (unsigned long)(*p - '0');
	if (p == s)
		warn(l, NR_RESOLV_W_OPTION_VALUE, false, "%s:%s is not a number: read as 0, as glibc",
		     name, shown(s, sh, sizeof(sh)));
	else if (*p)
		warn(l, NR_RESOLV_W_OPTION_VALUE, false, "%s:%s: text after the number ignored",
		     name, shown(s, sh, sizeof(sh)));
	if (v > cap) {
		warn(l, NR_RESOLV_W_OPTION_CAPPED, false, "%s:%lu capped to %u, as glibc", name, v,
		     cap);
		v = cap;
	}
	*ret = (unsigned)v;
}

static const struct {
	const char *name;
	uint32_t flag;
} resolv_flags[] = {
	/* glibc's order: it matters for prefixes (single-request-reopen first). */
	{"rotate", NR_RESOLV_OPT_ROTATE},
	{"edns0", NR_RESOLV_OPT_EDNS0},
	{"single-request-reopen", NR_RESOLV_OPT_SINGLE_REQUEST_REOPEN},
	{"single-request", NR_RESOLV_OPT_SINGLE_REQUEST},
	{"no_tld_query", NR_RESOLV_OPT_NO_TLD_QUERY},
	{"no-tld-query", NR_RESOLV_OPT_NO_TLD_QUERY},
	{"no-reload", NR_RESOLV_OPT_NO_RELOAD},
	{"use-vc", NR_RESOLV_OPT_USE_VC},
	{"trust-ad", NR_RESOLV_OPT_TRUST_AD},
	{"no-aaaa", NR_RESOLV_OPT_NO_AAAA},
};

/* Known to resolv.conf(5) or other resolvers, ignored by glibc 2.36. */
static const char *const resolv_ignored[] = {
	"inet6", "debug", "no-check-names", "ip6-bytestring", "ip6-dotint", "no-ip6-dotint",
	"insecure1", "insecure2",
};

static void option_word(struct resolv_line *l, char *w)
{
	struct nr_resolv_options *o = &l->r->opt;
	char sh[64];

	if (strncmp(w, "ndots:", 6) == 0) {
		opt_number(l, "ndots", w + 6, NR_RESOLV_NDOTS_MAX, &o->ndots);
		return;
	}
	if (strncmp(w, "timeout:", 8) == 0) {
		opt_number(l, "timeout", w + 8, NR_RESOLV_TIMEOUT_MAX, &o->timeout);
		return;
	}
	if (strncmp(w, "attempts:", 9) == 0) {
		opt_number(l, "attempts", w + 9, NR_RESOLV_ATTEMPTS_MAX, &o->attempts);
		return;
	}
	for (size_t i = 0; i < sizeof(resolv_flags) / sizeof(resolv_flags[0]); i++) {
		size_t n = strlen(resolv_flags[i].name);

		if (strncmp(w, resolv_flags[i].name, n) != 0)
			continue;
		o->flags |= resolv_flags[i].flag;
		if (w[n])
			warn(l, NR_RESOLV_W_OPTION_PREFIX, false,
			     "option '%s' is read as '%s' (glibc matches the prefix)",
			     shown(w, sh, sizeof(sh)), resolv_flags[i].name);
		return;
	}
	for (size_t i = 0; i < sizeof(resolv_ignored) / sizeof(resolv_ignored[0]); i++) {
		if (strcmp(w, resolv_ignored[i]) != 0)
			continue;
		if (i == 0)
			o->flags |= NR_RESOLV_OPT_INET6;
		warn(l, NR_RESOLV_W_OPTION_IGNORED, false, "option '%s' is ignored by glibc 2.36",
		     resolv_ignored[i]);
		return;
	}
	warn(l, NR_RESOLV_W_UNKNOWN_OPTION, false, "unknown option '%s' ignored",
	     shown(w, sh, sizeof(sh)));
}

static void kw_options(struct resolv_line *l, char *v)
{
	while (*v) {
		size_t len = strcspn(v, " \t");
		char *next = v + len;

		if (*next) {
			*next = '\0';
			next++;
		}
		option_word(l, v);
		v = next + strspn(next, " \t");
	}
}

static const struct {
	const char *name;
	void (*fn)(struct resolv_line *l, char *value);
} resolv_keywords[] = {
	{"nameserver", kw_nameserver}, {"domain", kw_domain},   {"search", kw_search},
	{"sortlist", kw_sortlist},     {"options", kw_options},
};

static void parse_line(struct resolv_line *l, char *s)
{
	char sh[64];
	size_t klen;

	if (*s == '#' || *s == ';')
		return;
	if (s[strspn(s, " \t\r\f\v")] == '\0')
		return; /* blank */
	if (is_blank(*s)) {
		char *w = s + strspn(s, " \t");

		if (*w != '#' && *w != ';')
			warn(l, NR_RESOLV_W_INDENTED, true,
			     "'%s' does not start the line: glibc ignores it",
			     shown(w, sh, sizeof(sh)));
		return;
	}
	klen = strcspn(s, " \t");
	for (size_t i = 0; i < sizeof(resolv_keywords) / sizeof(resolv_keywords[0]); i++) {
		const char *k = resolv_keywords[i].name;
		char *v;

		if (strlen(k) != klen || strncmp(s, k, klen) != 0)
			continue;
		v = s + klen + strspn(s + klen, " \t");
		if (*v == '\0') {
			warn(l, NR_RESOLV_W_MISSING_VALUE, true, "'%s' without a value: ignored", k);
			return;
		}
		/* Trailing blanks carry nothing: values are blank-separated words. */
		{
			size_t n = strlen(v);

			while (n && is_blank(v[n - 1]))
				v[--n] = '\0';
		}
		resolv_keywords[i].fn(l, v);
		return;
	}
	s[klen] = '\0';
	if (klen && s[klen - 1] == '\r')
		warn(l, NR_RESOLV_W_MISSING_VALUE, true,
		     "'%s' without a value (CRLF line end?): ignored", shown(s, sh, sizeof(sh)));
	else
		warn(l, NR_RESOLV_W_UNKNOWN_KEYWORD, true,
		     "unknown keyword '%s' (expected nameserver, search, domain, options, sortlist)",
		     shown(s, sh, sizeof(sh)));
}

int nr_resolv_parse(struct nr_resolv *r, const char *text, size_t len)
{
	struct resolv_line l = {.r = r};
	char *buf = NULL;
	size_t off = 0;
	int ret = 0;

	if (!r || (!text && len))
		return -EINVAL;
	nr_resolv_clear(r);
	buf = malloc(NR_RESOLV_LINE_MAX + 1);
	if (!buf) {
		ret = -ENOMEM;
		goto out;
	}
	while (off < len) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (text + off)) : len - off;
		const char *nul;

		l.no++;
		if (n > NR_RESOLV_LINE_MAX) {
			warn(&l, NR_RESOLV_W_LINE_TOO_LONG, true,
			     "line of %zu bytes, longer than %d: ignored", n, NR_RESOLV_LINE_MAX);
		} else {
			memcpy(buf, text + off, n);
			buf[n] = '\0';
			nul = memchr(buf, '\0', n);
			if (nul)
				warn(&l, NR_RESOLV_W_NUL, false,
				     "NUL byte at column %zu: the rest of the line is ignored, as glibc",
				     (size_t)(nul - buf) + 1);
			parse_line(&l, buf);
			if (l.err) {
				ret = l.err;
				goto out;
			}
		}
		off += n + (nl ? 1 : 0);
	}
out:
	free(buf);
	if (ret < 0)
		nr_resolv_clear(r);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Builders                                                           */

int nr_resolv_add_nameserver(struct nr_resolv *r, const struct nr_addr *addr, const char *zone)
{
	struct nr_resolv_nameserver ns;

	if (!r || !addr || (addr->family != AF_INET && addr->family != AF_INET6))
		return -EINVAL;
	memset(&ns, 0, sizeof(ns));
	ns.addr = *addr;
	if (zone && *zone) {
		if (addr->family != AF_INET6 || strpbrk(zone, " \t\n\r"))
			return -EINVAL;
		if (strlen(zone) >= sizeof(ns.zone))
			return -ENAMETOOLONG;
		strcpy(ns.zone, zone);
	}
	return ns_append(r, &ns);
}

int nr_resolv_add_search(struct nr_resolv *r, const char *domain)
{
	if (!r || !domain || !*domain || strpbrk(domain, " \t\n"))
		return -EINVAL;
	r->search_is_domain = false;
	return search_add(r, domain, strlen(domain));
}

/* ------------------------------------------------------------------ */
/* Printer                                                            */

struct out {
	char *buf;
	size_t cap, len;
};

__attribute__((format(printf, 2, 3))) static void out_printf(struct out *o, const char *fmt,
							      ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(o->len < o->cap ? o->buf + o->len : NULL,
		      o->len < o->cap ? o->cap - o->len : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
}

static void format_all(const struct nr_resolv *r, struct out *o)
{
	static const struct nr_resolv_options def = {
		.ndots = NR_RESOLV_NDOTS_DEFAULT,
		.timeout = NR_RESOLV_TIMEOUT_DEFAULT,
		.attempts = NR_RESOLV_ATTEMPTS_DEFAULT,
	};
	char a[NR_ADDR_STRLEN], m[NR_ADDR_STRLEN];

	for (size_t i = 0; i < r->nns; i++) {
		out_printf(o, "nameserver %s", nr_addr_format(&r->ns[i].addr, a, sizeof(a)));
		if (r->ns[i].zone[0])
			out_printf(o, "%%%s", r->ns[i].zone);
		out_printf(o, "\n");
	}
	if (r->nsearch) {
		out_printf(o, "%s", r->search_is_domain && r->nsearch == 1 ? "domain" : "search");
		for (size_t i = 0; i < r->nsearch; i++)
			out_printf(o, " %s", r->search[i]);
		out_printf(o, "\n");
	}
	if (r->nsort) {
		out_printf(o, "sortlist");
		for (size_t i = 0; i < r->nsort; i++)
			out_printf(o, " %s/%s", nr_addr_format(&r->sort[i].addr, a, sizeof(a)),
				   nr_addr_format(&r->sort[i].mask, m, sizeof(m)));
		out_printf(o, "\n");
	}
	if (memcmp(&r->opt, &def, sizeof(def)) != 0) {
		out_printf(o, "options");
		if (r->opt.ndots != def.ndots)
			out_printf(o, " ndots:%u", r->opt.ndots);
		if (r->opt.timeout != def.timeout)
			out_printf(o, " timeout:%u", r->opt.timeout);
		if (r->opt.attempts != def.attempts)
			out_printf(o, " attempts:%u", r->opt.attempts);
		for (size_t i = 0; i < sizeof(resolv_flags) / sizeof(resolv_flags[0]); i++) {
			/* no_tld_query and no-tld-query share a flag: print the dashed one. */
			if ((r->opt.flags & resolv_flags[i].flag) &&
			    strcmp(resolv_flags[i].name, "no_tld_query") != 0)
				out_printf(o, " %s", resolv_flags[i].name);
		}
		if (r->opt.flags & NR_RESOLV_OPT_INET6)
			out_printf(o, " inet6");
		out_printf(o, "\n");
	}
}

size_t nr_resolv_format_len(const struct nr_resolv *r)
{
	struct out o = {0};

	format_all(r, &o);
	return o.len;
}

int nr_resolv_format(const struct nr_resolv *r, char *buf, size_t cap)
{
	struct out o = {.buf = buf, .cap = cap};

	if (cap)
		buf[0] = '\0'; /* an empty configuration prints nothing at all */
	format_all(r, &o);
	if (o.len >= cap || o.len > (size_t)INT32_MAX)
		return -EMSGSIZE;
	return (int)o.len;
}

bool nr_resolv_equal(const struct nr_resolv *a, const struct nr_resolv *b)
{
	if (a->nns != b->nns || a->nsearch != b->nsearch || a->nsort != b->nsort ||
	    a->opt.ndots != b->opt.ndots || a->opt.timeout != b->opt.timeout ||
	    a->opt.attempts != b->opt.attempts || a->opt.flags != b->opt.flags)
		return false;
	if ((a->nsearch == 1) && a->search_is_domain != b->search_is_domain)
		return false;
	for (size_t i = 0; i < a->nns; i++)
		if (!nr_addr_eq(&a->ns[i].addr, &b->ns[i].addr) ||
		    strcmp(a->ns[i].zone, b->ns[i].zone) != 0 || a->ns[i].used != b->ns[i].used)
			return false;
	for (size_t i = 0; i < a->nsearch; i++)
		if (strcmp(a->search[i], b->search[i]) != 0)
			return false;
	for (size_t i = 0; i < a->nsort; i++)
		if (!nr_addr_eq(&a->sort[i].addr, &b->sort[i].addr) ||
		    !nr_addr_eq(&a->sort[i].mask, &b->sort[i].mask))
			return false;
	return true;
}
