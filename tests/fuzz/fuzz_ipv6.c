/* SPDX-License-Identifier: BSD-2-Clause */
/* IPv6 and the extension-header walk: decode; re-encode; decode again; compare. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netrig/ipv6.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[NR_IPV6_HLEN + 65536];
	struct nr_ipv6 a, b;
	int n;

	if (nr_ipv6_decode(data, size, &a, NULL) < 0)
		return 0;
	/* The walk stays inside the payload. */
	if (a.upper_off < NR_IPV6_HLEN || a.upper_off + a.upper_len != NR_IPV6_HLEN + a.payload_len)
		abort();
	for (unsigned i = 0; i < a.n_ext; i++)
		if ((size_t)a.ext[i].off + a.ext[i].len > a.upper_off)
			abort();
	n = nr_ipv6_encode(&a, out, sizeof(out));
	if (n < 0 || (size_t)n != nr_ipv6_encoded_len(&a))
		abort();
	if (nr_ipv6_encode(&a, out, (size_t)n - 1) != -EMSGSIZE)
		abort();
	if (nr_ipv6_decode(out, (size_t)n, &b, NULL) < 0)
		abort();
	if (a.tclass != b.tclass || a.flow != b.flow || a.next_header != b.next_header ||
	    a.hop_limit != b.hop_limit || !nr_addr_eq(&a.src, &b.src) ||
	    !nr_addr_eq(&a.dst, &b.dst) || a.payload_len != b.payload_len ||
	    (a.payload_len && memcmp(a.payload, b.payload, a.payload_len)) ||
	    a.n_ext != b.n_ext || memcmp(a.ext, b.ext, sizeof(a.ext[0]) * a.n_ext) ||
	    a.upper_proto != b.upper_proto || a.upper_off != b.upper_off ||
	    a.upper_len != b.upper_len || a.is_fragment != b.is_fragment ||
	    a.frag_off != b.frag_off || a.frag_more != b.frag_more || a.frag_id != b.frag_id)
		abort();
	if (memcmp(out, data, (size_t)n))
		abort();
	return 0;
}
