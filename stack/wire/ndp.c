/* SPDX-License-Identifier: BSD-2-Clause */
/* Neighbour discovery messages and options, RFC 4861. */
#include "netrig/ndp.h"
#include "netrig/csum.h"
#include "netrig/icmp6.h"
#include "netrig/ipv6.h"

#include <errno.h>
#include <string.h>

#define OPT_UNIT 8
#define OPT_HDR 2
#define PREFIX_OPT_UNITS 4
#define MTU_OPT_UNITS 1
#define REDIRECTED_MAX (255 * OPT_UNIT - OPT_UNIT)

static bool is_unspec6(const struct nr_addr *a)
{
	static const uint8_t zero[16];

	return memcmp(a->bytes, zero, 16) == 0;
}

static bool is_multicast6(const struct nr_addr *a)
{
	return a->bytes[0] == 0xff;
}

static bool is_link_local6(const struct nr_addr *a)
{
	return a->bytes[0] == 0xfe && (a->bytes[1] & 0xc0) == 0x80;
}

void nr_ndp_solicited_node(const struct nr_addr *a, struct nr_addr *ret)
{
	uint8_t b[16] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff};

	memcpy(b + 13, a->bytes + 13, 3);
	nr_addr_set_v6(ret, b);
}

bool nr_ndp_is_solicited_node(const struct nr_addr *a)
{
	static const uint8_t pfx[13] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff};

	return a->family == AF_INET6 && memcmp(a->bytes, pfx, sizeof(pfx)) == 0;
}

static size_t fixed_len(uint8_t type)
{
	switch (type) {
	case NR_ICMP6_ROUTER_SOLICIT:
		return 8;
	case NR_ICMP6_ROUTER_ADVERT:
		return 16;
	case NR_ICMP6_NEIGHBOR_SOLICIT:
	case NR_ICMP6_NEIGHBOR_ADVERT:
		return 24;
	case NR_ICMP6_REDIRECT:
		return 40;
	default:
		return 0;
	}
}

static int get_addr6(struct nr_buf *b, struct nr_addr *ret)
{
	uint8_t a[16];
	int r = nr_buf_get_bytes(b, a, sizeof(a));

	if (r < 0)
		return r;
	nr_addr_set_v6(ret, a);
	return 0;
}

/* One option's body (after type and length): o holds exactly 8 * units - 2 bytes. */
static enum nr_wire_reason parse_opt(uint8_t type, uint8_t units, struct nr_buf *o,
				     struct nr_ndp *n)
{
	size_t body = nr_buf_remaining(o);
	int r = 0;

