/* SPDX-License-Identifier: BSD-2-Clause */
/* ICMP for IPv4, RFC 792. */
#include "netrig/icmp4.h"
#include "netrig/csum.h"
#include "netrig/ipv4.h"

#include <errno.h>
#include <string.h>

bool nr_icmp4_has_id(uint8_t type)
{
	return type == NR_ICMP4_ECHO_REPLY || type == NR_ICMP4_ECHO_REQUEST ||
	       type == NR_ICMP4_TIMESTAMP || type == NR_ICMP4_TIMESTAMP_REPLY;
}

bool nr_icmp4_is_error(uint8_t type)
{
	return type == NR_ICMP4_DEST_UNREACH || type == NR_ICMP4_SOURCE_QUENCH ||
	       type == NR_ICMP4_REDIRECT || type == NR_ICMP4_TIME_EXCEEDED ||
	       type == NR_ICMP4_PARAM_PROBLEM;
}

/* The largest code each error type defines; 255 for types not checked. */
static uint8_t max_code(uint8_t type)
{
	switch (type) {
	case NR_ICMP4_DEST_UNREACH:
		return 15; /* RFC 1812 adds 13..15 */
	case NR_ICMP4_REDIRECT:
		return 3;
	case NR_ICMP4_TIME_EXCEEDED:
		return 1;
	case NR_ICMP4_PARAM_PROBLEM:
		return 2;
	default:
		return 255;
	}
}

int nr_icmp4_decode(const uint8_t *data, size_t len, struct nr_icmp4 *ret,
		    enum nr_wire_reason *why)
{
	uint32_t rest;

	if (!data || len < NR_ICMP4_HLEN)
		return nr_wire_fail(NR_WIRE_TRUNCATED, why);
	if (nr_csum(data, len) != 0)
		return nr_wire_fail(NR_WIRE_BAD_CHECKSUM, why);
	if (data[1] > max_code(data[0]))
		return nr_wire_fail(NR_WIRE_BAD_CODE, why);
	/* Every check passed: *ret is written now, every field. */
	rest = nr_load_be32(data + 4);
	ret->type = data[0];
	ret->code = data[1];
	ret->checksum = nr_load_be16(data + 2);
	ret->rest = rest;
	ret->id = nr_icmp4_has_id(data[0]) ? (uint16_t)(rest >> 16) : 0;
	ret->seq = nr_icmp4_has_id(data[0]) ? (uint16_t)rest : 0;
	ret->data_len = len - NR_ICMP4_HLEN;
	ret->data = ret->data_len ? data + NR_ICMP4_HLEN : NULL;
	return 0;
}

size_t nr_icmp4_encoded_len(const struct nr_icmp4 *m)
{
	return NR_ICMP4_HLEN + m->data_len;
}

int nr_icmp4_encode(const struct nr_icmp4 *m, uint8_t *buf, size_t cap)
{
	size_t need = nr_icmp4_encoded_len(m);
	uint32_t rest = m->rest;

	if ((m->data_len && !m->data) || need > NR_IPV4_MAX_LEN - NR_IPV4_HLEN)
		return -EINVAL;
	if (need > cap)
		return -EMSGSIZE;
	if (nr_icmp4_has_id(m->type))
		rest = (uint32_t)m->id << 16 | m->seq;
	if (m->data_len && m->data != buf + NR_ICMP4_HLEN)
		memmove(buf + NR_ICMP4_HLEN, m->data, m->data_len);
	buf[0] = m->type;
	buf[1] = m->code;
	buf[2] = buf[3] = 0;
	nr_store_be32(buf + 4, rest);
	nr_store_be16(buf + 2, nr_csum(buf, need));
	return (int)need;
}

void nr_icmp4_error_init(struct nr_icmp4 *m, uint8_t type, uint8_t code, uint32_t rest,
			 const uint8_t *orig, size_t orig_len)
{
	memset(m, 0, sizeof(*m));
	m->type = type;
	m->code = code;
	m->rest = rest;
	m->data = orig;
	m->data_len = orig_len < NR_ICMP4_QUOTE_MAX ? orig_len : NR_ICMP4_QUOTE_MAX;
}

int nr_icmp4_quote_decode(const struct nr_icmp4 *m, struct nr_icmp4_quote *ret,
			  enum nr_wire_reason *why)
{
	struct nr_icmp4_quote q = {0};
	uint8_t vihl, saddr[4], daddr[4];
	struct nr_buf b;
	size_t hlen;

	if (!nr_icmp4_is_error(m->type))
		return nr_wire_fail(NR_WIRE_BAD_TYPE, why);
	nr_buf_init(&b, m->data, m->data_len);
	if (nr_buf_get_u8(&b, &vihl) < 0 || nr_buf_skip(&b, 3) < 0 ||
	    nr_buf_get_be16(&b, &q.id) < 0 || nr_buf_skip(&b, 3) < 0 ||
	    nr_buf_get_u8(&b, &q.proto) < 0 || nr_buf_skip(&b, 2) < 0 ||
	    nr_buf_get_bytes(&b, saddr, 4) < 0 || nr_buf_get_bytes(&b, daddr, 4) < 0)
		return nr_wire_fail(NR_WIRE_TRUNCATED, why);
	if (vihl >> 4 != 4)
		return nr_wire_fail(NR_WIRE_BAD_VERSION, why);
	if ((vihl & 0x0f) < 5)
		return nr_wire_fail(NR_WIRE_BAD_LENGTH, why);
	hlen = (size_t)(vihl & 0x0f) * 4;
	if (nr_buf_skip(&b, hlen - NR_IPV4_HLEN) < 0 || nr_buf_remaining(&b) < 8)
		return nr_wire_fail(NR_WIRE_TRUNCATED, why);
	nr_addr_set_v4(&q.src, nr_load_be32(saddr));
	nr_addr_set_v4(&q.dst, nr_load_be32(daddr));
	q.transport = nr_buf_cur(&b);
	q.transport_len = nr_buf_remaining(&b);
	*ret = q;
	return 0;
}
