/* SPDX-License-Identifier: BSD-2-Clause */
/* ARP, RFC 826. */
#include "netrig/arp.h"
#include "netrig/eth.h"

#include <errno.h>
#include <string.h>

#define ARP_FIXED_LEN 8

static bool op_known(uint16_t op)
{
	switch (op) {
	case NR_ARP_OP_REQUEST:
	case NR_ARP_OP_REPLY:
	case NR_ARP_OP_RREQUEST:
	case NR_ARP_OP_RREPLY:
	case NR_ARP_OP_INREQUEST:
	case NR_ARP_OP_INREPLY:
		return true;
	default:
		return false;
	}
}

/* The value checks shared by decode and encode; NR_WIRE_OK when fine. */
static enum nr_wire_reason check_fields(uint16_t htype, uint16_t ptype, uint8_t hlen,
					uint8_t plen, uint16_t op)
{
	if (htype == 0)
		return NR_WIRE_BAD_HTYPE;
	if (ptype < NR_ETH_MIN_ETHERTYPE)
		return NR_WIRE_BAD_PTYPE;
	if (hlen == 0 || hlen > NR_ARP_HLEN_MAX ||
	    (htype == NR_ARP_HTYPE_ETHERNET && hlen != NR_ETH_ALEN))
		return NR_WIRE_BAD_HLEN;
	if (plen == 0 || plen > NR_ARP_PLEN_MAX || (ptype == NR_ETHERTYPE_IPV4 && plen != 4))
		return NR_WIRE_BAD_PLEN;
	if (!op_known(op))
		return NR_WIRE_BAD_OP;
	return NR_WIRE_OK;
}

int nr_arp_decode(const uint8_t *data, size_t len, struct nr_arp *ret,
		  enum nr_wire_reason *why)
{
	struct nr_arp a = {0};
	enum nr_wire_reason bad;
	struct nr_buf b;

	nr_buf_init(&b, data, len);
	if (nr_buf_get_be16(&b, &a.htype) < 0 || nr_buf_get_be16(&b, &a.ptype) < 0 ||
	    nr_buf_get_u8(&b, &a.hlen) < 0 || nr_buf_get_u8(&b, &a.plen) < 0 ||
	    nr_buf_get_be16(&b, &a.op) < 0)
		return nr_wire_fail(NR_WIRE_TRUNCATED, why);
	/* Meaning before the variable part: hlen/plen bound the copies below. */
	bad = check_fields(a.htype, a.ptype, a.hlen, a.plen, a.op);
	if (bad != NR_WIRE_OK)
		return nr_wire_fail(bad, why);
	if (nr_buf_get_bytes(&b, a.sha, a.hlen) < 0 || nr_buf_get_bytes(&b, a.spa, a.plen) < 0 ||
	    nr_buf_get_bytes(&b, a.tha, a.hlen) < 0 || nr_buf_get_bytes(&b, a.tpa, a.plen) < 0)
		return nr_wire_fail(NR_WIRE_TRUNCATED, why);
	*ret = a;
	return 0;
}

size_t nr_arp_encoded_len(const struct nr_arp *a)
{
	return ARP_FIXED_LEN + 2 * ((size_t)a->hlen + a->plen);
}

int nr_arp_encode(const struct nr_arp *a, uint8_t *buf, size_t cap)
{
	size_t need = nr_arp_encoded_len(a);
	struct nr_wbuf w;
	int r = 0;

	if (check_fields(a->htype, a->ptype, a->hlen, a->plen, a->op) != NR_WIRE_OK)
		return -EINVAL;
	if (need > cap)
		return -EMSGSIZE;
	nr_wbuf_init(&w, buf, cap);
	r |= nr_wbuf_put_be16(&w, a->htype);
	r |= nr_wbuf_put_be16(&w, a->ptype);
	r |= nr_wbuf_put_u8(&w, a->hlen);
	r |= nr_wbuf_put_u8(&w, a->plen);
	r |= nr_wbuf_put_be16(&w, a->op);
	r |= nr_wbuf_put_bytes(&w, a->sha, a->hlen);
	r |= nr_wbuf_put_bytes(&w, a->spa, a->plen);
	r |= nr_wbuf_put_bytes(&w, a->tha, a->hlen);
	r |= nr_wbuf_put_bytes(&w, a->tpa, a->plen);
	if (r < 0)
		return -EMSGSIZE;
	return (int)need;
}

bool nr_arp_is_eth_ipv4(const struct nr_arp *a)
{
	return a->htype == NR_ARP_HTYPE_ETHERNET && a->ptype == NR_ETHERTYPE_IPV4 &&
	       a->hlen == NR_ETH_ALEN && a->plen == 4;
}

void nr_arp_init_eth_ipv4(struct nr_arp *a, uint16_t op, const uint8_t sha[6],
			  const struct nr_addr *spa, const uint8_t tha[6],
			  const struct nr_addr *tpa)
{
	memset(a, 0, sizeof(*a));
	a->htype = NR_ARP_HTYPE_ETHERNET;
	a->ptype = NR_ETHERTYPE_IPV4;
	a->hlen = NR_ETH_ALEN;
	a->plen = 4;
	a->op = op;
	memcpy(a->sha, sha, NR_ETH_ALEN);
	memcpy(a->spa, spa->bytes, 4);
	if (tha)
		memcpy(a->tha, tha, NR_ETH_ALEN);
	memcpy(a->tpa, tpa->bytes, 4);
}

static int paddr(const struct nr_arp *a, const uint8_t *p, struct nr_addr *ret)
{
	if (a->ptype != NR_ETHERTYPE_IPV4 || a->plen != 4)
		return -EAFNOSUPPORT;
	memset(ret, 0, sizeof(*ret));
	ret->family = AF_INET;
	memcpy(ret->bytes, p, 4);
	return 0;
}

int nr_arp_spa(const struct nr_arp *a, struct nr_addr *ret)
{
	return paddr(a, a->spa, ret);
}

int nr_arp_tpa(const struct nr_arp *a, struct nr_addr *ret)
{
	return paddr(a, a->tpa, ret);
}

static void hwaddr(const struct nr_arp *a, const uint8_t *p, struct nr_lladdr *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->len = a->hlen <= NR_LLADDR_MAX ? a->hlen : NR_LLADDR_MAX;
	memcpy(ret->bytes, p, ret->len);
}

void nr_arp_sha(const struct nr_arp *a, struct nr_lladdr *ret)
{
	hwaddr(a, a->sha, ret);
}

void nr_arp_tha(const struct nr_arp *a, struct nr_lladdr *ret)
{
	hwaddr(a, a->tha, ret);
}