	switch (type) {
	case NR_NDP_OPT_SLLAO:
	case NR_NDP_OPT_TLLAO: {
		bool *has = type == NR_NDP_OPT_SLLAO ? &n->has_sllao : &n->has_tllao;
		struct nr_lladdr *ll = type == NR_NDP_OPT_SLLAO ? &n->sllao : &n->tllao;

		if (body > NR_LLADDR_MAX)
			return NR_WIRE_OPT_BAD_LEN;
		if (*has)
			return NR_WIRE_OK;
		memset(ll, 0, sizeof(*ll));
		ll->len = (uint8_t)body;
		r = nr_buf_get_bytes(o, ll->bytes, body);
		*has = true;
		break;
	}
	case NR_NDP_OPT_PREFIX: {
		struct nr_ndp_prefix *p;

		if (units != PREFIX_OPT_UNITS)
			return NR_WIRE_OPT_BAD_LEN;
		if (n->n_prefix == NR_NDP_PREFIX_MAX)
			return NR_WIRE_TOO_MANY_OPTS;
		p = &n->prefix[n->n_prefix];
		r |= nr_buf_get_u8(o, &p->len);
		r |= nr_buf_get_u8(o, &p->flags);
		r |= nr_buf_get_be32(o, &p->valid_lifetime);
		r |= nr_buf_get_be32(o, &p->preferred_lifetime);
		r |= nr_buf_skip(o, 4);
		r |= get_addr6(o, &p->prefix);
		if (r < 0)
			return NR_WIRE_OPT_TRUNCATED;
		if (p->len > 128)
			return NR_WIRE_BAD_PREFIX_LEN;
		n->n_prefix++;
		break;
	}
	case NR_NDP_OPT_REDIRECTED:
		if (n->has_redirected)
			return NR_WIRE_OK;
		r = nr_buf_skip(o, 6);
		n->has_redirected = true;
		n->redirected_len = nr_buf_remaining(o);
		n->redirected = n->redirected_len ? nr_buf_cur(o) : NULL;
		break;
	case NR_NDP_OPT_MTU:
		if (units != MTU_OPT_UNITS)
			return NR_WIRE_OPT_BAD_LEN;
		if (n->has_mtu)
			return NR_WIRE_OK;
		r |= nr_buf_skip(o, 2);
		r |= nr_buf_get_be32(o, &n->mtu);
		n->has_mtu = true;
		break;
	case NR_NDP_OPT_NONCE:
		if (body > NR_NDP_NONCE_MAX)
			return NR_WIRE_OPT_BAD_LEN;
		if (n->nonce_len)
			return NR_WIRE_OK;
		n->nonce_len = (uint8_t)body;
		r = nr_buf_get_bytes(o, n->nonce, body);
		break;
	case NR_NDP_OPT_RDNSS: {
		struct nr_ndp_rdnss *d;
		size_t count;

		/* RFC 8106 5.1: 8 bytes of header, then 16 per address, one at least. */
		if (units < 3 || units % 2 == 0)
			return NR_WIRE_OPT_BAD_LEN;
		count = ((size_t)units - 1) / 2;
		if (n->n_rdnss == NR_NDP_RDNSS_MAX || count > NR_NDP_RDNSS_ADDR_MAX)
			return NR_WIRE_TOO_MANY_OPTS;
		d = &n->rdnss[n->n_rdnss];
		memset(d, 0, sizeof(*d));
		r |= nr_buf_skip(o, 2);
		r |= nr_buf_get_be32(o, &d->lifetime);
		for (size_t i = 0; i < count && r == 0; i++)
			r |= get_addr6(o, &d->addr[i]);
		if (r < 0)
			return NR_WIRE_OPT_TRUNCATED;
		d->n_addr = (uint8_t)count;
		n->n_rdnss++;
		break;
	}
	default:
		n->n_unknown++;
		break;
	}
	/* The sizes were checked above; this only guards a slip. */
	return r < 0 ? NR_WIRE_OPT_TRUNCATED : NR_WIRE_OK;
}

/* The option walk, bounded by subtraction: each option is cut out with nr_buf_sub. */
static enum nr_wire_reason parse_opts(struct nr_buf *b, struct nr_ndp *n)
{
	while (nr_buf_remaining(b) > 0) {
		enum nr_wire_reason bad;
		uint8_t type, units;
		struct nr_buf o;

		if (nr_buf_remaining(b) < OPT_HDR)
			return NR_WIRE_OPT_TRUNCATED;
		type = nr_buf_cur(b)[0];
		units = nr_buf_cur(b)[1];
		/* RFC 4861 4.6: a zero length would loop forever; drop the packet. */
		if (units == 0)
			return NR_WIRE_OPT_ZERO_LEN;
		if (n->n_opts == NR_NDP_OPT_MAX)
			return NR_WIRE_TOO_MANY_OPTS;
		if (nr_buf_sub(b, (size_t)units * OPT_UNIT, &o) < 0)
			return NR_WIRE_OPT_TRUNCATED;
		n->n_opts++;
		(void)nr_buf_skip(&o, OPT_HDR);
		bad = parse_opt(type, units, &o, n);
		if (bad != NR_WIRE_OK)
			return bad;
	}
	return NR_WIRE_OK;
}

