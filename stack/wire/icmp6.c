/* SPDX-License-Identifier: BSD-2-Clause */
/* ICMPv6, RFC 4443. */
#include "netrig/icmp6.h"
#include "netrig/csum.h"
#include "netrig/ipv6.h"

#include <errno.h>
#include <string.h>

bool nr_icmp6_is_error(uint8_t type)
{
	return type < 128;
}

static bool has_id(uint8_t type)
{
	return type == NR_ICMP6_ECHO_REQUEST || type == NR_ICMP6_ECHO_REPLY;
}

int nr_icmp6_decode(const uint8_t *data, size_t len, const struct nr_addr *src,
		    const struct nr_addr *dst, struct nr_icmp6 *ret, enum nr_wire_reason *why)
{
	struct nr_icmp6 m = {0};
	struct nr_csum c;

	if (!data || len < NR_ICMP6_HLEN)
		return nr_wire_fail(NR_WIRE_TRUNCATED, why);
	m.type = data[0];
	m.code = data[1];
	m.checksum = nr_load_be16(data + 2);
	m.rest = nr_load_be32(data + 4);
	nr_csum_init(&c);
	/* The upper-layer length is 32 bits in the pseudo-header; len fits. */
	nr_csum_add_pseudo6(&c, src, dst, (uint32_t)len, NR_IPPROTO_ICMPV6);
	nr_csum_add(&c, data, len);
	if (!nr_csum_verify(&c))
		return nr_wire_fail(NR_WIRE_BAD_CHECKSUM, why);
	if (has_id(m.type)) {
		m.id = (uint16_t)(m.rest >> 16);
		m.seq = (uint16_t)m.rest;
	}
	m.data_len = len - NR_ICMP6_HLEN;
	m.data = m.data_len ? data + NR_ICMP6_HLEN : NULL;
	*ret = m;
	return 0;
}

size_t nr_icmp6_encoded_len(const struct nr_icmp6 *m)
{
	return NR_ICMP6_HLEN + m->data_len;
}

int nr_icmp6_encode(const struct nr_icmp6 *m, const struct nr_addr *src,
		    const struct nr_addr *dst, uint8_t *buf, size_t cap)
{
	size_t need = nr_icmp6_encoded_len(m);
	uint32_t rest = m->rest;
	struct nr_csum c;

	if (src->family != AF_INET6 || dst->family != AF_INET6 || (m->data_len && !m->data) ||
	    need > 65535)
		return -EINVAL;
	if (need > cap)
		return -EMSGSIZE;
	if (has_id(m->type))
		rest = (uint32_t)m->id << 16 | m->seq;
	if (m->data_len && m->data != buf + NR_ICMP6_HLEN)
		memmove(buf + NR_ICMP6_HLEN, m->data, m->data_len);
	buf[0] = m->type;
	buf[1] = m->code;
	buf[2] = buf[3] = 0;
	nr_store_be32(buf + 4, rest);
	nr_csum_init(&c);
	nr_csum_add_pseudo6(&c, src, dst, (uint32_t)need, NR_IPPROTO_ICMPV6);
	nr_csum_add(&c, buf, need);
	nr_store_be16(buf + 2, nr_csum_final(&c));
	return (int)need;
}

void nr_icmp6_error_init(struct nr_icmp6 *m, uint8_t type, uint8_t code, uint32_t rest,
			 const uint8_t *orig, size_t orig_len)
{
	memset(m, 0, sizeof(*m));
	m->type = type;
	m->code = code;
	m->rest = rest;
	m->data = orig;
	m->data_len = orig_len < NR_ICMP6_QUOTE_MAX ? orig_len : NR_ICMP6_QUOTE_MAX;
}

int nr_icmp6_quote_decode(const struct nr_icmp6 *m, struct nr_icmp6_quote *ret,
			  enum nr_wire_reason *why)
{
	struct nr_icmp6_quote q = {0};
	uint8_t saddr[16], daddr[16];
	uint32_t vtf;
	struct nr_buf b;

	if (!nr_icmp6_is_error(m->type))
		return nr_wire_fail(NR_WIRE_BAD_TYPE, why);
	nr_buf_init(&b, m->data, m->data_len);
	if (nr_buf_get_be32(&b, &vtf) < 0 || nr_buf_skip(&b, 2) < 0 ||
	    nr_buf_get_u8(&b, &q.next_header) < 0 || nr_buf_skip(&b, 1) < 0 ||
	    nr_buf_get_bytes(&b, saddr, 16) < 0 || nr_buf_get_bytes(&b, daddr, 16) < 0)
		return nr_wire_fail(NR_WIRE_TRUNCATED, why);
	if (vtf >> 28 != 6)
		return nr_wire_fail(NR_WIRE_BAD_VERSION, why);
	nr_addr_set_v6(&q.src, saddr);
	nr_addr_set_v6(&q.dst, daddr);
	q.payload_len = nr_buf_remaining(&b);
	q.payload = q.payload_len ? nr_buf_cur(&b) : NULL;
	*ret = q;
	return 0;
}
