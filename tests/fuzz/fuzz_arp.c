/* SPDX-License-Identifier: BSD-2-Clause */
/* ARP: decode; re-encode; decode again; compare. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netrig/arp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t out[8 + 2 * (NR_ARP_HLEN_MAX + NR_ARP_PLEN_MAX)];
	struct nr_arp a, b;
	int n;

	if (nr_arp_decode(data, size, &a, NULL) < 0)
		return 0;
	n = nr_arp_encode(&a, out, sizeof(out));
	if (n < 0 || (size_t)n != nr_arp_encoded_len(&a) || (size_t)n > size)
		abort();
	if (nr_arp_encode(&a, out, (size_t)n - 1) != -EMSGSIZE)
		abort();
	if (nr_arp_decode(out, (size_t)n, &b, NULL) < 0)
		abort();
	/* The struct zero-fills past hlen/plen, so whole-struct equality holds. */
	if (memcmp(&a, &b, sizeof(a)) != 0)
		abort();
	if (memcmp(out, data, (size_t)n))
		abort();
	return 0;
}
