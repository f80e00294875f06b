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

int nr_ipv4_decode(const uint8_t *data, size_t len, struct nr_ipv4 *ret,
		   enum nr_wire_reason *why)
{
	struct nr_ipv4 h = {0};
	uint8_t vihl, saddr[4], daddr[4];
	uint16_t frag;
	size_t hlen;
	struct nr_buf b;

	nr_buf_init(&b, data, len);
	if (nr_buf_get_u8(&b, &vihl) < 0 || nr_buf_get_u8(&b, &h.tos) < 0 ||
	    nr_buf_get_be16(&b, &h.total_len) < 0 || nr_buf_get_be16(&b, &h.id) < 0 ||
	    nr_buf_get_be16(&b, &frag) < 0 || nr_buf_get_u8(&b, &h.ttl) < 0 ||
	    nr_buf_get_u8(&b, &h.proto) < 0 || nr_buf_get_be16(&b, &h.checksum) < 0 ||
	    nr_buf_get_bytes(&b, saddr, 4) < 0 || nr_buf_get_bytes(&b, daddr, 4) < 0)
		return nr_wire_fail(NR_WIRE_TRUNCATED, why);
	if (vihl >> 4 != 4)
		return nr_wire_fail(NR_WIRE_BAD_VERSION, why);
	h.ihl = vihl & 0x0f;
	if (h.ihl < 5)
		return nr_wire_fail(NR_WIRE_BAD_LENGTH, why);
	hlen = (size_t)h.ihl * 4;
	if (len < hlen)
		return nr_wire_fail(NR_WIRE_TRUNCATED, why);
	/* A correct header, checksum included, sums to 0xffff: its complement is 0. */
	if (nr_csum(data, hlen) != 0)
		return nr_wire_fail(NR_WIRE_BAD_CHECKSUM, why);
	if (h.total_len < hlen)
		return nr_wire_fail(NR_WIRE_BAD_LENGTH, why);
	if (len < h.total_len)
		return nr_wire_fail(NR_WIRE_TRUNCATED, why);
	h.reserved_flag = (frag & FLAG_RESERVED) != 0;
	h.df = (frag & FLAG_DF) != 0;
	h.mf = (frag & FLAG_MF) != 0;
	h.frag_off = frag & FRAG_OFF_MASK;
	h.payload_len = h.total_len - hlen;
	/* A reassembly would write past 64 KiB ("ping of death"). */
	if ((size_t)h.frag_off * 8 + h.payload_len > NR_IPV4_MAX_LEN)
		return nr_wire_fail(NR_WIRE_BAD_FRAGMENT, why);
	nr_addr_set_v4(&h.src, nr_load_be32(saddr));
	nr_addr_set_v4(&h.dst, nr_load_be32(daddr));
	h.opts_len = hlen - NR_IPV4_HLEN;
	h.opts = h.opts_len ? data + NR_IPV4_HLEN : NULL;
	h.payload = h.payload_len ? data + hlen : NULL;
	*ret = h;
	return 0;
}

void nr_ipv4_options(const struct nr_ipv4 *h, struct nr_buf *ret)
{
	nr_buf_init(ret, h->opts, h->opts ? h->opts_len : 0);
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
	struct nr_wbuf w;
	uint16_t frag;
	int r = 0;

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
	if (h->payload_len)
		memmove(buf + hlen, h->payload, h->payload_len);
	frag = (uint16_t)((h->reserved_flag ? FLAG_RESERVED : 0) | (h->df ? FLAG_DF : 0) |
			  (h->mf ? FLAG_MF : 0) | h->frag_off);
	nr_wbuf_init(&w, buf, hlen);
	r |= nr_wbuf_put_u8(&w, (uint8_t)(4 << 4 | hlen / 4));
	r |= nr_wbuf_put_u8(&w, h->tos);
	r |= nr_wbuf_put_be16(&w, (uint16_t)need);
	r |= nr_wbuf_put_be16(&w, h->id);
	r |= nr_wbuf_put_be16(&w, frag);
	r |= nr_wbuf_put_u8(&w, h->ttl);
	r |= nr_wbuf_put_u8(&w, h->proto);
	r |= nr_wbuf_put_be16(&w, 0);
	r |= nr_wbuf_put_bytes(&w, h->src.bytes, 4);
	r |= nr_wbuf_put_bytes(&w, h->dst.bytes, 4);
	r |= nr_wbuf_put_bytes(&w, h->opts, h->opts_len);
	if (r < 0)
		return -EMSGSIZE;
	nr_store_be16(buf + 10, nr_csum(buf, hlen));
	return (int)need;
}
