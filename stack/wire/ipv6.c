/* SPDX-License-Identifier: BSD-2-Clause */
/* IPv6 header and extension-header walk, RFC 8200. */
#include "netrig/ipv6.h"

#include <errno.h>
#include <string.h>

#define AH_MIN_LEN 12
#define FRAG_HDR_LEN 8

/*
 * Walk the extension headers of h->payload (already bounded by payload
 * length). Every length is checked against what is left before the header
 * is counted; the number of headers is capped.
 */
static enum nr_wire_reason walk(struct nr_ipv6 *h)
{
	struct nr_buf b;
	uint8_t proto = h->next_header;

	nr_buf_init(&b, h->payload, h->payload_len);
	for (;;) {
		struct nr_buf hdr = b;
		uint8_t nh, hl;
		size_t elen;

		switch (proto) {
		case NR_IPPROTO_HOPOPTS:
		case NR_IPPROTO_ROUTING:
		case NR_IPPROTO_DSTOPTS:
		case NR_IPPROTO_AH:
		case NR_IPPROTO_FRAGMENT:
			break;
		default:
			goto upper;
		}
		if (proto == NR_IPPROTO_HOPOPTS && h->n_ext != 0)
			return NR_WIRE_HBH_NOT_FIRST;
		if (h->n_ext == NR_IPV6_EXT_MAX)
			return NR_WIRE_TOO_MANY_EXT;
		if (nr_buf_get_u8(&hdr, &nh) < 0 || nr_buf_get_u8(&hdr, &hl) < 0)
			return NR_WIRE_TRUNCATED;
		if (proto == NR_IPPROTO_FRAGMENT)
			elen = FRAG_HDR_LEN;
		else if (proto == NR_IPPROTO_AH)
			elen = ((size_t)hl + 2) * 4; /* RFC 4302: 32-bit words minus 2 */
		else
			elen = ((size_t)hl + 1) * 8; /* RFC 8200: 8-octet units minus 1 */
		if (proto == NR_IPPROTO_AH && elen < AH_MIN_LEN)
			return NR_WIRE_BAD_LENGTH;
		if (nr_buf_remaining(&b) < elen)
			return NR_WIRE_TRUNCATED;
		h->ext[h->n_ext].type = proto;
		h->ext[h->n_ext].off = (uint16_t)(NR_IPV6_HLEN + nr_buf_offset(&b));
		h->ext[h->n_ext].len = (uint16_t)elen;
		h->n_ext++;
		if (proto == NR_IPPROTO_FRAGMENT) {
			uint16_t offm;
			uint32_t id;

			if (nr_buf_get_be16(&hdr, &offm) < 0 || nr_buf_get_be32(&hdr, &id) < 0)
				return NR_WIRE_TRUNCATED;
			h->is_fragment = true;
			h->frag_off = offm >> 3;
			h->frag_more = (offm & 1) != 0;
			h->frag_id = id;
			if ((size_t)h->frag_off * 8 + (nr_buf_remaining(&b) - elen) > 65535)
				return NR_WIRE_BAD_FRAGMENT;
		}
		(void)nr_buf_skip(&b, elen);
		proto = nh;
		/* Past a non-first fragment's header lies data, not a header. */
		if (h->is_fragment && h->frag_off != 0)
			goto upper;
	}
upper:
	h->upper_proto = proto;
	h->upper_off = NR_IPV6_HLEN + nr_buf_offset(&b);
	h->upper_len = nr_buf_remaining(&b);
	h->upper = h->upper_len ? nr_buf_cur(&b) : NULL;
	return NR_WIRE_OK;
}

/* The extension headers the walk follows. */
static bool is_ext(uint8_t proto)
{
	return proto == NR_IPPROTO_HOPOPTS || proto == NR_IPPROTO_ROUTING ||
	       proto == NR_IPPROTO_DSTOPTS || proto == NR_IPPROTO_AH || proto == NR_IPPROTO_FRAGMENT;
}

