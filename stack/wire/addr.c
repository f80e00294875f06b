/* SPDX-License-Identifier: BSD-2-Clause */
#include "netrig/addr.h"
#include "netrig/buf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned nr_addr_bits(int family)
{
	switch (family) {
	case AF_INET:
		return 32;
	case AF_INET6:
		return 128;
	default:
		return 0;
	}
}

void nr_addr_set_v6(struct nr_addr *a, const uint8_t bytes[16])
{
	a->family = AF_INET6;
	memcpy(a->bytes, bytes, 16);
}

bool nr_addr_is_unspec(const struct nr_addr *a)
{
	static const uint8_t zero[16];

	return a->family == AF_UNSPEC || memcmp(a->bytes, zero, 16) == 0;
}

int nr_addr_cmp(const struct nr_addr *a, const struct nr_addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->bytes, b->bytes, 16);
}

unsigned nr_addr_bit(const struct nr_addr *a, unsigned i)
{
	return ((unsigned)a->bytes[i / 8] >> (7 - i % 8)) & 1u;
}

unsigned nr_addr_common_bits(const struct nr_addr *a, const struct nr_addr *b)
{
	unsigned words = nr_addr_bits(a->family) / 32;
	unsigned n = 0;

	/* 32 bits at a time; the first differing bit is the highest set bit of the xor. */
	for (unsigned i = 0; i < words; i++) {
		uint32_t x = nr_load_be32(a->bytes + 4 * i) ^ nr_load_be32(b->bytes + 4 * i);

		if (x)
			return n + (unsigned)__builtin_clz(x);
		n += 32;
	}
	return n;
}

void nr_addr_mask(struct nr_addr *a, unsigned len)
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned keep = len > i * 8 ? len - i * 8 : 0;

		if (keep >= 8)
			continue;
		a->bytes[i] &= (uint8_t)(0xff00u >> keep);
	}
}

int nr_addr_parse(const char *s, int family, struct nr_addr *ret)
{
	struct nr_addr a = {0};

	if (!s)
		return -EINVAL;
	if ((family == AF_UNSPEC || family == AF_INET) && inet_pton(AF_INET, s, a.bytes) == 1)
		a.family = AF_INET;
	else if ((family == AF_UNSPEC || family == AF_INET6) &&
		 inet_pton(AF_INET6, s, a.bytes) == 1)
		a.family = AF_INET6;
	else
		return -EINVAL;
	*ret = a;
	return 0;
}

int nr_addr_parse_scoped(const char *s, int family, struct nr_addr *ret, char *zone,
			 size_t zone_cap)
{
	char text[NR_ADDR_STRLEN];
	const char *pct = strchr(s, '%');
	size_t n = pct ? (size_t)(pct - s) : strlen(s);
	struct nr_addr a;
	int r;

	if (n >= sizeof(text))
		return -EINVAL;
	memcpy(text, s, n);
	text[n] = '\0';
	r = nr_addr_parse(text, family, &a);
	if (r < 0)
		return r;
	if (pct) {
		/* Zones belong to IPv6 only, and must name something. */
		if (a.family != AF_INET6 || pct[1] == '\0')
			return -EINVAL;
		if (strlen(pct + 1) >= zone_cap)
			return -ENAMETOOLONG;
		strcpy(zone, pct + 1);
	} else if (zone_cap) {
		zone[0] = '\0';
	}
	*ret = a;
	return 0;
}

char *nr_addr_format(const struct nr_addr *a, char *buf, size_t cap)
{
	/* glibc's inet_ntop follows RFC 5952: lower case, longest zero run
	 * compressed, a lone zero field never compressed. */
	if ((a->family != AF_INET && a->family != AF_INET6) ||
	    !inet_ntop(a->family, a->bytes, buf, (socklen_t)cap)) {
		if (cap)
			snprintf(buf, cap, "%s", a->family == AF_UNSPEC ? "" : "?");
	}
	return buf;
}

int nr_prefix_parse(const char *s, int family, unsigned flags, struct nr_prefix *ret)
{
	char text[NR_ADDR_STRLEN];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	struct nr_prefix p = {0};
	struct nr_addr masked;
	unsigned long len;
	char *end;
	int r;

	if (n >= sizeof(text))
		return -EINVAL;
	memcpy(text, s, n);
	text[n] = '\0';
	r = nr_addr_parse(text, family, &p.addr);
	if (r < 0)
		return r;
	len = nr_addr_bits(p.addr.family);
	if (slash) {
		if (slash[1] < '0' || slash[1] > '9')
			return -EINVAL;
		errno = 0;
		len = strtoul(slash + 1, &end, 10);
		if (errno || *end || len > nr_addr_bits(p.addr.family))
			return -EINVAL;
	}
	p.len = (uint8_t)len;
	masked = p.addr;
	nr_addr_mask(&masked, p.len);
	if (flags & NR_PREFIX_PARSE_MASK)
		p.addr = masked;
	else if (!(flags & NR_PREFIX_PARSE_HOST_BITS) && !nr_addr_eq(&masked, &p.addr))
		return -EINVAL;
	*ret = p;
	return 0;
}

char *nr_prefix_format(const struct nr_prefix *p, char *buf, size_t cap)
{
	char a[NR_ADDR_STRLEN];

	snprintf(buf, cap, "%s/%u", nr_addr_format(&p->addr, a, sizeof(a)), p->len);
	return buf;
}

bool nr_prefix_contains(const struct nr_prefix *p, const struct nr_addr *a)
{
	uint32_t mask;

	if (p->addr.family != a->family)
		return false;
	if (a->family == AF_INET && p->len <= 32) {
		/* The common case on the packet path: one masked word compare. */
		mask = p->len ? ~0u << (32 - p->len) : 0;
		return ((nr_load_be32(p->addr.bytes) ^ nr_load_be32(a->bytes)) & mask) == 0;
	}
	return nr_addr_common_bits(&p->addr, a) >= p->len;
}

bool nr_prefix_eq(const struct nr_prefix *a, const struct nr_prefix *b)
{
	return a->len == b->len && nr_addr_eq(&a->addr, &b->addr);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int nr_lladdr_parse(const char *s, struct nr_lladdr *ret)
{
	struct nr_lladdr l = {0};

	for (;;) {
		int hi = hexval(s[0]), lo = hi < 0 ? -1 : hexval(s[1]);

		if (hi < 0 || lo < 0 || l.len == NR_LLADDR_MAX)
			return -EINVAL;
		l.bytes[l.len++] = (uint8_t)(hi << 4 | lo);
		s += 2;
		if (*s == '\0')
			break;
		if (*s != ':')
			return -EINVAL;
		s++;
	}
	*ret = l;
	return 0;
}

char *nr_lladdr_format(const struct nr_lladdr *l, char *buf, size_t cap)
{
	size_t off = 0;

	if (cap)
		buf[0] = '\0';
	for (unsigned i = 0; i < l->len && off + 3 <= cap; i++)
		off += (size_t)snprintf(buf + off, cap - off, i ? ":%02x" : "%02x", l->bytes[i]);
	return buf;
}

bool nr_lladdr_eq(const struct nr_lladdr *a, const struct nr_lladdr *b)
{
	return a->len == b->len && memcmp(a->bytes, b->bytes, a->len) == 0;
}
