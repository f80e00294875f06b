/* SPDX-License-Identifier: BSD-2-Clause */
/* Ethernet II and 802.1Q. */
#include "netrig/eth.h"

#include <errno.h>
#include <string.h>

int nr_eth_decode(const uint8_t *data, size_t len, struct nr_eth *ret,
		  enum nr_wire_reason *why)
{
	size_t off = NR_ETH_HLEN;
	uint16_t type, tci = 0;
	bool vlan = false;

	/* The header is read in place once its length is known to be there. */
	if (!data || len < NR_ETH_HLEN)
		return nr_wire_fail(NR_WIRE_TRUNCATED, why);
	type = nr_load_be16(data + 12);
	if (type == NR_ETHERTYPE_VLAN) {
		if (len < NR_ETH_VLAN_HLEN)
			return nr_wire_fail(NR_WIRE_TRUNCATED, why);
		tci = nr_load_be16(data + 14);
		type = nr_load_be16(data + 16);
		vlan = true;
		off = NR_ETH_VLAN_HLEN;
	}
	if (type < NR_ETH_MIN_ETHERTYPE)
		return nr_wire_fail(NR_WIRE_NOT_ETHERNET_II, why);
	/* Every check passed: *ret is written now, every field. */
	memcpy(ret->dst, data, NR_ETH_ALEN);
	memcpy(ret->src, data + NR_ETH_ALEN, NR_ETH_ALEN);
	ret->has_vlan = vlan;
	ret->pcp = (uint8_t)(tci >> 13);
	ret->dei = (tci >> 12) & 1;
	ret->vid = tci & 0x0fff;
	ret->ethertype = type;
	ret->payload_off = off;
	ret->payload_len = len - off;
	ret->payload = data + off;
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