/* Meaning, once the syntax is known good (RFC 4861 6.1.1, 6.1.2, 7.1.1, 7.1.2, 8.1). */
static enum nr_wire_reason check_meaning(const struct nr_ndp *n, const struct nr_addr *src,
					 const struct nr_addr *dst)
{
	switch (n->type) {
	case NR_ICMP6_ROUTER_SOLICIT:
		if (is_unspec6(src) && n->has_sllao)
			return NR_WIRE_BAD_SOURCE;
		break;
	case NR_ICMP6_ROUTER_ADVERT:
		if (!is_link_local6(src))
			return NR_WIRE_BAD_SOURCE;
		break;
	case NR_ICMP6_NEIGHBOR_SOLICIT:
		if (is_multicast6(&n->target))
			return NR_WIRE_BAD_TARGET;
		if (is_unspec6(src)) {
			if (!nr_ndp_is_solicited_node(dst))
				return NR_WIRE_BAD_DEST;
			if (n->has_sllao)
				return NR_WIRE_BAD_SOURCE;
		}
		break;
	case NR_ICMP6_NEIGHBOR_ADVERT:
		if (is_multicast6(&n->target))
			return NR_WIRE_BAD_TARGET;
		if (is_multicast6(dst) && n->solicited)
			return NR_WIRE_BAD_FLAGS;
		break;
	case NR_ICMP6_REDIRECT:
		if (!is_link_local6(src))
			return NR_WIRE_BAD_SOURCE;
		if (is_multicast6(&n->dest))
			return NR_WIRE_BAD_TARGET;
		if (!is_link_local6(&n->target) && !nr_addr_eq(&n->target, &n->dest))
			return NR_WIRE_BAD_TARGET;
		break;
	default:
		break;
	}
	return NR_WIRE_OK;
}

int nr_ndp_decode(const uint8_t *data, size_t len, const struct nr_addr *src,
		  const struct nr_addr *dst, uint8_t hop_limit, struct nr_ndp *ret,
		  enum nr_wire_reason *why)
{
	struct nr_ndp n = {0};
	enum nr_wire_reason bad = NR_WIRE_OK;
	struct nr_icmp6 m;
	struct nr_buf b;
	uint32_t word;
	int r;

	r = nr_icmp6_decode(data, len, src, dst, &m, why);
	if (r < 0)
		return r;
	if (fixed_len(m.type) == 0)
		return nr_wire_fail(NR_WIRE_BAD_TYPE, why);
	if (hop_limit != 255)
		return nr_wire_fail(NR_WIRE_BAD_HOP_LIMIT, why);
	if (m.code != 0)
		return nr_wire_fail(NR_WIRE_BAD_CODE, why);
	if (len < fixed_len(m.type))
		return nr_wire_fail(NR_WIRE_TRUNCATED, why);
	n.type = m.type;
	n.code = m.code;
	word = m.rest;
	/* The body after the 8-byte ICMPv6 header. */
	nr_buf_init(&b, m.data, m.data_len);
	switch (n.type) {
	case NR_ICMP6_ROUTER_ADVERT:
		n.cur_hop_limit = (uint8_t)(word >> 24);
		n.ra_flags = (uint8_t)(word >> 16);
		n.router_lifetime = (uint16_t)word;
		r |= nr_buf_get_be32(&b, &n.reachable_time);
		r |= nr_buf_get_be32(&b, &n.retrans_timer);
		break;
	case NR_ICMP6_NEIGHBOR_ADVERT:
		n.router = (word & 0x80000000u) != 0;
		n.solicited = (word & 0x40000000u) != 0;
		n.override = (word & 0x20000000u) != 0;
		r |= get_addr6(&b, &n.target);
		break;
	case NR_ICMP6_NEIGHBOR_SOLICIT:
		r |= get_addr6(&b, &n.target);
		break;
	case NR_ICMP6_REDIRECT:
		r |= get_addr6(&b, &n.target);
		r |= get_addr6(&b, &n.dest);
		break;
	default:
		break;
	}
	if (r < 0)
		return nr_wire_fail(NR_WIRE_TRUNCATED, why);
	bad = parse_opts(&b, &n);
	if (bad == NR_WIRE_OK)
		bad = check_meaning(&n, src, dst);
	if (bad != NR_WIRE_OK)
		return nr_wire_fail(bad, why);
	*ret = n;
	return 0;
}

