/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NDP: decode and validate; re-encode; decode again; compare field by field.
 * Input: byte 0 flags (bit 0 = fix the checksum first, bit 1 = hop limit
 * 254 instead of 255), 16 bytes source, 16 bytes destination, the message.
 * Re-encoding drops unknown and duplicate options and reserved bits, so
 * the bytes may differ; the decoded fields may not.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netrig/buf.h"
#include "netrig/csum.h"
#include "netrig/icmp6.h"
#include "netrig/ipv6.h"
#include "netrig/ndp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned known_opts(const struct nr_ndp *n)
{
	return (unsigned)n->has_sllao + n->has_tllao + n->has_mtu + n->n_prefix + n->n_rdnss +
	       (n->nonce_len != 0) + n->has_redirected;
}

static void same(const struct nr_ndp *a, const struct nr_ndp *b)
{
	if (a->type != b->type || a->code != b->code || a->cur_hop_limit != b->cur_hop_limit ||
	    a->ra_flags != b->ra_flags || a->router_lifetime != b->router_lifetime ||
	    a->reachable_time != b->reachable_time || a->retrans_timer != b->retrans_timer ||
	    a->router != b->router || a->solicited != b->solicited ||
	    a->override != b->override || !nr_addr_eq(&a->target, &b->target) ||
	    !nr_addr_eq(&a->dest, &b->dest))
		abort();
	if (a->has_sllao != b->has_sllao || (a->has_sllao && !nr_lladdr_eq(&a->sllao, &b->sllao)))
		abort();
	if (a->has_tllao != b->has_tllao || (a->has_tllao && !nr_lladdr_eq(&a->tllao, &b->tllao)))
		abort();
	if (a->has_mtu != b->has_mtu || a->mtu != b->mtu)
		abort();
	if (a->n_prefix != b->n_prefix)
		abort();
	for (unsigned i = 0; i < a->n_prefix; i++) {
		const struct nr_ndp_prefix *p = &a->prefix[i], *q = &b->prefix[i];

		if (p->len != q->len || p->flags != q->flags ||
		    p->valid_lifetime != q->valid_lifetime ||
		    p->preferred_lifetime != q->preferred_lifetime ||
		    !nr_addr_eq(&p->prefix, &q->prefix))
			abort();
	}
	if (a->n_rdnss != b->n_rdnss)
		abort();
	for (unsigned i = 0; i < a->n_rdnss; i++) {
		const struct nr_ndp_rdnss *p = &a->rdnss[i], *q = &b->rdnss[i];

		if (p->lifetime != q->lifetime || p->n_addr != q->n_addr)
			abort();
		for (unsigned k = 0; k < p->n_addr; k++)
			if (!nr_addr_eq(&p->addr[k], &q->addr[k]))
				abort();
	}
	if (a->nonce_len != b->nonce_len || memcmp(a->nonce, b->nonce, a->nonce_len))
		abort();
	if (a->has_redirected != b->has_redirected || a->redirected_len != b->redirected_len ||
	    (a->redirected_len && memcmp(a->redirected, b->redirected, a->redirected_len)))
		abort();
	if (b->n_unknown != 0 || b->n_opts != known_opts(a) || a->n_opts < known_opts(a))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t in[65536], out[65536];
	struct nr_addr src, dst;
	struct nr_ndp a, b;
	uint8_t hop;
	size_t len;
	int n;

	if (size < 33 || size - 33 > sizeof(in))
		return 0;
	hop = (data[0] & 2) ? 254 : 255;
	nr_addr_set_v6(&src, data + 1);
	nr_addr_set_v6(&dst, data + 17);
	len = size - 33;
	memcpy(in, data + 33, len);
	if ((data[0] & 1) && len >= 4) {
		struct nr_csum c;

		in[2] = in[3] = 0;
		nr_csum_init(&c);
		nr_csum_add_pseudo6(&c, &src, &dst, (uint32_t)len, NR_IPPROTO_ICMPV6);
		nr_csum_add(&c, in, len);
		nr_store_be16(in + 2, nr_csum_final(&c));
	}
	if (nr_ndp_decode(in, len, &src, &dst, hop, &a, NULL) < 0)
		return 0;
	n = nr_ndp_encode(&a, &src, &dst, out, sizeof(out));
	if (n < 0 || (size_t)n != nr_ndp_encoded_len(&a) || (size_t)n > len)
		abort();
	if (nr_ndp_encode(&a, &src, &dst, out, (size_t)n - 1) != -EMSGSIZE)
		abort();
	if (nr_ndp_decode(out, (size_t)n, &src, &dst, hop, &b, NULL) < 0)
		abort();
	same(&a, &b);
	return 0;
}
