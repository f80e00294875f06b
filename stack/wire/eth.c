/* SPDX-License-Identifier: BSD-2-Clause */
/* Ethernet II and 802.1Q. */
#include "netrig/eth.h"

#include <errno.h>
#include <string.h>

int nr_eth_decode(const uint8_t *data, size_t len, struct nr_eth *ret,
		  enum nr_wire_reason *why)
{
	struct nr_eth e = {0};
	struct nr_buf b;
	uint16_t type, tci;

	nr_buf_init(&b, data, len);
	if (nr_buf_get_bytes(&b, e.dst, NR_ETH_ALEN) < 0 ||
	    nr_buf_get_bytes(&b, e.src, NR_ETH_ALEN) < 0 || nr_buf_get_be16(&b, &type) < 0)
		return nr_wire_fail(NR_WIRE_TRUNCATED, why);
	if (type == NR_ETHERTYPE_VLAN) {
		if (nr_buf_get_be16(&b, &tci) < 0 || nr_buf_get_be16(&b, &type) < 0)
			return nr_wire_fail(NR_WIRE_TRUNCATED, why);
		e.has_vlan = true;
		e.pcp = (uint8_t)(tci >> 13);
		e.dei = (tci >> 12) & 1;
		e.vid = tci & 0x0fff;
	}
	if (type < NR_ETH_MIN_ETHERTYPE)
		return nr_wire_fail(NR_WIRE_NOT_ETHERNET_II, why);
	e.ethertype = type;
	e.payload_off = nr_buf_offset(&b);
	e.payload_len = nr_buf_remaining(&b);
	e.payload = nr_buf_cur(&b);
	*ret = e;
	return 0;
}

size_t nr_eth_header_len(const struct nr_eth *e)
{
	return e->has_vlan ? NR_ETH_VLAN_HLEN : NR_ETH_HLEN;
}

size_t nr_eth_encoded_len(const struct nr_eth *e)
{
	return nr_eth_header_len(e) + e->payload_len;
}

int nr_eth_encode(const struct nr_eth *e, uint8_t *buf, size_t cap)
{
	size_t need = nr_eth_encoded_len(e);
	struct nr_wbuf w;
	int r = 0;

	if (e->pcp > 7 || e->vid > 0x0fff || e->ethertype < NR_ETH_MIN_ETHERTYPE ||
	    (e->payload_len && !e->payload) || need > (size_t)INT32_MAX)
		return -EINVAL;
	if (need > cap)
		return -EMSGSIZE;
	nr_wbuf_init(&w, buf, cap);
	/* The payload first: it may be where the header goes (in place). */
	if (e->payload_len)
		memmove(buf + nr_eth_header_len(e), e->payload, e->payload_len);
	r |= nr_wbuf_put_bytes(&w, e->dst, NR_ETH_ALEN);
	r |= nr_wbuf_put_bytes(&w, e->src, NR_ETH_ALEN);
	if (e->has_vlan) {
		r |= nr_wbuf_put_be16(&w, NR_ETHERTYPE_VLAN);
		r |= nr_wbuf_put_be16(&w, (uint16_t)(e->pcp << 13 | (e->dei ? 1u << 12 : 0) | e->vid));
	}
	r |= nr_wbuf_put_be16(&w, e->ethertype);
	if (r < 0)
		return -EMSGSIZE;
	return (int)need;
}