static size_t opt_units(size_t body)
{
	return (OPT_HDR + body + OPT_UNIT - 1) / OPT_UNIT;
}

size_t nr_ndp_encoded_len(const struct nr_ndp *n)
{
	size_t len = fixed_len(n->type);

	if (n->has_sllao)
		len += opt_units(n->sllao.len) * OPT_UNIT;
	if (n->has_tllao)
		len += opt_units(n->tllao.len) * OPT_UNIT;
	if (n->has_mtu)
		len += MTU_OPT_UNITS * OPT_UNIT;
	len += (size_t)n->n_prefix * PREFIX_OPT_UNITS * OPT_UNIT;
	for (size_t i = 0; i < n->n_rdnss && i < NR_NDP_RDNSS_MAX; i++)
		len += OPT_UNIT + (size_t)n->rdnss[i].n_addr * 16;
	if (n->nonce_len)
		len += opt_units(n->nonce_len) * OPT_UNIT;
	if (n->has_redirected)
		len += OPT_UNIT + n->redirected_len;
	return len;
}

static bool encodable(const struct nr_ndp *n, const struct nr_addr *src,
		      const struct nr_addr *dst)
{
	if (fixed_len(n->type) == 0 || src->family != AF_INET6 || dst->family != AF_INET6)
		return false;
	if ((n->has_sllao && (n->sllao.len == 0 || n->sllao.len > NR_LLADDR_MAX - 2)) ||
	    (n->has_tllao && (n->tllao.len == 0 || n->tllao.len > NR_LLADDR_MAX - 2)))
		return false;
	if (n->n_prefix > NR_NDP_PREFIX_MAX || n->n_rdnss > NR_NDP_RDNSS_MAX)
		return false;
	for (size_t i = 0; i < n->n_prefix; i++)
		if (n->prefix[i].len > 128)
			return false;
	for (size_t i = 0; i < n->n_rdnss; i++)
		if (n->rdnss[i].n_addr == 0 || n->rdnss[i].n_addr > NR_NDP_RDNSS_ADDR_MAX)
			return false;
	if (n->nonce_len && (n->nonce_len > NR_NDP_NONCE_MAX || n->nonce_len % 8 != 6))
		return false;
	if (n->has_redirected && (n->redirected_len % 8 != 0 || n->redirected_len > REDIRECTED_MAX ||
				  (n->redirected_len && !n->redirected)))
		return false;
	return true;
}

static int put_lladdr_opt(struct nr_wbuf *w, uint8_t type, const struct nr_lladdr *ll)
{
	size_t units = opt_units(ll->len);
	int r = 0;

	r |= nr_wbuf_put_u8(w, type);
	r |= nr_wbuf_put_u8(w, (uint8_t)units);
	r |= nr_wbuf_put_bytes(w, ll->bytes, ll->len);
	r |= nr_wbuf_put_zero(w, units * OPT_UNIT - OPT_HDR - ll->len);
	return r;
}

