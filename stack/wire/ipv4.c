/* SPDX-License-Identifier: BSD-2-Clause */
/* IPv4 header, RFC 791. */
#include "netrig/ipv4.h"
#include "netrig/csum.h"

#include <errno.h>
#include <string.h>

#define FLAG_RESERVED 0x8000
#define FLAG_DF 0x4000
#define FLAG_MF 0x2000
#define FRAG_OFF_MASK 0x1fff

/*
 * The ones' complement sum of an IPv4 header, folded (not inverted): hlen
 * is a multiple of 4 and at most 60. 32-bit words are summed as they lie
 * in memory (2^16 is 1 modulo 0xffff: a word adds its two halves) and the
 * folded result byte-swapped on a little-endian machine (RFC 1071 2(B)).
 * The 20-byte header without options is summed unrolled.
 */
static inline uint16_t header_sum(const uint8_t *p, size_t hlen)
{
	uint32_t w[5];
	uint64_t s;

	memcpy(w, p, sizeof(w));
	s = (uint64_t)w[0] + w[1] + w[2] + w[3] + w[4];
	for (size_t i = NR_IPV4_HLEN; i < hlen; i += 4) {
		uint32_t o;

		memcpy(&o, p + i, 4);
		s += o;
	}
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return __builtin_bswap16((uint16_t)s);
#else
	return (uint16_t)s;
#endif
}

int nr_ipv4_decode(const uint8_t *data, size_t len, struct nr_ipv4 *ret,
		   enum nr_wire_reason *why)
{
	uint16_t frag, total_len, frag_off;
	size_t hlen, payload_len;
	uint8_t ihl;

	/* The fixed header is read in place once its 20 bytes are known to be there. */
	if (!data || len < NR_IPV4_HLEN)
		return nr_wire_fail(NR_WIRE_TRUNCATED, why);
	if (data[0] >> 4 != 4)
		return nr_wire_fail(NR_WIRE_BAD_VERSION, why);
	ihl = data[0] & 0x0f;
	if (ihl < 5)
		return nr_wire_fail(NR_WIRE_BAD_LENGTH, why);
	hlen = (size_t)ihl * 4;
	if (len < hlen)
		return nr_wire_fail(NR_WIRE_TRUNCATED, why);
	/*
	 * A correct header, checksum included, sums to 0xffff. (A sum of 0
	 * would need an all-zero header, which has version 0: already refused.)
	 */
	if (header_sum(data, hlen) != 0xffff)
		return nr_wire_fail(NR_WIRE_BAD_CHECKSUM, why);
	total_len = nr_load_be16(data + 2);
	if (total_len < hlen)
		return nr_wire_fail(NR_WIRE_BAD_LENGTH, why);
	if (len < total_len)
		return nr_wire_fail(NR_WIRE_TRUNCATED, why);
	frag = nr_load_be16(data + 6);
	frag_off = frag & FRAG_OFF_MASK;
	payload_len = total_len - hlen;
	/* A reassembly would write past 64 KiB ("ping of death"). */
	if ((size_t)frag_off * 8 + payload_len > NR_IPV4_MAX_LEN)
		return nr_wire_fail(NR_WIRE_BAD_FRAGMENT, why);
	/* Every check passed: *ret is written now, every field, with no copy in between. */
	ret->ihl = ihl;
	ret->tos = data[1];
	ret->total_len = total_len;
	ret->id = nr_load_be16(data + 4);
	ret->reserved_flag = (frag & FLAG_RESERVED) != 0;
	ret->df = (frag & FLAG_DF) != 0;
	ret->mf = (frag & FLAG_MF) != 0;
	ret->frag_off = frag_off;
	ret->ttl = data[8];
	ret->proto = data[9];
	ret->checksum = nr_load_be16(data + 10);
	ret->src.family = AF_INET;
	ret->dst.family = AF_INET;
	memcpy(ret->src.bytes, data + 12, 4);
	memcpy(ret->dst.bytes, data + 16, 4);
	memset(ret->src.bytes + 4, 0, sizeof(ret->src.bytes) - 4);
	memset(ret->dst.bytes + 4, 0, sizeof(ret->dst.bytes) - 4);
	ret->opts_len = hlen - NR_IPV4_HLEN;
	ret->opts = ret->opts_len ? data + NR_IPV4_HLEN : NULL;
	ret->payload_len = payload_len;
	ret->payload = payload_len ? data + hlen : NULL;
	return 0;
}

void nr_ipv4_options(const struct nr_ipv4 *h, struct nr_buf *ret)
{
	nr_buf_init(ret, h->opts, h->opts ? h->opts_len : 0);
}

uint16_t nr_ipv4_header_checksum(const uint8_t *hdr, size_t hlen)
{
	/* Version 4 makes the bytes non-zero: the complement is never 0xffff. */
	return (uint16_t)~header_sum(hdr, hlen);
}

size_t nr_ipv4_header_len(const struct nr_ipv4 *h)
{
	return NR_IPV4_HLEN + h->opts_len;
}

size_t nr_ipv4_encoded_len(const struct nr_ipv4 *h)
{
	return nr_ipv4_header_len(h) + h->payload_len;
}

int nr_ipv4_encode(const struct nr_ipv4 *h, uint8_t *buf, size_t cap)
{
	size_t hlen = nr_ipv4_header_len(h);
	size_t need;
	uint16_t frag;

	if (h->src.family != AF_INET || h->dst.family != AF_INET || h->opts_len % 4 != 0 ||
	    h->opts_len > NR_IPV4_OPTS_MAX || (h->opts_len && !h->opts) ||
	    h->frag_off > FRAG_OFF_MASK || h->payload_len > NR_IPV4_MAX_LEN ||
	    (h->payload_len && !h->payload))
		return -EINVAL;
	need = hlen + h->payload_len;
	if (need > NR_IPV4_MAX_LEN)
		return -EINVAL;
	if (need > cap)
		return -EMSGSIZE;
	/* The payload first: it may already be in place, right after the header. */
	if (h->payload_len && h->payload != buf + hlen)
		memmove(buf + hlen, h->payload, h->payload_len);
	frag = (uint16_t)((h->reserved_flag ? FLAG_RESERVED : 0) | (h->df ? FLAG_DF : 0) |
			  (h->mf ? FLAG_MF : 0) | h->frag_off);
	/* Every field fits: need <= cap was checked, and hlen <= need. */
	buf[0] = (uint8_t)(4 << 4 | hlen / 4);
	buf[1] = h->tos;
	nr_store_be16(buf + 2, (uint16_t)need);
	nr_store_be16(buf + 4, h->id);
	nr_store_be16(buf + 6, frag);
	buf[8] = h->ttl;
	buf[9] = h->proto;
	buf[10] = buf[11] = 0;
	memcpy(buf + 12, h->src.bytes, 4);
	memcpy(buf + 16, h->dst.bytes, 4);
	if (h->opts_len)
		memmove(buf + NR_IPV4_HLEN, h->opts, h->opts_len);
	/* The complement of a sum over bytes that are not all zero (version 4) is never 0xffff. */
	nr_store_be16(buf + 10, (uint16_t)~header_sum(buf, hlen));
	return (int)need;
}