int nr_ipv6_decode(const uint8_t *data, size_t len, struct nr_ipv6 *ret,
		   enum nr_wire_reason *why)
{
	struct nr_ipv6 h;
	enum nr_wire_reason bad;
	uint16_t plen;
	uint32_t vtf;

	/* The fixed header is read in place once its 40 bytes are known to be there. */
	if (!data || len < NR_IPV6_HLEN)
		return nr_wire_fail(NR_WIRE_TRUNCATED, why);
	vtf = nr_load_be32(data);
	plen = nr_load_be16(data + 4);
	if (vtf >> 28 != 6)
		return nr_wire_fail(NR_WIRE_BAD_VERSION, why);
	if (len - NR_IPV6_HLEN < plen)
		return nr_wire_fail(NR_WIRE_TRUNCATED, why);
	if (!is_ext(data[6])) {
		/*
		 * No extension header: nothing more can fail, so *ret is
		 * written directly, what the walk would find included,
		 * without a zeroed struct to fill and copy.
		 */
		ret->tclass = (uint8_t)(vtf >> 20);
		ret->flow = vtf & 0xfffff;
		ret->next_header = data[6];
		ret->hop_limit = data[7];
		ret->src.family = AF_INET6;
		ret->dst.family = AF_INET6;
		memcpy(ret->src.bytes, data + 8, 16);
		memcpy(ret->dst.bytes, data + 24, 16);
		ret->payload_len = plen;
		ret->payload = plen ? data + NR_IPV6_HLEN : NULL;
		ret->n_ext = 0;
		memset(ret->ext, 0, sizeof(ret->ext));
		ret->upper_proto = data[6];
		ret->upper_off = NR_IPV6_HLEN;
		ret->upper_len = plen;
		ret->upper = ret->payload;
		ret->is_fragment = false;
		ret->frag_off = 0;
		ret->frag_more = false;
		ret->frag_id = 0;
		return 0;
	}
	/* The walk fills h, from zero. */
	memset(&h, 0, sizeof(h));
	h.tclass = (uint8_t)(vtf >> 20);
	h.flow = vtf & 0xfffff;
	h.next_header = data[6];
	h.hop_limit = data[7];
	h.src.family = AF_INET6;
	h.dst.family = AF_INET6;
	memcpy(h.src.bytes, data + 8, 16);
	memcpy(h.dst.bytes, data + 24, 16);
	h.payload_len = plen;
	h.payload = plen ? data + NR_IPV6_HLEN : NULL;
	bad = walk(&h);
	if (bad != NR_WIRE_OK)
		return nr_wire_fail(bad, why);
	*ret = h;
	return 0;
}

size_t nr_ipv6_encoded_len(const struct nr_ipv6 *h)
{
	return NR_IPV6_HLEN + h->payload_len;
}

int nr_ipv6_encode(const struct nr_ipv6 *h, uint8_t *buf, size_t cap)
{
	size_t need = nr_ipv6_encoded_len(h);

	if (h->src.family != AF_INET6 || h->dst.family != AF_INET6 || h->flow > 0xfffff ||
	    h->payload_len > 65535 || (h->payload_len && !h->payload))
		return -EINVAL;
	if (need > cap)
		return -EMSGSIZE;
	/* A payload already in place (a responder built it there) is not moved onto itself. */
	if (h->payload_len && h->payload != buf + NR_IPV6_HLEN)
		memmove(buf + NR_IPV6_HLEN, h->payload, h->payload_len);
	nr_store_be32(buf, 6u << 28 | (uint32_t)h->tclass << 20 | h->flow);
	nr_store_be16(buf + 4, (uint16_t)h->payload_len);
	buf[6] = h->next_header;
	buf[7] = h->hop_limit;
	memcpy(buf + 8, h->src.bytes, 16);
	memcpy(buf + 24, h->dst.bytes, 16);
	return (int)need;
}