int nr_ndp_encode(const struct nr_ndp *n, const struct nr_addr *src, const struct nr_addr *dst,
		  uint8_t *buf, size_t cap)
{
	struct nr_wbuf w;
	struct nr_csum c;
	uint32_t word = 0;
	size_t need;
	int r = 0;

	if (!encodable(n, src, dst))
		return -EINVAL;
	need = nr_ndp_encoded_len(n);
	if (need > 65535)
		return -EINVAL;
	if (need > cap)
		return -EMSGSIZE;
	if (n->type == NR_ICMP6_ROUTER_ADVERT)
		word = (uint32_t)n->cur_hop_limit << 24 | (uint32_t)n->ra_flags << 16 |
		       n->router_lifetime;
	else if (n->type == NR_ICMP6_NEIGHBOR_ADVERT)
		word = (n->router ? 0x80000000u : 0) | (n->solicited ? 0x40000000u : 0) |
		       (n->override ? 0x20000000u : 0);
	nr_wbuf_init(&w, buf, need);
	r |= nr_wbuf_put_u8(&w, n->type);
	r |= nr_wbuf_put_u8(&w, n->code);
	r |= nr_wbuf_put_be16(&w, 0);
	r |= nr_wbuf_put_be32(&w, word);
	if (n->type == NR_ICMP6_ROUTER_ADVERT) {
		r |= nr_wbuf_put_be32(&w, n->reachable_time);
		r |= nr_wbuf_put_be32(&w, n->retrans_timer);
	} else if (n->type != NR_ICMP6_ROUTER_SOLICIT) {
		r |= nr_wbuf_put_bytes(&w, n->target.bytes, 16);
		if (n->type == NR_ICMP6_REDIRECT)
			r |= nr_wbuf_put_bytes(&w, n->dest.bytes, 16);
	}
	if (n->has_sllao)
		r |= put_lladdr_opt(&w, NR_NDP_OPT_SLLAO, &n->sllao);
	if (n->has_tllao)
		r |= put_lladdr_opt(&w, NR_NDP_OPT_TLLAO, &n->tllao);
	if (n->has_mtu) {
		r |= nr_wbuf_put_u8(&w, NR_NDP_OPT_MTU);
		r |= nr_wbuf_put_u8(&w, MTU_OPT_UNITS);
		r |= nr_wbuf_put_zero(&w, 2);
		r |= nr_wbuf_put_be32(&w, n->mtu);
	}
	for (size_t i = 0; i < n->n_prefix; i++) {
		const struct nr_ndp_prefix *p = &n->prefix[i];

		r |= nr_wbuf_put_u8(&w, NR_NDP_OPT_PREFIX);
		r |= nr_wbuf_put_u8(&w, PREFIX_OPT_UNITS);
		r |= nr_wbuf_put_u8(&w, p->len);
		r |= nr_wbuf_put_u8(&w, p->flags);
		r |= nr_wbuf_put_be32(&w, p->valid_lifetime);
		r |= nr_wbuf_put_be32(&w, p->preferred_lifetime);
		r |= nr_wbuf_put_zero(&w, 4);
		r |= nr_wbuf_put_bytes(&w, p->prefix.bytes, 16);
	}
	for (size_t i = 0; i < n->n_rdnss; i++) {
		const struct nr_ndp_rdnss *d = &n->rdnss[i];

		r |= nr_wbuf_put_u8(&w, NR_NDP_OPT_RDNSS);
		r |= nr_wbuf_put_u8(&w, (uint8_t)(1 + 2 * d->n_addr));
		r |= nr_wbuf_put_zero(&w, 2);
		r |= nr_wbuf_put_be32(&w, d->lifetime);
		for (size_t k = 0; k < d->n_addr; k++)
			r |= nr_wbuf_put_bytes(&w, d->addr[k].bytes, 16);
	}
	if (n->nonce_len) {
		r |= nr_wbuf_put_u8(&w, NR_NDP_OPT_NONCE);
		r |= nr_wbuf_put_u8(&w, (uint8_t)opt_units(n->nonce_len));
		r |= nr_wbuf_put_bytes(&w, n->nonce, n->nonce_len);
	}
	if (n->has_redirected) {
		r |= nr_wbuf_put_u8(&w, NR_NDP_OPT_REDIRECTED);
		r |= nr_wbuf_put_u8(&w, (uint8_t)(1 + n->redirected_len / OPT_UNIT));
		r |= nr_wbuf_put_zero(&w, 6);
		r |= nr_wbuf_put_bytes(&w, n->redirected, n->redirected_len);
	}
	if (r < 0 || nr_wbuf_len(&w) != need)
		return -EMSGSIZE;
	nr_csum_init(&c);
	nr_csum_add_pseudo6(&c, src, dst, (uint32_t)need, NR_IPPROTO_ICMPV6);
	nr_csum_add(&c, buf, need);
	nr_store_be16(buf + 2, nr_csum_final(&c));
	return (int)need;
}
